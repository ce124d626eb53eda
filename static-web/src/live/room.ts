import { Texture } from 'pixi.js';
import { ApiError } from '../api/client';
import type { AppContext } from '../app/context';
import { siteKey } from '../api/base';
import { errorMessage, hasKey, t, type MessageKey } from '../i18n';
import { formDialog } from '../ui/dialog';
import { h } from '../ui/dom';
import { notify } from '../ui/notice';
import { LiveConnection, type RoomListener } from './connection';
import type { LiveApi } from './liveApi';
import { Voice } from './media';
import {
  commandId, cssColor, hubErrorCode, meetingRoomAt, statusColor, statuses,
  type Board, type EnterResponse, type Moved, type Person, type RoomEvent, type RoomSettings, type Snapshot,
} from './model';
import { bgmLevels, Sounds } from './sounds';
import { Stage, type View } from './stage';
import './live.css';

interface ChatLine {
  key: string;
  kind: 'message' | 'image' | 'system';
  email: string;
  name: string;
  text: string;
  at: Date;
  imageUrl?: string;
}

interface PersonState extends Person {
  micMuted?: boolean;
  sharing?: boolean;
}

const walkSpeed = 520; // px per second
const moveEveryMs = 150;
const viewportEveryMs = 250;
const maxChat = 200;

/** The localized text of a failed hub command or API call, never the raw message. */
export function liveError(error: unknown): string {
  if (error instanceof ApiError) return errorMessage(error);
  const code = hubErrorCode(error);
  const key = `error.${code}`;
  return hasKey(key) ? t(key as MessageKey) : t('error.unknown');
}

/**
 * One visit to a live room: the connection, the canvas, voice, sounds and the room's panels.
 * State lives here; the panels are drawn from it (again after a language change).
 */
export class LiveRoom implements RoomListener {
  readonly element: HTMLElement;
  private readonly stageHost = h('div', { class: 'live-stage-host' });
  private readonly stage: Stage;
  private readonly sounds = new Sounds();
  private readonly voice: Voice;
  private connection: LiveConnection | null = null;
  private readonly people = new Map<string, PersonState>();
  private readonly boards = new Map<string, Board>();
  private readonly chat: ChatLine[] = [];
  private readonly chatSeen = new Set<string>();
  private me: PersonState;
  private connState: 'connecting' | 'live' | 'reconnecting' | 'closed' | 'left' | 'elsewhere' = 'connecting';
  private view: View = { x: 0, y: 0, width: 0, height: 0 };
  // Walking: a click target or the keys held.
  private walkTarget: { x: number; y: number } | null = null;
  private readonly keys = new Set<string>();
  private walking = false;
  private lastMoveSent = 0;
  private sentAt = { x: Number.NaN, y: Number.NaN };
  private lastViewportSent = 0;
  private viewportTimer: number | undefined;
  private frameHandle = 0;
  private lastFrame = 0;
  private myMeetingRoom: string | null = null;
  private hubSnapshots = 0;
  private connectedAt = 0;
  private cameraOn = false;
  private disposed = false;
  private readonly channel: BroadcastChannel | null;
  private readonly instance = commandId();
  private readonly cleanups: (() => void)[] = [];
  // DOM parts redrawn in place.
  private peopleList: HTMLElement | null = null;
  private peopleCount: HTMLElement | null = null;
  private chatLog: HTMLElement | null = null;
  private statePill: HTMLElement | null = null;
  private videos: HTMLElement | null = null;
  private minimap: HTMLCanvasElement | null = null;
  private banner: HTMLElement | null = null;
  private readonly rows = new Map<string, HTMLElement>();

