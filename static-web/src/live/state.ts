import { eventTypes, type EventType } from './events';
import type { Board, Moved, Person, PlacedImage, RoomEvent, Snapshot } from './model';

/** Someone in the room as this screen knows them: what the hub sent, plus their mute and share flags. */
export interface PersonState extends Person {
  micMuted?: boolean;
  sharing?: boolean;
}

/** What applying one server push changed, for the room to redraw (the state itself draws nothing). */
export type Change =
  | { kind: 'people' }
  | { kind: 'person'; person: PersonState; meetingRoomChanged?: boolean }
  | { kind: 'moved'; person: PersonState; wasIn: string | null; nowIn: string | null }
  | { kind: 'unknown-mover'; person: PersonState }
  | { kind: 'boards' }
  | { kind: 'board'; board: Board }
  | { kind: 'image'; image: PlacedImage }
  | { kind: 'image-removed'; id: string }
  | { kind: 'none' };

/**
 * The room's state as the server sends it (L1-L4): who is here, where, and the boards. Applies
 * snapshots and pushes (by the server's names, ./events) and says what changed; the room draws.
 */
export class RoomState {
  readonly people = new Map<string, PersonState>();
  readonly boards = new Map<string, Board>();
  readonly images = new Map<string, PlacedImage>();
  me: PersonState;
  /** How many snapshots of the hub included oneself (the first places one; later ones keep where one stands). */
  hubSnapshots = 0;

  constructor(me: PersonState) {
    this.me = me;
  }

  get others(): PersonState[] {
    return [...this.people.values()].filter((p) => p.email !== this.me.email);
  }

  /**
   * A snapshot replaces everyone and every board. Returns where the server has oneself, when it does
   * (the room decides whether to go there or stay).
   */
  snapshot(s: Snapshot): Person | undefined {
    const mine = s.people.find((p) => p.email === this.me.email);
    this.people.clear();
    for (const p of s.people) if (p.email !== this.me.email) this.people.set(p.email, { ...p });
    this.people.set(this.me.email, this.me);
    this.boards.clear();
    for (const b of s.boards) this.boards.set(b.id, b);
    this.images.clear();
    for (const i of s.images ?? []) this.images.set(i.id, i);
    if (mine) this.hubSnapshots += 1;
    return mine;
  }

  /** Someone entered; true when they are new to this screen (not a second tab of someone here). */
  entered(p: Person): boolean {
    if (p.email === this.me.email) return false;
    const isNew = !this.people.has(p.email);
    this.people.set(p.email, { ...p });
    return isNew;
  }

  left(email: string): PersonState | undefined {
    const p = this.people.get(email);
    this.people.delete(email);
    return p;
  }

  /** One move of a move batch. */
  moved(m: Moved): Change {
    if (m.email === this.me.email) return { kind: 'none' };
    let p = this.people.get(m.email);
    let unknown = false;
    if (!p) {
      // Someone moves who is not on one's list: the list is stale (a reconnect raced a departure).
      p = { email: m.email, name: m.email.split('@')[0], x: m.x, y: m.y, status: 'online', meetingRoomId: m.meetingRoomId ?? null };
      this.people.set(m.email, p);
      unknown = true;
    }
    const wasIn = p.meetingRoomId ?? null;
    p.x = m.x;
    p.y = m.y;
    p.meetingRoomId = m.meetingRoomId ?? null;
    if (unknown) return { kind: 'unknown-mover', person: p };
    return { kind: 'moved', person: p, wasIn, nowIn: p.meetingRoomId ?? null };
  }

  zoom(email: string, inZoomMeeting: boolean): PersonState | undefined {
    const p = this.people.get(email);
    if (p) p.inZoomMeeting = inZoomMeeting;
    return p;
  }

  /** The state part of a room-wide `event` (the room adds its sounds and chat lines). */
  event(e: RoomEvent): Change {
    const p = this.people.get(e.email);
    switch (e.type as EventType) {
      case eventTypes.status:
        if (p && typeof e.status === 'string') { p.status = e.status; return { kind: 'person', person: p }; }
        return { kind: 'none' };
      case eventTypes.registerBoard:
      case eventTypes.updateBoard: {
        const board = e.board as Board | undefined;
        if (!board) return { kind: 'none' };
        this.boards.set(board.id, board);
        return { kind: 'board', board };
      }
      case eventTypes.registerImage:
      case eventTypes.moveImage: {
        const image = e.image as PlacedImage | undefined;
        if (!image) return { kind: 'none' };
        this.images.set(image.id, image);
        return { kind: 'image', image };
      }
      case eventTypes.removeImage: {
        const id = String(e.imageId ?? '');
        return this.images.delete(id) ? { kind: 'image-removed', id } : { kind: 'none' };
      }
      case eventTypes.audioMuted:
        if (p) { p.micMuted = e.muted === 'true'; return { kind: 'person', person: p }; }
        return { kind: 'none' };
      case eventTypes.startShareScreen:
      case eventTypes.stopShareScreen:
        if (p) { p.sharing = e.type === eventTypes.startShareScreen; return { kind: 'person', person: p }; }
        return { kind: 'none' };
      case eventTypes.voiceArea: {
        const reach = Number(e.reach);
        if (!Number.isFinite(reach)) return { kind: 'none' };
        if (p) p.reach = reach;
        if (e.email === this.me.email) this.me.reach = reach;
        return { kind: 'none' };
      }
      default:
        return { kind: 'none' };
    }
  }
}
