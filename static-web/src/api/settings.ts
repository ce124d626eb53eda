// Room settings (R3-R8), the .zawa file and usage-log exports (G2): the shapes of API.md and the calls.
import type { Api } from './client';
import type { Versioned } from './types';

export * from './roomSettingsTypes';
import type { MeetingRoom, RoomSettings, ScaleSettings, SoundSettings } from './roomSettingsTypes';

export interface SettingsPut {
  entry?: { domains: string[]; users: string[] | string };
  sound?: SoundSettings;
  scale?: ScaleSettings;
  meetingRooms?: (Omit<MeetingRoom, 'bgm'> & { bgm: { kind: 'url'; url: string } | { kind: 'uploaded' } | null })[];
}
export interface ImportResult { settings: RoomSettings; ignoredDomains: string[] }

export type ExportState = 'queued' | 'running' | 'done' | 'failed';
export interface LogExport { state: ExportState; rows: number; progress: number; downloadUrl?: string; error?: string }

const enc = encodeURIComponent;

export const roomSettingsApi = (api: Api) => ({
  get: (roomId: string) => api.send<RoomSettings>('GET', `/rooms/${enc(roomId)}/settings`),
  put: (roomId: string, body: SettingsPut, etag: string | null): Promise<Versioned<RoomSettings>> =>
    api.send<RoomSettings>('PUT', `/rooms/${enc(roomId)}/settings`, { body, ifMatch: etag }),
  putBackground: (roomId: string, file: Blob) =>
    api.sendRaw<RoomSettings>('PUT', `/rooms/${enc(roomId)}/background`, file, file.type || 'application/octet-stream'),
  background: (roomId: string) => api.download(`/rooms/${enc(roomId)}/background`),
  putBgm: (roomId: string, meetingRoomId: string, file: Blob) =>
    api.sendRaw<RoomSettings>('PUT', `/rooms/${enc(roomId)}/meeting-rooms/${enc(meetingRoomId)}/bgm`, file, 'audio/mpeg'),
  exportFile: (roomId: string) => api.download(`/rooms/${enc(roomId)}/export`),
  importFile: (roomId: string, file: Blob) =>
    api.sendRaw<ImportResult>('POST', `/rooms/${enc(roomId)}/import`, file, 'application/json'),
});

export const logsApi = (api: Api) => ({
  startSite: (from: string, to: string, spaceId?: string) =>
    api.call<{ id: string }>('POST', '/admin/logs/exports', { from, to, ...(spaceId ? { spaceId } : {}) }),
  startRoom: (roomId: string, from: string, to: string) =>
    api.call<{ id: string }>('POST', `/rooms/${enc(roomId)}/logs/exports`, { from, to }),
  status: (id: string) => api.get<LogExport>(`/logs/exports/${enc(id)}`),
  download: (url: string) => api.download(url),
});

/** Offers a blob to the person as a file download. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
