// The live room's data as the server sends it (API.md "Live room" and the wire contract additions),
// and the pure rules the room screen decides by: scale (R6), the hearing rule (L3), the sequence
// gate (L4), hub error codes. Nothing here touches the DOM, the canvas or the network.

export interface Person {
  email: string;
  name: string;
  x: number;
  y: number;
  status: string;
  meetingRoomId?: string | null;
  /** The person's voice reach in px; absent from servers before the contract addition. */
  reach?: number;
  inZoomMeeting?: boolean;
  seq?: number;
}

export interface Board {
  id: string;
  kind: 'sticky' | 'signboard';
  text: string;
  x: number;
  y: number;
  author: string;
  updatedAt: string;
}

/** R2 placed items: an uploaded image lying in the room (centre x, y; width x height background px). */
export interface PlacedImage {
  id: string;
  url: string;
  x: number;
  y: number;
  width: number;
  height: number;
  author: string;
  updatedAt: string;
}

export interface Snapshot {
  people: Person[];
  boards: Board[];
  /** Absent from servers before placed images. */
  images?: PlacedImage[];
  seq?: number;
}

export interface Moved {
  email: string;
  x: number;
  y: number;
  meetingRoomId?: string | null;
}

export interface RoomEvent {
  type: string;
  email: string;
  name: string;
  subroom?: string;
  seq?: number;
  [detail: string]: unknown;
}

export interface EnterResponse {
  negotiate: { url: string; accessToken: string };
  snapshot: Snapshot;
  /** STUN/TURN and the SFU pass (live/media/sfu.ts). */
  media?: MediaAnswer;
}

import type { MediaAnswer } from './media/sfu';
import type { MeetingRoom as SettingsMeetingRoom, RoomSettings as SettingsView } from '../api/roomSettingsTypes';
export type { AudioMode, BgmVolume, ScaleMode, ScaleRule } from '../api/roomSettingsTypes';
import type { ScaleRule } from '../api/roomSettingsTypes';

/** A saved meeting room (R7): the server always gives it an id. */
export type MeetingRoom = SettingsMeetingRoom & { id: string };

/** What the room screen reads of the room settings (entry permission is for the editors only). */
export type RoomSettings = Omit<SettingsView, 'entry' | 'meetingRooms'> & { meetingRooms: MeetingRoom[] };

