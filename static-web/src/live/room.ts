import { Texture } from 'pixi.js';
import { ApiError } from '../api/client';
import type { AppContext } from '../app/context';
import { siteKey } from '../api/base';
import { errorMessage, hasKey, t, type MessageKey } from '../i18n';
import { confirmDialog, formDialog } from '../ui/dialog';
import { h } from '../ui/dom';
import { notify } from '../ui/notice';
import { LiveConnection, type RoomListener } from './connection';
import { eventTypes, type EventType } from './events';
import type { LiveApi } from './liveApi';
import { loadBackground, rasterize } from './floor';
import { Voice } from './media';
import {
  boardSize, commandId, hubErrorCode, meetingRoomAt, placeNear, type Rect,
  type Board, type EnterResponse, type Moved, type Person, type PlacedImage, type RoomEvent, type RoomSettings, type Snapshot,
} from './model';
import { avatarCard } from './panels/cards';
import { ChatPanel } from './panels/chat';
import { Minimap } from './panels/minimap';
import { PeoplePanel } from './panels/people';
import { fillSchedule } from './panels/schedule';
import { toolbar } from './panels/toolbar';
import { drawVideos } from './panels/videos';
import { bgmLevels, Sounds } from './sounds';
import { Stage, type View } from './stage';
import { RoomState, type PersonState } from './state';
import './live.css';

const walkSpeed = 520; // px per second
const moveEveryMs = 150;
const viewportEveryMs = 250;

/** The localized text of a failed hub command or API call, never the raw message. */
export function liveError(error: unknown): string {
  if (error instanceof ApiError) return errorMessage(error);
  const code = hubErrorCode(error);
  const key = `error.${code}`;
  return hasKey(key) ? t(key as MessageKey) : t('error.unknown');
}

/**
 * One visit to a live room: wires the connection to the state (./state), the canvas (./stage),
 * voice, sounds and the panels (./panels). The panels are drawn from the state (again after a
 * language change); the page calls `dispose` when it goes.
 */
