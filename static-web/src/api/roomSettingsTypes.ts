// The room settings (R3-R8) as GET /api/rooms/{id}/settings answers them (API.md). No imports, so the
// live room's pure rules (live/model.ts), compiled on their own in a test, can use the same shapes.

export interface DomainChoice { domain: string; checked: boolean; retired?: boolean }
export interface EntryView { domains: DomainChoice[]; users: string[] }
export interface SoundSettings { voiceReach: number; entryChimeVolume: number; doorVolume: number }
export type ScaleMode = 'fit-height' | 'fit-width' | 'fixed';
export interface ScaleRule { mode: ScaleMode; percent?: number | null }
export interface ScaleSettings { minimum: ScaleRule; entry: ScaleRule }
export interface BackgroundView { width: number; height: number; uploaded: boolean; contentType?: string; version?: string }
export type AudioMode = 'whole-room' | 'by-distance' | 'none';
export type BgmVolume = 'normal' | 'lower' | 'much-lower';
export interface BgmView { kind: 'url' | 'uploaded'; url?: string }
export interface MeetingRoom {
  /** Absent for a meeting room not saved yet (the server gives it an id). */
  id?: string;
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
  nameStyle: Record<string, string>;
  areaStyle: Record<string, string>;
  audioMode: AudioMode;
  bgm?: BgmView | null;
  bgmVolume: BgmVolume;
}
export interface RoomSettings {
  /** Only for the room's admins and site admins. */
  entry?: EntryView;
  sound: SoundSettings;
  scale: ScaleSettings;
  background: BackgroundView;
  meetingRooms: MeetingRoom[];
  entryPosition: { x: number; y: number };
}