/** A room with no settings read (R4-R8 defaults): 4,800 × 2,750, fit height, reach 300. */
export function defaultSettings(): RoomSettings {
  return {
    sound: { voiceReach: 300, entryChimeVolume: 50, doorVolume: 50 },
    scale: { minimum: { mode: 'fit-height' }, entry: { mode: 'fit-height' } },
    background: { width: 4800, height: 2750, uploaded: false },
    meetingRooms: [],
    entryPosition: { x: 2400, y: 1375 },
  };
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** R6: the fitted scale of a window to the background, by height or width, within 40 %–150 %. */
function fitted(mode: 'fit-height' | 'fit-width', view: { width: number; height: number }, room: { width: number; height: number }): number {
  const ratio = mode === 'fit-height' ? view.height / room.height : view.width / room.width;
  return clamp(ratio, 0.4, 1.5);
}

/** R6 minimum scale: fit height | fit width (40 %–150 %) | fixed 30 %–100 %. */
export function minimumScale(rule: ScaleRule, view: { width: number; height: number }, room: { width: number; height: number }): number {
  if (rule.mode === 'fixed') return clamp((rule.percent ?? 100) / 100, 0.3, 1);
  return fitted(rule.mode, view, room);
}

/** R6 entry scale: fit height | fit width (as the minimum) | fixed 30 %–150 %; never below the minimum. */
export function entryScale(rules: RoomSettings['scale'], view: { width: number; height: number }, room: { width: number; height: number }): number {
  const min = minimumScale(rules.minimum, view, room);
  const entry = rules.entry.mode === 'fixed' ? clamp((rules.entry.percent ?? 100) / 100, 0.3, 1.5) : fitted(rules.entry.mode, view, room);
  return Math.max(min, entry);
}

/** How far a person may zoom in: 200 %, or the entry scale when that is larger. */
export function maximumScale(entry: number): number {
  return Math.max(2, entry);
}

export function meetingRoomAt(rooms: readonly MeetingRoom[], x: number, y: number): MeetingRoom | undefined {
  return rooms.find((m) => x >= m.x && x < m.x + m.width && y >= m.y && y < m.y + m.height);
}

export interface Hearer {
  x: number;
  y: number;
  reach: number;
  meetingRoomId?: string | null;
}

/**
 * L3, the hearing rule the server checks on Signal: both outside every meeting room and within
 * max(reachA, reachB); or both in the same meeting room with audio "whole-room"; or "by-distance"
 * and within reach. `slack` widens the distance (1 = none), to keep connections from flapping.
 */
export function canHear(a: Hearer, b: Hearer, rooms: readonly MeetingRoom[], slack = 1): boolean {
  const distance = Math.hypot(a.x - b.x, a.y - b.y);
  const reach = Math.max(a.reach, b.reach) * slack;
  const roomA = a.meetingRoomId ?? null;
  const roomB = b.meetingRoomId ?? null;
  if (roomA === null && roomB === null) return distance <= reach;
  if (roomA !== roomB) return false;
  const mode = rooms.find((m) => m.id === roomA)?.audioMode ?? 'whole-room';
  if (mode === 'whole-room') return true;
  if (mode === 'by-distance') return distance <= reach;
  return false;
}

/** The volume of a voice one hears: full, except by distance inside a "by-distance" meeting room. */
export function voiceGain(a: Hearer, b: Hearer, rooms: readonly MeetingRoom[]): number {
  if (!canHear(a, b, rooms, 1.25)) return 0;
  const roomId = a.meetingRoomId ?? null;
  const mode = roomId === null ? null : rooms.find((m) => m.id === roomId)?.audioMode;
  if (mode !== 'by-distance') return 1;
  const reach = Math.max(a.reach, b.reach);
  const distance = Math.hypot(a.x - b.x, a.y - b.y);
  return clamp(1 - distance / (reach * 1.25), 0.05, 1);
}

/**
 * L4: room-wide pushes carry `seq`. The gate tells whether a push is the next one (apply), already
 * reflected (skip), or shows that some were missed (gap: ask for a fresh snapshot, hold the push).
 * A server that sends no seq yet makes every push "apply".
 */
export class SeqGate {
  private applied: number | null = null;
  private held: { seq: number; run: () => void }[] = [];
  private waiting = false;

  /** A snapshot reflects everything up to its seq: held pushes after it run, the others are dropped. */
  reset(seq: number | undefined | null): void {
    this.applied = typeof seq === 'number' ? seq : null;
    this.waiting = false;
    const held = this.held.sort((a, b) => a.seq - b.seq);
    this.held = [];
    for (const push of held) this.offer(push.seq, push.run);
  }

  /** Forgets everything: a new connection until its snapshot. */
  clear(): void {
    this.applied = null;
    this.held = [];
    this.waiting = false;
  }

  get last(): number | null {
    return this.applied;
  }

  /** Runs `run` now when the push is due; returns 'gap' the first time pushes are found missing. */
  offer(seq: number | undefined | null, run: () => void): 'applied' | 'skipped' | 'held' | 'gap' {
    if (typeof seq !== 'number' || this.applied === null) {
      if (typeof seq === 'number' && this.applied === null) this.applied = seq;
      run();
      return 'applied';
    }
    if (seq <= this.applied) return 'skipped';
    if (this.waiting || seq > this.applied + 1) {
      if (!this.held.some((p) => p.seq === seq)) this.held.push({ seq, run });
      if (this.waiting) return 'held';
      this.waiting = true;
      return 'gap';
    }
    this.applied = seq;
    run();
    return 'applied';
  }
}

/**
 * The code of a refused hub invocation. Hub errors are "<code>: <text>"; the SignalR client wraps
 * them ("An unexpected error occurred invoking 'X' on the server. HubException: <code>: <text>").
 */
export function hubErrorCode(error: unknown): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : '';
  const match = /(?:HubException:\s*)?\b([a-z][a-z-]+):\s/.exec(message.includes('HubException:') ? message.slice(message.indexOf('HubException:')) : message);
  if (match && match[1] !== 'HubException') return match[1];
  if (/Method does not exist/i.test(message)) return 'unsupported';
  if (/connection.*(not|closed|disconnected)|Cannot send data|WebSocket/i.test(message)) return 'network';
  return 'unknown';
}