  constructor(
    private readonly ctx: AppContext,
    private readonly api: LiveApi,
    private readonly roomName: string,
    private readonly spaceId: string,
    private settings: RoomSettings,
    private readonly entry: EnterResponse,
  ) {
    const email = ctx.me?.email ?? '';
    const fromSnapshot = entry.snapshot.people.find((p) => p.email === email);
    this.me = fromSnapshot ?? { email, name: ctx.me?.name ?? email, x: settings.entryPosition.x, y: settings.entryPosition.y, status: 'online' };
    this.me.reach ??= settings.sound.voiceReach;
    this.element = h('div', { class: 'live-room', dataset: { roomId: api.roomId, state: 'connecting' } });
    this.stage = new Stage(this.stageHost, settings, {
      click: (x, y) => { this.walkTarget = { x, y }; this.keys.clear(); this.startWalking(); },
      board: (board) => void this.editBoard(board),
      avatar: (email, sx, sy) => this.avatarCard(email, sx, sy),
      view: (view) => this.viewChanged(view),
    });
    this.voice = new Voice({
      self: () => this.connState === 'live' ? { ...this.me, reach: this.reachOf(this.me), meetingRoomId: this.myMeetingRoom } : null,
      others: () => [...this.people.values()].filter((p) => p.email !== this.me.email).map((p) => ({ ...p, reach: this.reachOf(p) })),
      meetingRooms: () => this.settings.meetingRooms,
      signal: (to, data) => this.connection ? this.connection.invoke('Signal', { to, data }) : Promise.resolve(),
      changed: () => this.drawVideos(),
      refreshMedia: () => this.api.media(),
    }, entry.media);
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`zawaroom.live.${siteKey()}.${api.roomId}`);
    this.render();
  }

  private reachOf(p: Person): number {
    return p.reach ?? this.settings.sound.voiceReach;
  }

  // --- starting and ending

  async start(): Promise<void> {
    this.snapshot(this.entry.snapshot);
    this.stage.upsertPerson(this.me, true);
    for (const b of this.boards.values()) this.stage.upsertBoard(b);
    this.stage.setReach({ x: this.me.x, y: this.me.y, r: this.reachOf(this.me) });
    this.myMeetingRoom = meetingRoomAt(this.settings.meetingRooms, this.me.x, this.me.y)?.id ?? null;
    // The canvas starts while the connection is made.
    const drawing = this.stage.init().then(() => {
      if (this.disposed) return;
      this.stage.centreOn(this.me.x, this.me.y);
      this.element.dataset.renderer = this.stage.rendererName;
      this.stage.app.canvas.setAttribute('role', 'img');
      this.stage.app.canvas.setAttribute('aria-label', `${this.roomName} — ${t('live.hint')}`);
      void this.loadBackground();
    });
    this.bindKeys();
    this.frameHandle = requestAnimationFrame((now) => this.frame(now));
    const minimap = window.setInterval(() => this.drawMinimap(), 250);
    this.cleanups.push(() => window.clearInterval(minimap));

    this.connection = new LiveConnection(this.entry, () => this.api.enter(), this);
    if (this.channel) {
      this.channel.onmessage = (e: MessageEvent<{ type: string; id: string }>) => {
        if (e.data?.type === 'entered' && e.data.id !== this.instance) this.elsewhere();
      };
    }
    try {
      await this.connection.start();
    } catch (error) {
      this.state('closed', error);
      return;
    }
    await drawing;
    this.channel?.postMessage({ type: 'entered', id: this.instance });
    this.viewChanged(this.stage.view);
    void this.voice.start().then(() => this.renderToolbar());
    this.sounds.chime(this.settings.sound.entryChimeVolume);
    this.updateBgm();
    const focus = (focused: boolean) => void this.command('Focus', { focused, cid: commandId() }, true);
    const onFocus = () => focus(true);
    const onBlur = () => focus(false);
    window.addEventListener('focus', onFocus);
    window.addEventListener('blur', onBlur);
    const onHide = () => this.connection?.close();
    window.addEventListener('pagehide', onHide);
    this.cleanups.push(() => {
      window.removeEventListener('focus', onFocus);
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('pagehide', onHide);
    });
  }

  get isOver(): boolean {
    return this.disposed;
  }

  /** The leave button: Leave {}, then back to the room select. */
  async leave(): Promise<void> {
    this.connState = 'left';
    await this.connection?.leave();
    this.dispose();
    this.ctx.navigate(`/spaces/${this.spaceId}`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    cancelAnimationFrame(this.frameHandle);
    if (this.viewportTimer !== undefined) window.clearTimeout(this.viewportTimer);
    for (const cleanup of this.cleanups) cleanup();
    this.connection?.close();
    this.voice.dispose();
    this.sounds.dispose();
    this.stage.destroy();
    this.channel?.close();
    for (const line of this.chat) if (line.imageUrl) URL.revokeObjectURL(line.imageUrl);
  }

  /** The same room was opened in another tab of this browser: this one steps back instead of fighting it. */
  private elsewhere(): void {
    if (this.connState === 'left') return;
    this.connection?.close();
    this.connState = 'elsewhere';
    this.voice.dispose();
    this.refreshState();
  }

  private async loadBackground(): Promise<void> {
    if (!this.settings.background.uploaded) return;
    try {
      const url = await this.api.blobUrl(this.api.backgroundPath());
      const image = new Image();
      image.src = url;
      await image.decode();
      if (!this.disposed) this.stage.setBackground(Texture.from(image));
    } catch {
      // The default floor stays.
    }
  }

  // --- what the hub sends (RoomListener)

  snapshot(s: Snapshot): void {
    const mine = s.people.find((p) => p.email === this.me.email);
    this.people.clear();
    this.stage.clearPeople(this.me.email);
    for (const p of s.people) {
      if (p.email === this.me.email) continue;
      this.people.set(p.email, { ...p });
      this.stage.upsertPerson(p, false);
    }
    if (mine) {
      this.hubSnapshots += 1;
      if (this.hubSnapshots === 1 && !this.walking) {
        // The first snapshot of the hub: where the server placed one (the entry position, or where a replaced tab stood).
        this.me = { ...this.me, ...mine, reach: mine.reach ?? this.me.reach };
        this.stage.centreOn(this.me.x, this.me.y);
      } else {
        // A reconnect or resync: one stays where one is; the server learns it again.
        this.me = { ...this.me, status: mine.status, inZoomMeeting: mine.inZoomMeeting, reach: mine.reach ?? this.me.reach };
        if (Math.round(mine.x) !== Math.round(this.me.x) || Math.round(mine.y) !== Math.round(this.me.y)) {
          this.sentAt = { x: Number.NaN, y: Number.NaN };
          this.sendMove(performance.now());
        }
      }
      this.stage.upsertPerson(this.me, true);
      this.connectedAt = performance.now();
    }
    this.people.set(this.me.email, this.me);
    this.boards.clear();
    this.stage.clearBoards();
    for (const b of s.boards) {
      this.boards.set(b.id, b);
      this.stage.upsertBoard(b);
    }
    this.drawPeople();
  }

  entered(p: Person): void {
    if (p.email === this.me.email) return;
    const isNew = !this.people.has(p.email);
    this.people.set(p.email, { ...p });
    this.stage.upsertPerson(p, false);
    this.drawPeople();
    if (isNew) {
      this.sounds.chime(this.settings.sound.entryChimeVolume);
      this.system(`enter:${p.email}:${Date.now()}`, p, t('live.entered', { name: p.name || p.email }));
    }
  }

  left(email: string): void {
    if (email === this.me.email) {
      // Removed from the room (an admin deleted the member, or the server swept the connection). Just
      // after a reconnect it is the old connection's departure, not this one's.
      if (this.connState === 'left' || performance.now() - this.connectedAt < 5000) return;
      this.connState = 'closed';
      this.connection?.close();
      this.refreshState();
      return;
    }
    const p = this.people.get(email);
    this.people.delete(email);
    this.stage.removePerson(email);
    this.drawPeople();
    if (p) this.system(`left:${email}:${Date.now()}`, p, t('live.left', { name: p.name || p.email }));
  }

  moved(batch: Moved[]): void {
    for (const m of batch) {
      if (m.email === this.me.email) continue;
      let p = this.people.get(m.email);
      if (!p) {
        // Someone moves who is not on one's list: the list is stale (a reconnect raced a departure).
        // Show them at once and ask the server for a fresh snapshot.
        p = { email: m.email, name: m.email.split('@')[0], x: m.x, y: m.y, status: 'online', meetingRoomId: m.meetingRoomId ?? null };
        this.people.set(m.email, p);
        this.stage.upsertPerson(p, false);
        this.drawPeople();
        this.resync();
      }
      const wasIn = p.meetingRoomId ?? null;
      p.x = m.x;
      p.y = m.y;
      p.meetingRoomId = m.meetingRoomId ?? null;
      this.stage.moveTo(m.email, m.x, m.y);
      if (wasIn !== (p.meetingRoomId ?? null)) this.drawRow(p);
      else this.drawPosition(p);
      // The door: someone comes into or goes out of one's own meeting room.
      const nowIn = p.meetingRoomId ?? null;
      if (wasIn !== nowIn && this.myMeetingRoom !== null && (wasIn === this.myMeetingRoom || nowIn === this.myMeetingRoom))
        this.sounds.door(this.settings.sound.doorVolume);
    }
  }

  event(e: RoomEvent): void {
    const p = this.people.get(e.email);
    const key = e.seq !== undefined ? `seq:${e.seq}` : `${e.type}:${e.email}:${String(e.message ?? e.boardId ?? e.imageId ?? '')}:${Date.now()}`;
    switch (e.type) {
      case 'status':
        if (p && typeof e.status === 'string') { p.status = e.status; this.stage.setStatus(p.email, p.status); this.drawRow(p); }
        break;
      case 'userMessage':
        if (typeof e.message === 'string') this.addChat({ key, kind: 'message', email: e.email, name: e.name, text: e.message, at: new Date() });
        if (e.email !== this.me.email) this.sounds.message();
        break;
      case 'register board':
      case 'update board': {
        const board = e.board as Board | undefined;
        if (board) { this.boards.set(board.id, board); this.stage.upsertBoard(board); }
        break;
      }
      case 'register image':
        if (typeof e.url === 'string') void this.addImage(key, e);
        break;
      case 'ring bell':
        this.sounds.bell();
        this.system(key, e, t('live.rangBell', { name: e.name || e.email }));
        break;
      case 'audioMuted':
        if (p) { p.micMuted = e.muted === 'true'; this.drawRow(p); }
        break;
      case 'start share screen':
      case 'stop share screen':
        if (p) { p.sharing = e.type === 'start share screen'; this.drawRow(p); }
        if (e.email !== this.me.email && e.type === 'start share screen') this.system(key, e, t('live.startedSharing', { name: e.name || e.email }));
        break;
      case 'voiceArea': {
        const reach = Number(e.reach);
        if (p && Number.isFinite(reach)) p.reach = reach;
        if (e.email === this.me.email && Number.isFinite(reach)) this.me.reach = reach;
        break;
      }
      default:
        break;
    }
  }

  private lastResync = 0;

  /** Asks for a fresh snapshot (L4 Resync), at most every few seconds. */
  private resync(): void {
    const now = performance.now();
    if (now - this.lastResync < 3000) return;
    this.lastResync = now;
    void this.connection?.send('Resync', {});
  }

  zoom(email: string, inZoomMeeting: boolean): void {
    const p = this.people.get(email);
    if (!p) return;
    p.inZoomMeeting = inZoomMeeting;
    this.stage.setZoom(email, inZoomMeeting);
    this.drawRow(p);
  }

  knocked(from: string, name: string): void {
    this.sounds.knock();
    const notice = h('div', { class: 'knock-notice', role: 'alert', dataset: { from } },
      h('strong', {}, t('live.knockedTitle')),
      h('span', {}, t('live.knocked', { name: name || from })),
      h('button', { type: 'button', class: 'link-button', onclick: () => notice.remove() }, t('app.close')));
    this.element.querySelector('.knock-notices')?.appendChild(notice);
    setTimeout(() => notice.remove(), 15000);
  }

  signal(from: string, data: unknown): void {
    void this.voice.receive(from, data);
  }

  state(state: 'connecting' | 'live' | 'reconnecting' | 'closed', error?: unknown): void {
    if (this.connState === 'left' || this.connState === 'elsewhere') return;
    this.connState = state;
    if (state === 'closed' && error) console.warn('[live] connection closed', error);
    this.refreshState();
    if (state === 'live') this.viewChanged(this.stage.view, true);
  }

  // --- one's own moves

  private bindKeys(): void {
    const keyOf = (e: KeyboardEvent): string | null => {
      const map: Record<string, string> = {
        ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right',
        w: 'up', s: 'down', a: 'left', d: 'right', W: 'up', S: 'down', A: 'left', D: 'right',
      };
      return map[e.key] ?? null;
    };
    const typing = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      return !!target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || !!target.closest('dialog'));
    };
    const down = (e: KeyboardEvent) => {
      const key = keyOf(e);
      if (!key || typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      e.preventDefault();
      this.keys.add(key);
      this.walkTarget = null;
      this.startWalking();
    };
    const up = (e: KeyboardEvent) => {
      const key = keyOf(e);
      if (key) this.keys.delete(key);
    };
    const blur = () => this.keys.clear();
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    window.addEventListener('blur', blur);
    this.cleanups.push(() => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
      window.removeEventListener('blur', blur);
    });
  }

  private startWalking(): void {
    this.walking = true;
    this.element.dataset.walking = 'true';
  }

  private frame(now: number): void {
    if (this.disposed) return;
    const dt = this.lastFrame ? Math.min(0.1, (now - this.lastFrame) / 1000) : 0;
    this.lastFrame = now;
    if (this.walking && this.connState === 'live') this.step(dt, now);
    this.frameHandle = requestAnimationFrame((n) => this.frame(n));
  }

  private step(dt: number, now: number): void {
    const { width, height } = this.settings.background;
    let dx = 0;
    let dy = 0;
    if (this.keys.size > 0) {
      if (this.keys.has('left')) dx -= 1;
      if (this.keys.has('right')) dx += 1;
      if (this.keys.has('up')) dy -= 1;
      if (this.keys.has('down')) dy += 1;
      const length = Math.hypot(dx, dy) || 1;
      dx = (dx / length) * walkSpeed * dt;
      dy = (dy / length) * walkSpeed * dt;
    } else if (this.walkTarget) {
      const rx = this.walkTarget.x - this.me.x;
      const ry = this.walkTarget.y - this.me.y;
      const distance = Math.hypot(rx, ry);
      const stride = walkSpeed * dt;
      if (distance <= stride) { dx = rx; dy = ry; this.walkTarget = null; } else { dx = (rx / distance) * stride; dy = (ry / distance) * stride; }
    }
    const x = Math.min(width, Math.max(0, this.me.x + dx));
    const y = Math.min(height, Math.max(0, this.me.y + dy));
    const moved = x !== this.me.x || y !== this.me.y;
    if (moved) {
      this.me.x = x;
      this.me.y = y;
      this.stage.moveTo(this.me.email, x, y);
      this.stage.keepInView(x, y);
      this.stage.setReach({ x, y, r: this.reachOf(this.me) });
      this.enteredMeetingRoom();
      this.drawPosition(this.me);
      if (now - this.lastMoveSent >= moveEveryMs) this.sendMove(now);
    }
    if (this.keys.size === 0 && !this.walkTarget) {
      // Stopped: the last position always goes out.
      this.walking = false;
      this.sendMove(now);
      this.element.dataset.walking = 'false';
    }
  }

  private sendMove(now: number): void {
    const x = Math.round(this.me.x);
    const y = Math.round(this.me.y);
    if (x === this.sentAt.x && y === this.sentAt.y) return;
    this.sentAt = { x, y };
    this.lastMoveSent = now;
    this.me.x = x;
    this.me.y = y;
    void this.connection?.send('Move', { x, y });
    this.drawPosition(this.me);
  }

  /** One's own meeting room changed: the door, the BGM, the voice connections. */
  private enteredMeetingRoom(): void {
    const now = meetingRoomAt(this.settings.meetingRooms, this.me.x, this.me.y)?.id ?? null;
    if (now === this.myMeetingRoom) return;
    this.myMeetingRoom = now;
    this.me.meetingRoomId = now;
    this.sounds.door(this.settings.sound.doorVolume);
    this.updateBgm();
    this.voice.update();
    this.drawRow(this.me);
  }

  private updateBgm(): void {
    const room = this.settings.meetingRooms.find((m) => m.id === this.myMeetingRoom);
    const bgm = room?.bgm;
    if (!room || !bgm) { void this.sounds.setBgm(null, 0, null); return; }
    const source = bgm.kind === 'url' && bgm.url ? async () => bgm.url ?? null : async () => this.api.blobUrl(this.api.bgmPath(room.id));
    void this.sounds.setBgm(room.id, bgmLevels[room.bgmVolume] ?? 0.5, source);
  }

  private viewChanged(view: View, force = false): void {
    this.view = view;
    if (!this.connection?.connected) return;
    const now = performance.now();
    const wait = viewportEveryMs - (now - this.lastViewportSent);
    if (this.viewportTimer !== undefined && !force) return;
    const send = () => {
      this.viewportTimer = undefined;
      this.lastViewportSent = performance.now();
      const v = this.view;
      if (v.width > 0 && v.height > 0)
        void this.connection?.send('Viewport', { x: Math.round(v.x), y: Math.round(v.y), width: Math.round(v.width), height: Math.round(v.height) });
    };
    if (force || wait <= 0) send();
    else this.viewportTimer = window.setTimeout(send, wait);
  }

  // --- commands

  /** Invokes a hub command; a refusal is shown in the person's language. */
  private async command(method: string, argument: object, quiet = false): Promise<boolean> {
    if (!this.connection?.connected) {
      if (!quiet) notify(t('error.network'));
      return false;
    }
    try {
      await this.connection.invoke(method, argument);
      return true;
    } catch (error) {
      if (!quiet) notify(liveError(error));
      return false;
    }
  }

  private async setStatus(status: string): Promise<void> {
    if (await this.command('SetStatus', { status, cid: commandId() })) {
      this.me.status = status;
      this.stage.setStatus(this.me.email, status);
      this.drawRow(this.me);
    }
  }

  private async knock(p: Person): Promise<void> {
    if (await this.command('Knock', { email: p.email, cid: commandId() })) notify(t('live.knockSent', { name: p.name || p.email }));
  }

  private async sendMessage(input: HTMLInputElement): Promise<void> {
    const text = input.value.trim();
    if (!text) return;
    if (text.length > 1000) { notify(t('form.tooLong', { field: t('live.message'), max: 1000 })); return; }
    input.disabled = true;
    const ok = await this.command('Message', { text, cid: commandId() });
    input.disabled = false;
    if (ok) input.value = '';
    input.focus();
  }

  private async newBoard(kind: 'sticky' | 'signboard'): Promise<void> {
    const cid = commandId();
    await formDialog({
      title: kind === 'sticky' ? t('live.stickyNew') : t('live.signboardNew'),
      submitLabel: t('live.place'),
      fields: [{ name: 'text', label: t('live.boardText'), kind: 'textarea', required: true, maxLength: 2000 }],
      submit: async (values) => {
        await this.connection!.invoke('Board', { kind, text: values.text, x: Math.round(this.me.x + 90), y: Math.round(this.me.y - 90), cid })
          .catch((error: unknown) => { throw asApiError(error); });
      },
    });
  }

  private async editBoard(board: Board): Promise<void> {
    const cid = commandId();
    await formDialog({
      title: board.kind === 'sticky' ? t('live.stickyEdit') : t('live.signboardEdit'),
      submitLabel: t('app.save'),
      fields: [{ name: 'text', label: t('live.boardText'), kind: 'textarea', value: board.text, required: true, maxLength: 2000 }],
      submit: async (values) => {
        await this.connection!.invoke('Board', { id: board.id, kind: board.kind, text: values.text, x: board.x, y: board.y, cid })
          .catch((error: unknown) => { throw asApiError(error); });
      },
    });
  }

  private async upload(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (!['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(file.type)) { notify(t('error.file-invalid')); return; }
    if (file.size > 10 * 1024 * 1024) { notify(t('error.too-large')); return; }
    try {
      await this.api.uploadImage(file, commandId());
      notify(t('live.imageUploaded'));
    } catch (error) {
      notify(errorMessage(error));
    }
  }

  private async toggleMic(): Promise<void> {
    if (!this.voice.micAvailable) { notify(t('live.micUnavailable')); return; }
    const muted = !this.voice.micMuted;
    this.voice.setMicMuted(muted);
    this.renderToolbar();
    await this.command('Mute', { kind: 'audio', muted, cid: commandId() }, true);
  }

  private async toggleSpeaker(): Promise<void> {
    const muted = !this.voice.speakerMuted;
    this.voice.setSpeakerMuted(muted);
    this.sounds.setMuted(muted);
    this.renderToolbar();
    await this.command('Mute', { kind: 'speaker', muted, cid: commandId() }, true);
  }

  private async toggleCamera(): Promise<void> {
    const on = !this.cameraOn;
    try {
      await this.voice.setCamera(on);
      this.cameraOn = on;
    } catch {
      notify(t('live.cameraUnavailable'));
      return;
    }
    this.renderToolbar();
    await this.command('Mute', { kind: 'video', muted: !on, cid: commandId() }, true);
  }

  private async toggleShare(): Promise<void> {
    const on = !this.voice.sharing;
    try {
      await this.voice.setSharing(on, () => { void this.command('ShareScreen', { sharing: false, cid: commandId() }, true); this.renderToolbar(); });
    } catch {
      notify(t('live.shareUnavailable'));
      return;
    }
    this.renderToolbar();
    await this.command('ShareScreen', { sharing: on, cid: commandId() });
  }

  private async setReach(reach: number): Promise<void> {
    if (await this.command('VoiceArea', { reach, cid: commandId() })) {
      this.me.reach = reach;
      this.stage.setReach({ x: this.me.x, y: this.me.y, r: reach });
      this.voice.update();
    }
  }

  private async ringBell(): Promise<void> {
    await this.command('RingBell', { cid: commandId() });
  }

  /** The card of someone clicked on the canvas: name, status, where they are; knock from there. */
  private avatarCard(email: string, sx: number, sy: number): void {
    this.element.querySelector('.avatar-card')?.remove();
    const p = this.people.get(email);
    if (!p) return;
    const self = email === this.me.email;
    const statusText = hasKey(`live.status.${p.status}`) ? t(`live.status.${p.status}` as MessageKey) : p.status;
    const meetingRoom = this.settings.meetingRooms.find((m) => m.id === p.meetingRoomId)?.name;
    const close = () => { card.remove(); document.removeEventListener('keydown', onKey); };
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') close(); };
    const card: HTMLElement = h('div', { class: 'avatar-card', role: 'dialog', 'aria-label': p.name || p.email, dataset: { email }, style: `left:${Math.round(sx + 12)}px;top:${Math.round(sy + 12)}px` },
      h('strong', { class: 'avatar-card-name' }, (p.name || p.email) + (self ? ` ${t('live.you')}` : '')),
      h('span', { class: 'avatar-card-email' }, p.email),
      h('span', { class: 'avatar-card-status' },
        h('span', { class: 'status-dot', style: `background:${cssColor(statusColor(p.status))}` }), statusText, meetingRoom ? ` · ${meetingRoom}` : ''),
      p.inZoomMeeting ? h('span', { class: 'zoom-badge' }, t('live.inZoomMeeting')) : null,
      h('div', { class: 'avatar-card-actions' },
        self ? null : h('button', { type: 'button', class: 'primary', onclick: () => { close(); void this.knock(p); } }, t('live.knock')),
        h('button', { type: 'button', class: 'secondary', onclick: close }, t('app.close'))));
    document.addEventListener('keydown', onKey);
    const stage = this.element.querySelector('.live-stage');
    stage?.appendChild(card);
    // Keep the card inside the stage when clicked near its right or bottom edge.
    if (stage) {
      const room = stage.getBoundingClientRect();
      if (sx + 12 + card.offsetWidth > room.width) card.style.left = `${Math.max(0, Math.round(sx - 12 - card.offsetWidth))}px`;
      if (sy + 12 + card.offsetHeight > room.height) card.style.top = `${Math.max(0, Math.round(sy - 12 - card.offsetHeight))}px`;
    }
    setTimeout(close, 15000);
  }

  // --- chat

  private addChat(line: ChatLine): void {
    if (this.chatSeen.has(line.key)) return;
    this.chatSeen.add(line.key);
    this.chat.push(line);
    while (this.chat.length > maxChat) {
      const old = this.chat.shift();
      if (old?.imageUrl) URL.revokeObjectURL(old.imageUrl);
    }
    if (this.chatLog) {
      this.chatLog.appendChild(this.chatRow(line));
      while (this.chatLog.childElementCount > maxChat) this.chatLog.firstElementChild?.remove();
      this.chatLog.scrollTop = this.chatLog.scrollHeight;
    }
  }

  private system(key: string, who: { email: string; name: string }, text: string): void {
    this.addChat({ key, kind: 'system', email: who.email, name: who.name, text, at: new Date() });
  }

  private async addImage(key: string, e: RoomEvent): Promise<void> {
    let imageUrl: string | undefined;
    try {
      imageUrl = await this.api.blobUrl(String(e.url));
    } catch {
      imageUrl = undefined;
    }
    this.addChat({ key, kind: 'image', email: e.email, name: e.name, text: t('live.imagePosted', { name: e.name || e.email }), at: new Date(), imageUrl });
  }

  private chatRow(line: ChatLine): HTMLElement {
    const time = line.at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    return h('li', { class: `chat-line ${line.kind}`, dataset: { email: line.email } },
      line.kind === 'message' ? h('span', { class: 'chat-name' }, line.name || line.email) : null,
      h('span', { class: 'chat-text' }, line.text),
      line.imageUrl ? h('img', { class: 'chat-image', src: line.imageUrl, alt: line.text }) : null,
      h('time', { class: 'chat-time' }, time));
  }

  // --- drawing the panels

  private refreshState(): void {
    this.element.dataset.state = this.connState;
    if (this.statePill) {
      this.statePill.textContent = t(`live.state.${this.connState}` as MessageKey);
      this.statePill.className = `live-state ${this.connState}`;
    }
    if (this.banner) {
      this.banner.replaceChildren();
      this.banner.hidden = !['closed', 'elsewhere', 'reconnecting'].includes(this.connState);
      if (this.connState === 'closed' || this.connState === 'elsewhere')
        this.banner.append(
          h('span', {}, this.connState === 'closed' ? t('live.disconnected') : t('live.openedElsewhere')),
          h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, t('live.enterAgain')),
          h('a', { class: 'button secondary', href: this.ctx.href(`/spaces/${this.spaceId}`), 'data-link': true }, t('room.backToSelect')));
      else if (this.connState === 'reconnecting') this.banner.append(h('span', {}, t('live.reconnecting')));
    }
  }

  /** Draws the room's panels from the state (again after a language change); the canvas stays. */
  /** The toolbar from the state; redrawn alone when a button changes, so typing in the chat is not disturbed. */
  private toolbar(): HTMLElement {
    const statusSelect = h('select', {
      class: 'status-select', 'aria-label': t('live.status'), name: 'status',
      onchange: () => void this.setStatus(statusSelect.value),
    }, statuses.map((s) => h('option', { value: s, selected: s === this.me.status }, t(`live.status.${s}` as MessageKey))),
      statuses.includes(this.me.status as (typeof statuses)[number]) ? null : h('option', { value: this.me.status, selected: true }, this.me.status));

    const reach = h('input', {
      type: 'range', class: 'reach-range', min: 50, max: 1500, step: 50, value: String(this.reachOf(this.me)), 'aria-label': t('live.voiceReach'),
      onchange: () => void this.setReach(Number(reach.value)),
    });
    const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', hidden: true, onchange: () => void this.upload(file) });
    const toggle = (name: string, label: string, pressed: boolean, action: () => void, disabled = false) =>
      h('button', {
        type: 'button', class: `tool ${name}${pressed ? ' pressed' : ''}${disabled ? ' unavailable' : ''}`, 'aria-pressed': String(pressed),
        'data-testid': name, title: label, onclick: action,
      }, label);

    const micLabel = !this.voice.micAvailable ? t('live.micUnavailableShort') : this.voice.micMuted ? t('live.micOff') : t('live.micOn');
    return h('div', { class: 'live-toolbar', role: 'toolbar', 'aria-label': t('live.tools') },
      h('div', { class: 'live-title' },
        h('a', {
          class: 'back', href: this.ctx.href(`/spaces/${this.spaceId}`), title: t('room.backToSelect'), 'aria-label': t('room.backToSelect'),
          onclick: (e: MouseEvent) => { e.preventDefault(); void this.leave(); },
        }, '←'),
        h('h1', { class: 'live-room-name' }, this.roomName),
        this.statePill = h('span', { class: `live-state ${this.connState}` }, t(`live.state.${this.connState}` as MessageKey))),
      h('label', { class: 'tool-field' }, h('span', {}, t('live.status')), statusSelect),
      toggle('mic', micLabel, this.voice.micMuted || !this.voice.micAvailable, () => void this.toggleMic(), !this.voice.micAvailable),
      toggle('speaker', this.voice.speakerMuted ? t('live.speakerOff') : t('live.speakerOn'), this.voice.speakerMuted, () => void this.toggleSpeaker()),
      toggle('camera', this.cameraOn ? t('live.cameraOn') : t('live.cameraOff'), this.cameraOn, () => void this.toggleCamera()),
      toggle('share', this.voice.sharing ? t('live.shareStop') : t('live.shareStart'), this.voice.sharing, () => void this.toggleShare()),
      h('label', { class: 'tool-field reach' }, h('span', {}, t('live.voiceReach')), reach),
      h('button', { type: 'button', class: 'tool bell', 'data-testid': 'bell', onclick: () => void this.ringBell() }, t('live.ringBell')),
      h('button', { type: 'button', class: 'tool', 'data-testid': 'sticky', onclick: () => void this.newBoard('sticky') }, t('live.sticky')),
      h('button', { type: 'button', class: 'tool', 'data-testid': 'signboard', onclick: () => void this.newBoard('signboard') }, t('live.signboard')),
      h('button', { type: 'button', class: 'tool', 'data-testid': 'image', onclick: () => file.click() }, t('live.image')), file,
      h('button', { type: 'button', class: 'danger leave', 'data-testid': 'leave', onclick: () => void this.leave() }, t('live.leave')));

  }

  /** Redraws just the toolbar in place. */
  private renderToolbar(): void {
    const old = this.element.querySelector('.live-toolbar');
    if (old) old.replaceWith(this.toolbar());
    else this.render();
    this.refreshState();
  }

  render(): void {
    const toolbar = this.toolbar();
    this.peopleCount = h('span', { class: 'badge people-count' }, String(this.people.size));
    this.peopleList = h('ul', { class: 'people-list', 'aria-label': t('live.people') });
    this.rows.clear();
    const input = h('input', { name: 'message', maxlength: 1000, autocomplete: 'off', placeholder: t('live.messagePlaceholder'), 'aria-label': t('live.message') });
    const chatForm = h('form', { class: 'chat-form', onsubmit: (e: Event) => { e.preventDefault(); void this.sendMessage(input); } },
      input, h('button', { type: 'submit', class: 'primary' }, t('live.send')));
    this.chatLog = h('ol', { class: 'chat-log', 'aria-live': 'polite' }, this.chat.map((line) => this.chatRow(line)));

    this.minimap = h('canvas', { class: 'minimap', width: 220, height: 126, 'aria-label': t('live.minimap'), title: t('live.minimap') });
    this.minimap.addEventListener('click', (e) => this.minimapClick(e));
    this.videos = h('div', { class: 'live-videos' });
    this.banner = h('div', { class: 'live-banner', role: 'status', hidden: true });

    this.element.replaceChildren(
      toolbar,
      h('div', { class: 'live-body' },
        h('div', { class: 'live-stage' }, this.stageHost, this.minimap, this.videos, this.banner, this.voice.statusElement, h('div', { class: 'knock-notices' }),
          h('p', { class: 'live-hint' }, t('live.hint'))),
        h('aside', { class: 'live-side' },
          h('section', { class: 'people-panel' }, h('h2', {}, t('live.people'), ' ', this.peopleCount), this.peopleList),
          h('section', { class: 'chat-panel' }, h('h2', {}, t('live.messages')), this.chatLog, chatForm))));
    this.drawPeople();
    this.drawVideos();
    this.refreshState();
    this.chatLog.scrollTop = this.chatLog.scrollHeight;
  }

  private drawPeople(): void {
    if (!this.peopleList) return;
    const sorted = [...this.people.values()].sort((a, b) =>
      (a.email === this.me.email ? -1 : b.email === this.me.email ? 1 : 0) || (a.name || a.email).localeCompare(b.name || b.email));
    const keep = new Set(sorted.map((p) => p.email));
    for (const [email, row] of this.rows) if (!keep.has(email)) { row.remove(); this.rows.delete(email); }
    let before: Element | null = this.peopleList.firstElementChild;
    for (const p of sorted) {
      let row = this.rows.get(p.email);
      if (!row) { row = this.personRow(p); this.rows.set(p.email, row); }
      if (row !== before) this.peopleList.insertBefore(row, before);
      else before = before?.nextElementSibling ?? null;
      this.drawRow(p);
    }
    if (this.peopleCount) this.peopleCount.textContent = String(this.people.size);
  }

  private personRow(p: Person): HTMLElement {
    const self = p.email === this.me.email;
    return h('li', { class: `person${self ? ' self' : ''}`, dataset: { email: p.email, self: String(self) } },
      h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'person-main' },
        h('span', { class: 'person-name' }, (p.name || p.email) + (self ? ` ${t('live.you')}` : '')),
        h('span', { class: 'person-status' }),
        h('span', { class: 'zoom-badge', hidden: true }, t('live.inZoomMeeting'))),
      self ? null : h('button', { type: 'button', class: 'link-button knock', onclick: () => void this.knock(p), title: t('live.knockTitle', { name: p.name || p.email }) }, t('live.knock')));
  }

  /** A person's position on their row (data-x, data-y): the cheap update every move batch makes. */
  private drawPosition(p: PersonState): HTMLElement | undefined {
    const row = this.rows.get(p.email);
    if (!row) return undefined;
    const x = String(Math.round(p.x));
    const y = String(Math.round(p.y));
    if (row.dataset.x !== x) row.dataset.x = x;
    if (row.dataset.y !== y) row.dataset.y = y;
    return row;
  }

  private drawRow(p: PersonState): void {
    const row = this.drawPosition(p);
    if (!row) return;
    row.dataset.status = p.status;
    row.dataset.meetingRoom = p.meetingRoomId ?? '';
    row.dataset.zoom = String(!!p.inZoomMeeting);
    row.dataset.micMuted = String(!!p.micMuted);
    row.dataset.sharing = String(!!p.sharing);
    (row.querySelector('.status-dot') as HTMLElement).style.background = cssColor(statusColor(p.status));
    const statusText = hasKey(`live.status.${p.status}`) ? t(`live.status.${p.status}` as MessageKey) : p.status;
    const meetingRoom = this.settings.meetingRooms.find((m) => m.id === p.meetingRoomId)?.name;
    const statusEl = row.querySelector('.person-status') as HTMLElement;
    const text = meetingRoom ? `${statusText} · ${meetingRoom}` : statusText;
    if (statusEl.textContent !== text) statusEl.textContent = text;
    (row.querySelector('.zoom-badge') as HTMLElement).hidden = !p.inZoomMeeting;
  }

  private drawVideos(): void {
    if (!this.videos) return;
    const wanted = this.voice.videos;
    const local = this.voice.localVideo;
    const items: HTMLElement[] = [];
    if (local) {
      const v = h('video', { autoplay: true, playsinline: true, muted: true, class: 'local' }) as HTMLVideoElement;
      v.muted = true;
      v.srcObject = new MediaStream([local]);
      items.push(h('figure', { class: 'video-tile self' }, v, h('figcaption', {}, t('live.you'))));
    }
    for (const { email, stream } of wanted) {
      const v = h('video', { autoplay: true, playsinline: true, muted: true }) as HTMLVideoElement;
      v.muted = true;
      v.srcObject = stream;
      const p = this.people.get(email);
      items.push(h('figure', { class: 'video-tile', dataset: { email } }, v, h('figcaption', {}, p?.name || email)));
    }
    this.videos.replaceChildren(...items);
    this.element.dataset.peers = this.voice.peerEmails.join(' ');
    this.element.dataset.voice = this.voice.connectedTo.join(' ');
    this.element.dataset.media = this.voice.mediaState;
    this.element.dataset.sfu = this.voice.sfuConnectedTo.join(' ');
  }

  private minimapClick(e: MouseEvent): void {
    if (!this.minimap) return;
    const r = this.minimap.getBoundingClientRect();
    const { width, height } = this.settings.background;
    this.stage.panTo(((e.clientX - r.left) / r.width) * width, ((e.clientY - r.top) / r.height) * height);
  }

  /** The mini-map: the room, its meeting rooms, everyone, and what the screen shows. */
  drawMinimap(): void {
    const canvas = this.minimap;
    if (!canvas) return;
    const g = canvas.getContext('2d');
    if (!g) return;
    const { width, height } = this.settings.background;
    const w = canvas.width;
    canvas.height = Math.max(40, Math.round((w * height) / width));
    const k = w / width;
    g.fillStyle = '#f7f4ee';
    g.fillRect(0, 0, w, canvas.height);
    g.strokeStyle = 'rgba(47,111,222,0.7)';
    g.fillStyle = 'rgba(47,111,222,0.12)';
    for (const m of this.settings.meetingRooms) { g.fillRect(m.x * k, m.y * k, m.width * k, m.height * k); g.strokeRect(m.x * k, m.y * k, m.width * k, m.height * k); }
    for (const p of this.people.values()) {
      if (p.email === this.me.email) continue;
      g.fillStyle = cssColor(statusColor(p.status));
      g.fillRect(p.x * k - 1.5, p.y * k - 1.5, 3, 3);
    }
    g.fillStyle = '#2f6fde';
    g.beginPath();
    g.arc(this.me.x * k, this.me.y * k, 3.5, 0, Math.PI * 2);
    g.fill();
    const v = this.view;
    g.strokeStyle = '#1f2733';
    g.lineWidth = 1;
    g.strokeRect(v.x * k, v.y * k, v.width * k, v.height * k);
  }

  // --- diagnostics for the benchmark (tests/bench/web)

  /** Adds `count` people that are not really there, walking about, to measure the canvas. */
  benchPeople(count: number): void {
    const { width, height } = this.settings.background;
    const fake: PersonState[] = [];
    for (let i = 0; i < count; i++) {
      const p: PersonState = { email: `bench${i}@bench.invalid`, name: `Bench ${i}`, x: Math.random() * width, y: Math.random() * height, status: statuses[i % statuses.length] };
      fake.push(p);
      this.people.set(p.email, p);
      this.stage.upsertPerson(p, false);
    }
    this.drawPeople();
    const timer = window.setInterval(() => {
      if (this.disposed) { window.clearInterval(timer); return; }
      this.moved(fake.map((p) => ({ email: p.email, x: Math.min(width, Math.max(0, p.x + (Math.random() - 0.5) * 60)), y: Math.min(height, Math.max(0, p.y + (Math.random() - 0.5) * 60)) })));
    }, 100);
  }

  /** Diagnostics: loses the connection like a network drop; the room reconnects by itself. */
  dropConnection(): void {
    this.connection?.dropTransport();
  }

  stats(): { frames: number; drawnAvatars: number; renderer: string; people: number; onScreen: string[]; scale: number; boards: string[] } {
    return {
      boards: [...this.boards.values()].map((b) => b.text),
      frames: this.stage.frames, drawnAvatars: this.stage.drawnAvatars, renderer: this.stage.rendererName, people: this.people.size,
      onScreen: this.people.size <= 50 ? this.stage.visibleAvatars() : [], scale: this.stage.currentScale,
    };
  }
}

/** A refused hub command as an ApiError of its code, so forms show it like any refused call. */
function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError({ status: 0, code: hubErrorCode(error) });
}