export class LiveRoom implements RoomListener {
  readonly element: HTMLElement;
  readonly state: RoomState;
  readonly stage: Stage;
  private readonly stageHost = h('div', { class: 'live-stage-host' });
  private readonly sounds = new Sounds();
  private readonly voice: Voice;
  private connection: LiveConnection | null = null;
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
  private connectedAt = 0;
  private cameraOn = false;
  private disposed = false;
  private readonly channel: BroadcastChannel | null;
  private readonly instance = commandId();
  private readonly cleanups: (() => void)[] = [];
  // The panels.
  private readonly peoplePanel: PeoplePanel;
  private readonly chat: ChatPanel;
  private readonly minimap: Minimap;
  private readonly videos = h('div', { class: 'live-videos' });
  private statePill: HTMLElement | null = null;
  private banner: HTMLElement | null = null;
  private backgroundImage: HTMLImageElement | HTMLCanvasElement | null = null;

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
    const me: PersonState = fromSnapshot ?? { email, name: ctx.me?.name ?? email, x: settings.entryPosition.x, y: settings.entryPosition.y, status: 'online' };
    me.reach ??= settings.sound.voiceReach;
    this.state = new RoomState(me);
    this.element = h('div', { class: 'live-room', dataset: { roomId: api.roomId, state: 'connecting' } });
    this.stage = new Stage(this.stageHost, settings, {
      click: (x, y) => { this.walkTarget = { x, y }; this.keys.clear(); this.startWalking(); },
      board: (board) => void this.editBoard(board),
      canMove: (item) => item.author === this.me.email || (item.kind === 'image' && this.isRoomAdmin),
      boardMoved: (board, x, y) => void this.moveBoard(board, x, y),
      image: (image) => void this.imageClicked(image),
      imageMoved: (image, x, y) => void this.moveImage(image, x, y),
      avatar: (email, sx, sy) => this.avatarCard(email, sx, sy),
      view: (view) => this.viewChanged(view),
    });
    this.voice = new Voice({
      self: () => this.connState === 'live' ? { ...this.me, reach: this.reachOf(this.me), meetingRoomId: this.myMeetingRoom } : null,
      others: () => this.state.others.map((p) => ({ ...p, reach: this.reachOf(p) })),
      meetingRooms: () => this.settings.meetingRooms,
      signal: (to, data) => this.connection ? this.connection.invoke('Signal', { to, data }) : Promise.resolve(),
      changed: () => this.drawVideos(),
      refreshMedia: () => this.api.media(),
    }, entry.media);
    this.peoplePanel = new PeoplePanel(() => this.state.people.values(), () => this.me.email, () => this.settings.meetingRooms, (p) => void this.knock(p));
    this.chat = new ChatPanel((input) => void this.sendMessage(input));
    this.minimap = new Minimap(() => this.settings, (x, y) => this.stage.panTo(x, y));
    this.channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(`zawaroom.live.${siteKey()}.${api.roomId}`);
    this.render();
  }

  get settingsNow(): RoomSettings {
    return this.settings;
  }

  private get me(): PersonState {
    return this.state.me;
  }

  private reachOf(p: Person): number {
    return p.reach ?? this.settings.sound.voiceReach;
  }

  // --- starting and ending

  async start(): Promise<void> {
    this.snapshot(this.entry.snapshot);
    this.stage.upsertPerson(this.me, true);
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
      this.connectionState('closed', error);
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

  /** The page went (another page, sign-out): the connection closes, so the avatar goes. Safe to call twice. */
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
    for (const texture of this.pictures.values()) texture.destroy(true);
    this.channel?.close();
    this.chat.dispose();
  }

  /** The same room was opened in another tab of this browser: this one steps back instead of fighting it. */
  private elsewhere(): void {
    if (this.connState === 'left') return;
    this.connection?.close();
    this.connState = 'elsewhere';
    this.voice.dispose();
    this.refreshState();
  }

  /** The uploaded background, or the office floor (./floor) for a room without one. */
  private async loadBackground(): Promise<void> {
    const image = await loadBackground(this.settings, this.api);
    if (!image || this.disposed) return;
    const { width, height } = this.settings.background;
    // An uploaded photo is used as it is; the drawn floor is rasterized once at a size the GPU likes.
    const source = this.settings.background.uploaded ? image : rasterize(image, width, height, 3200);
    this.stage.setBackground(Texture.from(source));
    this.backgroundImage = source;
  }

  // --- what the hub sends (RoomListener): the state applies it, the room draws what changed

  snapshot(s: Snapshot): void {
    const mine = this.state.snapshot(s);
    this.stage.clearPeople(this.me.email);
    for (const p of this.state.others) this.stage.upsertPerson(p, false);
    if (mine) {
      if (this.state.hubSnapshots === 1 && !this.walking) {
        // The first snapshot of the hub: where the server placed one (the entry position, or where a replaced tab stood).
        Object.assign(this.me, mine, { reach: mine.reach ?? this.me.reach });
        this.stage.centreOn(this.me.x, this.me.y);
      } else {
        // A reconnect or resync: one stays where one is; the server learns it again.
        Object.assign(this.me, { status: mine.status, inZoomMeeting: mine.inZoomMeeting, reach: mine.reach ?? this.me.reach });
        if (Math.round(mine.x) !== Math.round(this.me.x) || Math.round(mine.y) !== Math.round(this.me.y)) {
          this.sentAt = { x: Number.NaN, y: Number.NaN };
          this.sendMove(performance.now());
        }
      }
      this.stage.upsertPerson(this.me, true);
      this.connectedAt = performance.now();
    }
    this.stage.clearBoards();
    for (const b of this.state.boards.values()) this.stage.upsertBoard(b);
    this.stage.clearImages();
    for (const i of this.state.images.values()) this.showImage(i);
    this.peoplePanel.draw();
  }

  entered(p: Person): void {
    if (p.email === this.me.email) return;
    const isNew = this.state.entered(p);
    this.stage.upsertPerson(p, false);
    this.peoplePanel.draw();
    if (isNew) {
      this.sounds.chime(this.settings.sound.entryChimeVolume);
      this.chat.system(`enter:${p.email}:${Date.now()}`, p, t('live.entered', { name: p.name || p.email }));
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
    const p = this.state.left(email);
    this.stage.removePerson(email);
    this.peoplePanel.draw();
    if (p) this.chat.system(`left:${email}:${Date.now()}`, p, t('live.left', { name: p.name || p.email }));
  }

  moved(batch: Moved[]): void {
    for (const m of batch) {
      const change = this.state.moved(m);
      if (change.kind === 'unknown-mover') {
        // Shown at once; the server is asked for a fresh snapshot.
        this.stage.upsertPerson(change.person, false);
        this.peoplePanel.draw();
        this.resync();
        continue;
      }
      if (change.kind !== 'moved') continue;
      const { person: p, wasIn, nowIn } = change;
      this.stage.moveTo(p.email, p.x, p.y);
      if (wasIn !== nowIn) this.peoplePanel.drawRow(p);
      else this.peoplePanel.drawPosition(p);
      // The door: someone comes into or goes out of one's own meeting room.
      if (wasIn !== nowIn && this.myMeetingRoom !== null && (wasIn === this.myMeetingRoom || nowIn === this.myMeetingRoom))
        this.sounds.door(this.settings.sound.doorVolume);
    }
  }

  event(e: RoomEvent): void {
    const key = e.seq !== undefined ? `seq:${e.seq}` : `${e.type}:${e.email}:${String(e.message ?? e.boardId ?? e.imageId ?? '')}:${Date.now()}`;
    const change = this.state.event(e);
    if (change.kind === 'person') {
      this.stage.setStatus(change.person.email, change.person.status);
      this.peoplePanel.drawRow(change.person);
    } else if (change.kind === 'board') {
      this.stage.upsertBoard(change.board);
    } else if (change.kind === 'image') {
      this.showImage(change.image);
    } else if (change.kind === 'image-removed') {
      this.stage.removeImage(change.id);
      this.pictures.get(change.id)?.destroy(true);
      this.pictures.delete(change.id);
    }
    switch (e.type as EventType) {
      case eventTypes.userMessage:
        if (typeof e.message === 'string') this.chat.add({ key, kind: 'message', email: e.email, name: e.name, text: e.message, at: new Date() });
        if (e.email !== this.me.email) this.sounds.message();
        break;
      case eventTypes.registerImage:
        if (typeof e.url === 'string') void this.addImage(key, e);
        break;
      case eventTypes.ringBell:
        this.sounds.bell();
        this.chat.system(key, e, t('live.rangBell', { name: e.name || e.email }));
        break;
      case eventTypes.startShareScreen:
        if (e.email !== this.me.email) this.chat.system(key, e, t('live.startedSharing', { name: e.name || e.email }));
        break;
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
    const p = this.state.zoom(email, inZoomMeeting);
    if (!p) return;
    this.stage.setZoom(email, inZoomMeeting);
    this.peoplePanel.drawRow(p);
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

  /** The connection's state: connecting, live, reconnecting or closed. */
  connectionState(state: 'connecting' | 'live' | 'reconnecting' | 'closed', error?: unknown): void {
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

  /** Walking runs on animation frames, only while one walks (an idle room asks for no frames). */
  private startWalking(): void {
    this.walking = true;
    this.element.dataset.walking = 'true';
    if (!this.frameHandle && !this.disposed) this.frameHandle = requestAnimationFrame((now) => this.frame(now));
  }

  private frame(now: number): void {
    if (this.disposed) return;
    const dt = this.lastFrame ? Math.min(0.1, (now - this.lastFrame) / 1000) : 0;
    this.lastFrame = now;
    if (this.walking && this.connState === 'live') this.step(dt, now);
    if (this.walking) this.frameHandle = requestAnimationFrame((n) => this.frame(n));
    else { this.frameHandle = 0; this.lastFrame = 0; }
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
        const at = this.freeSpot(boardSize(kind));
        await this.connection!.invoke('Board', { kind, text: values.text, x: at.x, y: at.y, cid })
          .catch((error: unknown) => { throw asApiError(error); });
      },
    });
  }

  /** A spot near oneself where an item of this size (as drawn at the entry scale) covers nothing else. */
  private freeSpot(size: { width: number; height: number }): { x: number; y: number } {
    const k = this.stage.itemScale;
    const taken = [...this.state.boards.keys()].map((id) => this.stage.boardRect(id)).filter((r): r is Rect => r !== null);
    taken.push(...this.stage.imageRects());
    return placeNear(this.me, { width: size.width * k, height: size.height * k }, taken, this.settings.background,
      { radius: 30 * k, below: 24 * k });
  }

  /** A board dragged by its author: the same board at its new place (text unchanged). */
  private async moveBoard(board: Board, x: number, y: number): Promise<void> {
    if (!await this.command('Board', { id: board.id, kind: board.kind, text: board.text, x, y, cid: commandId() }))
      this.stage.upsertBoard(board); // Refused: back where it was.
  }

  private get isRoomAdmin(): boolean {
    return this.ctx.me?.role === 'siteAdmin' || (this.ctx.me?.roomAdminOf.includes(this.api.roomId) ?? false);
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

  /** R2: an image placed in the room; its pixels load once (behind the login) and stay while it lies there. */
  private readonly pictures = new Map<string, Texture>();
  private readonly loadingPictures = new Set<string>();

  private showImage(image: PlacedImage): void {
    const picture = this.pictures.get(image.id);
    if (picture) { this.stage.upsertImage(image, this.stage.hasImage(image.id) ? undefined : { kind: 'loaded', texture: picture }); return; }
    this.stage.upsertImage(image); // A placeholder while its pixels load (a move of one already drawn keeps its look).
    if (this.loadingPictures.has(image.id)) return;
    this.loadingPictures.add(image.id);
    void (async () => {
      let texture: Texture | null = null;
      try {
        const url = await this.api.blobUrl(image.url);
        const element = new Image();
        element.src = url;
        try { await element.decode(); } finally { URL.revokeObjectURL(url); }
        texture = Texture.from(element);
      } catch {
        texture = null;
      } finally {
        this.loadingPictures.delete(image.id);
      }
      const now = this.state.images.get(image.id);
      if (this.disposed || !now) return;
      if (texture) this.pictures.set(image.id, texture);
      // Drawn where it lies now (it may have moved meanwhile); a failed one tries again on the next snapshot.
      this.stage.upsertImage(now, texture ? { kind: 'loaded', texture } : { kind: 'failed', label: t('live.imageLoadFailed') });
    })();
  }

  private async moveImage(image: PlacedImage, x: number, y: number): Promise<void> {
    try {
      await this.api.moveImage(image.id, x, y);
    } catch (error) {
      notify(errorMessage(error));
      this.stage.upsertImage(image); // Back where it was.
    }
  }

  /** A click on a placed image: its author or a room admin may take it away. */
  private async imageClicked(image: PlacedImage): Promise<void> {
    if (image.author !== this.me.email && !this.isRoomAdmin) return;
    await confirmDialog({
      title: t('live.imageRemoveTitle'),
      message: t('live.imageRemoveMessage'),
      confirmLabel: t('live.imageRemove'),
      danger: true,
      action: () => this.api.removeImage(image.id),
    });
  }

  private async upload(input: HTMLInputElement): Promise<void> {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    if (!['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(file.type)) { notify(t('error.file-invalid')); return; }
    if (file.size > 10 * 1024 * 1024) { notify(t('error.too-large')); return; }
    try {
      // Its proportions and a free spot next to oneself (R2: placed where its author stands, clear of other items).
      const size = await pictureSize(file);
      const k = imageMaxSide / Math.max(size.w, size.h);
      const at = this.freeSpot({ width: size.w * k + 12, height: size.h * k + 12 });
      await this.api.uploadImage(file, commandId(), { ...at, ...size });
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

  /** The card of someone clicked on the canvas (./panels/cards). */
  private avatarCard(email: string, sx: number, sy: number): void {
    const p = this.state.people.get(email);
    const stage = this.element.querySelector<HTMLElement>('.live-stage');
    if (!p || !stage) return;
    const box = this.stage.avatarBox(email) ?? { x: sx - 24, y: sy - 24, width: 48, height: 48 };
    const self = email === this.me.email;
    avatarCard(stage, {
      person: p, self, meetingRooms: this.settings.meetingRooms, knock: () => void this.knock(p),
      // L5: now and next of the member's schedule, as the server shows it to people in this room.
      extra: (card) => void fillSchedule(card, this.ctx.api, this.api.roomId, email, self),
    }, sx, sy, box);
  }

  // --- chat

  private async addImage(key: string, e: RoomEvent): Promise<void> {
    let imageUrl: string | undefined;
    try {
      imageUrl = await this.api.blobUrl(String(e.url));
    } catch {
      imageUrl = undefined;
    }
    this.chat.add({ key, kind: 'image', email: e.email, name: e.name, text: t('live.imagePosted', { name: e.name || e.email }), at: new Date(), imageUrl });
  }

  // --- drawing the panels

  private drawRow(p: PersonState): void {
    this.peoplePanel.drawRow(p);
  }

  private drawPosition(p: PersonState): void {
    this.peoplePanel.drawPosition(p);
  }

  private drawVideos(): void {
    drawVideos(this.videos, this.element, this.voice, (email) => this.state.people.get(email)?.name);
  }

  drawMinimap(): void {
    this.minimap.draw(this.state.people.values(), this.me, this.view, this.backgroundImage);
  }

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

  private toolbar(): HTMLElement {
    const { element, statePill } = toolbar(this.ctx, {
      roomName: this.roomName, spaceId: this.spaceId, status: this.me.status, reach: this.reachOf(this.me), connState: this.connState,
      micAvailable: this.voice.micAvailable, micOn: !this.voice.micMuted, speakerOn: !this.voice.speakerMuted,
      cameraOn: this.cameraOn, sharing: this.voice.sharing,
    }, {
      leave: () => void this.leave(),
      setStatus: (s) => void this.setStatus(s),
      setReach: (r) => void this.setReach(r),
      toggleMic: () => void this.toggleMic(),
      toggleSpeaker: () => void this.toggleSpeaker(),
      toggleCamera: () => void this.toggleCamera(),
      toggleShare: () => void this.toggleShare(),
      ringBell: () => void this.ringBell(),
      newBoard: (kind) => void this.newBoard(kind),
      upload: (input) => void this.upload(input),
    });
    this.statePill = statePill;
    return element;
  }

  /** Redraws just the toolbar in place, so typing in the chat is not disturbed. */
  private renderToolbar(): void {
    const old = this.element.querySelector('.live-toolbar');
    if (old) old.replaceWith(this.toolbar());
    else this.render();
    this.refreshState();
  }

  /** Draws the room's panels from the state (again after a language change); the canvas stays. */
  render(): void {
    this.banner = h('div', { class: 'live-banner', role: 'status', hidden: true });
    this.element.replaceChildren(
      this.toolbar(),
      h('div', { class: 'live-body' },
        h('div', { class: 'live-stage' }, this.stageHost, this.minimap.canvas, this.videos, this.banner, this.voice.statusElement, h('div', { class: 'knock-notices' }),
          h('p', { class: 'live-hint' }, t('live.hint'))),
        h('aside', { class: 'live-side' }, this.peoplePanel.render(), this.chat.render())));
    this.minimap.canvas.setAttribute('aria-label', t('live.minimap'));
    this.minimap.canvas.title = t('live.minimap');
    this.drawVideos();
    this.refreshState();
    this.chat.scrollToEnd();
  }

  // --- diagnostics (./diagnostics, only in diagnostic builds)

  /** Loses the connection like a network drop; the room reconnects by itself. */
  dropConnection(): void {
    this.connection?.dropTransport();
  }

  /** People that are not really there, for the canvas benchmark: drawn and moved like real ones. */
  addBenchPeople(people: PersonState[]): void {
    for (const p of people) {
      this.state.people.set(p.email, p);
      this.stage.upsertPerson(p, false);
    }
    this.peoplePanel.draw();
  }
}

/** The longer side of a placed image in background px (functions/Live/Images/PlacedImages.cs MaxSide). */
const imageMaxSide = 240;

/** A picture's pixel size, read in the browser before uploading it (4 x 3 when it cannot be read). */
async function pictureSize(file: Blob): Promise<{ w: number; h: number }> {
  try {
    const bitmap = await createImageBitmap(file);
    const size = { w: bitmap.width || 4, h: bitmap.height || 3 };
    bitmap.close();
    return size;
  } catch {
    return { w: 4, h: 3 };
  }
}

/** A refused hub command as an ApiError of its code, so forms show it like any refused call. */
function asApiError(error: unknown): ApiError {
  return error instanceof ApiError ? error : new ApiError({ status: 0, code: hubErrorCode(error) });
}
