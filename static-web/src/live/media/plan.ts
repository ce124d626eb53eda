import { canHear, type Hearer, type MeetingRoom } from '../model';

/** The server's slack on distance for SFU groups (Hearing.ServerSlack), so both sides name the same group. */
const slack = 1.25;

/**
 * The SFU group one is in, by the rule the server decides with (functions/Media/MediaPlan.cs): a
 * "whole room" meeting room always; elsewhere the people who hear each other, directly or through
 * someone in between, once they are at least `threshold`. Null: peer to peer.
 */
export function sfuGroup(me: Hearer & { email: string }, others: Iterable<Hearer & { email: string }>, rooms: readonly MeetingRoom[],
  threshold: number): { key: string; members: Set<string> } | null {
  const area = me.meetingRoomId ?? null;
  const mode = area === null ? 'by-distance' : rooms.find((m) => m.id === area)?.audioMode ?? 'whole-room';
  if (mode === 'none') return null;
  const same = [...others].filter((o) => (o.meetingRoomId ?? null) === area);
  if (mode === 'whole-room') return { key: `meeting:${area}`, members: new Set([me.email, ...same.map((o) => o.email)]) };
  const members = new Set([me.email]);
  const queue: (Hearer & { email: string })[] = [me];
  while (queue.length > 0) {
    const a = queue.shift()!;
    for (const b of same) if (!members.has(b.email) && canHear(a, b, rooms, slack)) { members.add(b.email); queue.push(b); }
  }
  if (members.size < threshold) return null;
  const first = [...members].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0))[0];
  return { key: `near:${area ?? '-'}:${first}`, members };
}