/** Two letters for an avatar: the initials of the name, or the first letters of the e-mail. */
export function initials(name: string, email: string): string {
  const source = name.trim() || email.split('@')[0];
  const words = source.split(/[\s._-]+/).filter(Boolean);
  if (words.length === 0) return '?';
  // Japanese names: the first character of the family name (and the given name when separated).
  if (/[^\x00-\x7F]/.test(words[0])) return words.length > 1 ? words[0][0] + words[1][0] : [...words[0]].slice(0, 2).join('');
  return (words.length > 1 ? words[0][0] + words[1][0] : words[0].slice(0, 2)).toUpperCase();
}

export const statuses = ['online', 'busy', 'away', 'meeting', 'break'] as const;
export type KnownStatus = (typeof statuses)[number];

const statusColors: Record<KnownStatus, number> = {
  online: 0x1b8a5a,
  busy: 0xc9372c,
  away: 0xd08a00,
  meeting: 0x7a4cc2,
  break: 0x2f8fb5,
};

export function statusColor(status: string): number {
  return (statusColors as Record<string, number>)[status] ?? 0x667085;
}

export function cssColor(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`;
}

/** A client command id, so a retried command is applied and logged once. */
export function commandId(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Rect, b: Rect, gap: number): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/**
 * Where a new board or image goes (its centre): near its author, first up and to the right of
 * them, else the nearest spot around that covers no other item and not the author's avatar and
 * name (`person`), inside the room. `size` is the item as drawn (enlarged at the entry scale).
 */
export function placeNear(author: { x: number; y: number }, size: { width: number; height: number }, taken: readonly Rect[],
  room: { width: number; height: number }, person: { radius: number; below: number } = { radius: 60, below: 40 }): { x: number; y: number } {
  const gap = 16;
  const self: Rect = { x: author.x - person.radius, y: author.y - person.radius, width: person.radius * 2, height: person.radius * 2 + person.below };
  const preferred = { x: author.x + person.radius + gap + size.width / 2, y: author.y - size.height / 2 };
  const rectAt = (c: { x: number; y: number }): Rect => ({ x: c.x - size.width / 2, y: c.y - size.height / 2, width: size.width, height: size.height });
  const fits = (c: { x: number; y: number }) => {
    const r = rectAt(c);
    return r.x >= 0 && r.y >= 0 && r.x + r.width <= room.width && r.y + r.height <= room.height
      && !overlaps(r, self, gap) && taken.every((t) => !overlaps(r, t, gap));
  };
  if (fits(preferred)) return { x: Math.round(preferred.x), y: Math.round(preferred.y) };
  const step = Math.max(40, Math.min(size.width, size.height) / 2);
  for (let ring = 1; ring <= 60; ring++) {
    const spots = 8 * ring;
    const found: { x: number; y: number; d: number }[] = [];
    for (let i = 0; i < spots; i++) {
      const a = (2 * Math.PI * i) / spots;
      const c = { x: preferred.x + Math.cos(a) * step * ring, y: preferred.y + Math.sin(a) * step * ring };
      if (fits(c)) found.push({ ...c, d: Math.hypot(c.x - author.x, c.y - author.y) });
    }
    if (found.length > 0) {
      const best = found.sort((p, q) => p.d - q.d)[0];
      return { x: Math.round(best.x), y: Math.round(best.y) };
    }
  }
  return { x: Math.round(Math.min(room.width, Math.max(0, preferred.x))), y: Math.round(Math.min(room.height, Math.max(0, preferred.y))) };
}

/** A board's size as drawn at scale 1 (stage.ts draws a sticky 160 wide and at least 120 high, a signboard 240 by 64 and its post). */
export function boardSize(kind: 'sticky' | 'signboard'): { width: number; height: number } {
  return kind === 'sticky' ? { width: 164, height: 124 } : { width: 246, height: 104 };
}
