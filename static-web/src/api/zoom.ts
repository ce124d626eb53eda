// Zoom sync administration (Z1, Z2, Z9) and schedules (Z3): the shapes of API.md and the calls.
import type { Api } from './client';

export interface ZoomSettings {
  enabled: boolean;
  accountId: string;
  clientId: string;
  clientSecretSet: boolean;
  webhookSecretTokenSet: boolean;
  locationName: string;
  timeZone: string;
  onEntryRemoved: 'delete' | 'keep';
  inviteAttendees: boolean;
}
/** What PUT takes: the secrets are write-only ("" removes one; left out keeps it). */
export type ZoomSettingsPut = Partial<Omit<ZoomSettings, 'clientSecretSet' | 'webhookSecretTokenSet'>> & {
  clientSecret?: string;
  webhookSecretToken?: string;
};
export interface ZoomMember { email: string; name: string; zoomEnabled: boolean; zoomEmail?: string | null; zoomVerified: boolean; verifyError?: string | null;
  /** Why it is not verified: no-credentials | no-such-user | unreachable | zoom-error. */
  verifyReason?: string | null }
export interface ZoomMemberPage { items: ZoomMember[]; total: number }
export interface SyncAudit { at: string; operation: string; entryId: string; entryTitle?: string | null; meetingId?: number | null; result: string }
export interface SyncStatus {
  lastRun?: string | null; nextRun?: string | null;
  created: number; updated: number; deleted: number; failed: number; deferred: number;
  outcome?: string | null;
  audit: SyncAudit[];
}
export interface SyncRun { outcome: string; created: number; updated: number; deleted: number; failed: number; deferred: number }

export type ZoomState = 'linked' | 'pending' | 'deferred' | 'error' | 'none';
export interface ScheduleEntry {
  id: string;
  uid?: string;
  title: string;
  start: string;
  end: string;
  allDay: boolean;
  location: string;
  description: string;
  attendees: string[];
  recurrence?: string | null;
  exdates?: string[] | null;
  zoom?: { state: ZoomState; joinUrl?: string; meetingId?: number; error?: string } | null;
  /** For an occurrence of a recurring entry: the series' own start (what PUT takes back). */
  seriesStart?: string | null;
}
export type ScheduleInput = Pick<ScheduleEntry, 'title' | 'start' | 'end' | 'allDay' | 'location' | 'description' | 'attendees'> & {
  recurrence?: string | null;
  exdates?: string[] | null;
};
export interface ImportReport { created: number; updated: number; unchanged: number; rejected: { line?: number | null; uid?: string | null; reason: string }[] }

const enc = encodeURIComponent;

export const zoomApi = (api: Api) => ({
  settings: () => api.get<ZoomSettings>('/admin/zoom'),
  putSettings: (body: ZoomSettingsPut) => api.call<ZoomSettings>('PUT', '/admin/zoom', body),
  members: (page: number, pageSize: number) => api.get<ZoomMemberPage>(`/admin/zoom/members?page=${page}&pageSize=${pageSize}`),
  putMembers: (items: { email: string; zoomEnabled: boolean; zoomEmail: string | null }[]) =>
    api.call<ZoomMemberPage>('PUT', '/admin/zoom/members', { items }),
  /** Asks Zoom again about these members' Zoom e-mails (null: every unverified one). */
  recheckMembers: (emails: string[] | null) => api.call<ZoomMemberPage>('POST', '/admin/zoom/members/verify', emails ? { emails } : {}),
  syncNow: () => api.call<SyncRun>('POST', '/admin/zoom/sync'),
  status: () => api.get<SyncStatus>('/admin/zoom/status'),
});

export const schedulesApi = (api: Api) => ({
  list: (from: string, to: string) => api.get<ScheduleEntry[]>(`/schedules?from=${enc(from)}&to=${enc(to)}`),
  create: (entry: ScheduleInput) => api.call<ScheduleEntry>('POST', '/schedules', entry),
  replace: (id: string, entry: ScheduleInput) => api.call<ScheduleEntry>('PUT', `/schedules/${enc(id)}`, entry),
  remove: (id: string) => api.call<void>('DELETE', `/schedules/${enc(id)}`),
  importFile: (text: string, contentType: 'text/calendar' | 'text/csv') =>
    api.sendRaw<ImportReport>('POST', '/schedules/import', text, `${contentType}; charset=utf-8`).then((r) => r.value),
  importFeed: (feedUrl: string) => api.call<ImportReport>('POST', '/schedules/import', { feedUrl }),
});
