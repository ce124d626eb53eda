// The page's CSP has no 'unsafe-eval': PixiJS then needs its eval-free shader and uniform code.
import 'pixi.js/unsafe-eval';
import { Application, Color, Container, Graphics, GraphicsContext, Sprite, Text, TextStyle, Texture, Ticker } from 'pixi.js';
import { entryScale, initials, maximumScale, minimumScale, statusColor, type Board, type MeetingRoom, type PlacedImage, type Rect, type RoomSettings } from './model';

export interface View {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StageEvents {
  /** A click (not a drag) on the room at world coordinates. */
  click(x: number, y: number): void;
  /** A click on a sticky note or signboard. */
  board(board: Board): void;
  /** Whether one may drag this board (its author) or placed image (its author or a room admin). */
  canMove(item: { kind: string; author: string }): boolean;
  /** A board dragged to a new centre (world coordinates). */
  boardMoved(board: Board, x: number, y: number): void;
  /** A click on a placed image. */
  image(image: PlacedImage): void;
  /** A placed image dragged to a new centre. */
  imageMoved(image: PlacedImage, x: number, y: number): void;
  /** A click on someone's avatar, at screen coordinates. */
  avatar(email: string, screenX: number, screenY: number): void;
  /** The visible part of the room changed (pan, zoom, resize). */
  view(view: View): void;
}

interface Avatar {
  root: Container;
  disc: Sprite;
  badge: Graphics;
  label: Text;
  name: Text;
  status: string;
  fromX: number;
  fromY: number;
  toX: number;
  toY: number;
  start: number;
  self: boolean;
}

/** What a placed image shows: its picture, a placeholder while its pixels load, or that they could not be loaded. */
export type ImageLook = { kind: 'loading' } | { kind: 'loaded'; texture: Texture } | { kind: 'failed'; label: string };

/** Latin and Japanese faces for names drawn on the canvas (the system's first, then common Japanese ones). */
const labelFonts = "system-ui, 'Hiragino Sans', 'Yu Gothic UI', 'Noto Sans CJK JP', 'IPAPGothic', sans-serif";

/** The smallest on-screen size of a meeting room's name (px), at any zoom. */
const minNamePx = 15;

const avatarRadius = 22;
/** Positions come every server tick (~100 ms); an avatar glides to each over a bit more than one tick. */
const glideMs = 140;

function colorOf(css: string | undefined, fallback: number): { color: number; alpha: number } {
  if (!css) return { color: fallback, alpha: 1 };
  try {
    const c = new Color(css);
    return { color: c.toNumber(), alpha: c.alpha };
  } catch {
    return { color: fallback, alpha: 1 };
  }
}

function px(value: string | undefined, fallback: number): number {
  const n = value ? Number.parseFloat(value) : Number.NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/**
 * Whether WebGL would run in software (SwiftShader, llvmpipe: no GPU). There the canvas renderer
 * draws the same scene with far less CPU, so it goes first.
 */
function softwareWebGl(): boolean {
  try {
    const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
    if (!gl) return true;
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return /swiftshader|llvmpipe|software|basic render/i.test(renderer);
  } catch {
    return true;
  }
}

/** WebGL first, the canvas where WebGL would be software; `zawaroom.renderer` in local storage overrides (benchmarks). */
function rendererPreference(): ('webgl' | 'canvas')[] {
  const chosen = localStorage.getItem('zawaroom.renderer');
  if (chosen === 'webgl') return ['webgl', 'canvas'];
  if (chosen === 'canvas') return ['canvas', 'webgl'];
  return softwareWebGl() ? ['canvas', 'webgl'] : ['webgl', 'canvas'];
}

/**
 * The room on a PixiJS canvas (WebGL, canvas fallback): the background at the R6 scale rules,
 * the meeting rooms, boards and avatars. Avatars glide between server positions and are culled
 * when off screen, so a thousand stay smooth. Drag pans, wheel and pinch zoom within limits.
 *
 * Drawn on demand: a frame only when something changed (a person, a board, the camera, the size)
 * and for as long as an avatar glides; an idle room draws nothing and costs no CPU, which a laptop
 * on battery or a room of a thousand notices. Every change goes through `invalidate()`.
 */
export class Stage {
  readonly app = new Application();
  private readonly world = new Container();
  private readonly backgroundLayer = new Container();
  private readonly roomsLayer = new Container();
  private readonly boardsLayer = new Container();
  private readonly imagesLayer = new Container();
  private readonly images = new Map<string, { image: PlacedImage; root: Container; look: ImageLook['kind'] }>();
  private readonly reachLayer = new Graphics();
  private readonly avatarsLayer = new Container();
  private readonly avatars = new Map<string, Avatar>();
  private readonly boards = new Map<string, { board: Board; root: Container }>();
  private readonly discs = new Map<number, Texture>();
  private readonly labelStyle = new TextStyle({ fontSize: 15, fontWeight: '700', fill: 0xffffff, fontFamily: 'system-ui, sans-serif' });
  private readonly nameStyle = new TextStyle({ fontSize: 13, fill: 0x1f2733, fontFamily: 'system-ui, sans-serif', stroke: { color: 0xffffff, width: 3 } });
  private scale = 1;
  private minScale = 0.4;
  private maxScale = 2;
  /** The world point at the top-left of the screen. */
  private camX = 0;
  private camY = 0;
  private reach: { x: number; y: number; r: number } | null = null;
  private roomNames: { text: Text; fontSize: number; room: MeetingRoom }[] = [];
  private namesShown = true;
  private ready = false;
  private destroyed = false;
  rendererName = '';
  /** Frames drawn and avatars drawn in the last frame (for the benchmark). */
  frames = 0;
  /** Whether a change waits for its frame (false: everything so far is on the canvas; animations, such as a glide, may still run). */
  get drawing(): boolean {
    return !this.ready || this.changed;
  }
  private changed = true;
  drawnAvatars = 0;

  constructor(private readonly host: HTMLElement, private settings: RoomSettings, private readonly events: StageEvents) {}

  async init(): Promise<void> {
    await this.app.init({
      resizeTo: this.host,
      background: 0xe9edf3,
      antialias: true,
      autoDensity: true,
      resolution: Math.min(window.devicePixelRatio || 1, 2),
      preference: rendererPreference(),
    });
    if (this.destroyed) { this.app.destroy(true); return; }
    this.app.ticker.maxFPS = 60;
    this.rendererName = this.app.renderer.name;
    this.app.canvas.classList.add('room-canvas');
    this.app.canvas.setAttribute('data-renderer', this.rendererName);
    this.host.appendChild(this.app.canvas);
    this.avatarsLayer.sortableChildren = true;
    this.world.addChild(this.backgroundLayer, this.roomsLayer, this.imagesLayer, this.boardsLayer, this.reachLayer, this.avatarsLayer);
    this.app.stage.addChild(this.world);
    this.drawDefaultBackground();
    this.drawMeetingRooms();
    this.app.ticker.add(() => this.frame());
    this.app.renderer.on('resize', () => this.resized());
    // Pixi's system ticker (its texture GC, pointer-over checks for its own events, which the room
    // does not use) would ask for an animation frame forever: it runs while the room draws.
    Ticker.system.autoStart = false;
    this.bindInput();
    this.ready = true;
    this.resetScale();
  }

  /** Something on the canvas changed: draw the next frame (and more while avatars glide). */
  private invalidate(): void {
    if (!this.ready || this.destroyed) return;
    this.changed = true;
    this.app.ticker.start();
    Ticker.system.start();
  }

  destroy(): void {
    this.destroyed = true;
    if (this.ready) this.app.destroy(true, { children: true, texture: true });
  }

  get screen(): { width: number; height: number } {
    if (!this.ready) return { width: this.host.clientWidth || 1, height: this.host.clientHeight || 1 };
    return { width: this.app.screen.width, height: this.app.screen.height };
  }

  get currentScale(): number {
    return this.scale;
  }

  /** R6: the entry scale, centred on a point. */
  private resetScale(): void {
    const room = this.settings.background;
    this.minScale = minimumScale(this.settings.scale.minimum, this.screen, room);
    this.scale = entryScale(this.settings.scale, this.screen, room);
    this.entryScaleNow = this.scale;
    this.maxScale = maximumScale(this.scale);
    for (const { root } of [...this.boards.values(), ...this.images.values()]) root.scale.set(this.itemScale);
  }

  centreOn(x: number, y: number): void {
    this.camX = x - this.screen.width / this.scale / 2;
    this.camY = y - this.screen.height / this.scale / 2;
    this.applyCamera();
  }

  applySettings(settings: RoomSettings): void {
    this.invalidate();
    this.settings = settings;
    if (!this.ready) return;
    this.drawDefaultBackground();
    this.drawMeetingRooms();
    this.resetScale();
    this.applyCamera();
  }

  setBackground(texture: Texture): void {
    this.invalidate();
    this.backgroundLayer.removeChildren().forEach((c) => c.destroy());
    const sprite = new Sprite(texture);
    sprite.width = this.settings.background.width;
    sprite.height = this.settings.background.height;
    this.backgroundLayer.addChild(sprite);
  }

  /** The default background: a floor with a light grid, the room's size. */
  private drawDefaultBackground(): void {
    this.backgroundLayer.removeChildren().forEach((c) => c.destroy());
    const { width, height } = this.settings.background;
    const floor = new Graphics().rect(0, 0, width, height).fill(0xf7f4ee);
    for (let x = 0; x <= width; x += 100) floor.moveTo(x, 0).lineTo(x, height);
    for (let y = 0; y <= height; y += 100) floor.moveTo(0, y).lineTo(width, y);
    floor.stroke({ color: 0xe3ddd2, width: 1 });
    floor.rect(0, 0, width, height).stroke({ color: 0xb9b0a0, width: 4 });
    this.backgroundLayer.addChild(floor);
  }

  /** R7: each meeting room with its area style and name style. */
  private drawMeetingRooms(): void {
    this.roomsLayer.removeChildren().forEach((c) => c.destroy({ children: true }));
    this.roomNames = [];
    for (const m of this.settings.meetingRooms) this.roomsLayer.addChild(this.meetingRoom(m));
  }

  private meetingRoom(m: MeetingRoom): Container {
    const area = m.areaStyle ?? {};
    const fill = colorOf(area.background ?? area.backgroundColor, 0x2f6fde);
    const border = colorOf(area.borderColor, 0x2f6fde);
    const opacity = area.opacity ? Math.min(1, Math.max(0, Number.parseFloat(area.opacity))) : 1;
    const g = new Graphics()
      .roundRect(0, 0, m.width, m.height, px(area.borderRadius, 8))
      .fill({ color: fill.color, alpha: (area.background ?? area.backgroundColor) ? fill.alpha : 0.08 })
      .stroke({ color: border.color, alpha: border.alpha, width: px(area.borderWidth, 3) });
    const style = m.nameStyle ?? {};
    const fontSize = px(style.fontSize, 22);
    const name = new Text({
      text: m.name,
      style: new TextStyle({
        fontSize,
        fill: colorOf(style.color, 0x2459b5).color,
        fontWeight: (style.fontWeight as TextStyle['fontWeight']) ?? '700',
        fontStyle: style.fontStyle === 'italic' ? 'italic' : 'normal',
        fontFamily: style.fontFamily ? `${style.fontFamily}, ${labelFonts}` : labelFonts,
        // A light halo keeps the name readable over any floor.
        stroke: { color: 0xffffff, width: Math.max(3, fontSize / 7), join: 'round' },
      }),
      // Drawn at twice the screen density: the room zooms in to 200 %, where the name stays sharp.
      resolution: Math.min(window.devicePixelRatio || 1, 2) * 2,
    });
    name.position.set(10, 8);
    name.label = `meeting-room-name:${m.id}`;
    this.roomNames.push({ text: name, fontSize, room: m });
    const root = new Container();
    root.alpha = Number.isFinite(opacity) ? opacity : 1;
    root.position.set(m.x, m.y);
    root.addChild(g, name);
    root.label = `meeting-room:${m.id}`;
    return root;
  }

  /**
   * Meeting-room names keep at least `minNamePx` on screen: zoomed out to the whole office, a 22 px name
   * would be a few pixels high. They grow with the zoom as drawn, and are enlarged below that, within
   * their room's width (a long name in a small room stays as large as the room allows).
   */
  private scaleRoomNames(): void {
    for (const { text, fontSize, room } of this.roomNames) {
      const wanted = minNamePx / (fontSize * this.scale);
      const fits = (room.width - 20) / Math.max(1, text.width / text.scale.x);
      const k = Math.max(1, Math.min(wanted, fits, 6));
      if (Math.abs(text.scale.x - k) > 0.01) text.scale.set(k);
    }
  }

  /** Each meeting room's name on screen, for the browser tests: its text and height in page px. */
  roomNameSizes(): { id: string; name: string; screenPx: number }[] {
    return this.roomNames.map(({ text, fontSize, room }) => ({ id: room.id, name: room.name, screenPx: fontSize * text.scale.y * this.scale }));
  }

  // --- avatars

  /**
   * The avatar's disc in a status colour, drawn once per colour into a texture (at twice the size,
   * sharp when zoomed in): a sprite is the cheapest thing to draw a thousand times, in WebGL and canvas alike.
   */
  private disc(color: number): Texture {
    let texture = this.discs.get(color);
    if (!texture) {
      const size = (avatarRadius + 4) * 2 * 2;
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = size;
      const g = canvas.getContext('2d')!;
      g.fillStyle = '#ffffff';
      g.beginPath();
      g.arc(size / 2, size / 2, size / 2, 0, Math.PI * 2);
      g.fill();
      g.fillStyle = `#${color.toString(16).padStart(6, '0')}`;
      g.beginPath();
      g.arc(size / 2, size / 2, avatarRadius * 2, 0, Math.PI * 2);
      g.fill();
      texture = Texture.from(canvas);
      this.discs.set(color, texture);
    }
    return texture;
  }

  private static zoomBadge = new GraphicsContext()
    .roundRect(-14, -10, 28, 20, 6).fill(0x2d8cff).stroke({ color: 0xffffff, width: 2 })
    .rect(-9, -5, 12, 10).fill(0xffffff)
    .poly([4, -2, 10, -6, 10, 6, 4, 2]).fill(0xffffff);

  upsertPerson(p: { email: string; name: string; x: number; y: number; status: string; inZoomMeeting?: boolean }, self: boolean): void {
    this.invalidate();
    let a = this.avatars.get(p.email);
    if (!a) {
      const root = new Container();
      root.label = `avatar:${p.email}`;
      const disc = new Sprite(this.disc(statusColor(p.status)));
      disc.anchor.set(0.5);
      disc.scale.set(0.5);
      const label = new Text({ text: initials(p.name, p.email), style: this.labelStyle });
      label.anchor.set(0.5);
      const name = new Text({ text: p.name || p.email, style: this.nameStyle });
      name.anchor.set(0.5, 0);
      name.position.set(0, avatarRadius + 6);
      name.visible = this.namesShown || self;
      const badge = new Graphics(Stage.zoomBadge);
      badge.position.set(avatarRadius, -avatarRadius);
      badge.visible = false;
      root.addChild(disc, label, name, badge);
      if (self) {
        root.zIndex = 1; // one's own avatar above the others
        const ring = new Graphics().circle(0, 0, avatarRadius + 7).stroke({ color: 0x2f6fde, width: 3 });
        root.addChildAt(ring, 0);
      }
      root.position.set(p.x, p.y);
      a = { root, disc, badge, label, name, status: p.status, fromX: p.x, fromY: p.y, toX: p.x, toY: p.y, start: 0, self };
      this.avatars.set(p.email, a);
      this.avatarsLayer.addChild(root);
    } else {
      this.moveTo(p.email, p.x, p.y);
    }
    this.setStatus(p.email, p.status);
    this.setZoom(p.email, p.inZoomMeeting ?? false);
  }

  removePerson(email: string): void {
    this.invalidate();
    const a = this.avatars.get(email);
    if (!a) return;
    this.avatars.delete(email);
    a.root.destroy({ children: true });
  }

  clearPeople(except?: string): void {
    for (const email of [...this.avatars.keys()]) if (email !== except) this.removePerson(email);
  }

  /** A new server position: the avatar glides there from where it is drawn now. */
  moveTo(email: string, x: number, y: number): void {
    this.invalidate();
    const a = this.avatars.get(email);
    if (!a) return;
    if (a.self) { a.root.position.set(x, y); a.toX = a.fromX = x; a.toY = a.fromY = y; return; }
    a.fromX = a.root.x;
    a.fromY = a.root.y;
    a.toX = x;
    a.toY = y;
    a.start = performance.now();
  }

  setStatus(email: string, status: string): void {
    this.invalidate();
    const a = this.avatars.get(email);
    if (!a || a.status === status) return;
    a.status = status;
    a.disc.texture = this.disc(statusColor(status));
  }

  setZoom(email: string, inZoomMeeting: boolean): void {
    this.invalidate();
    const a = this.avatars.get(email);
    if (a) a.badge.visible = inZoomMeeting;
  }

  /** The voice-reach circle around one's own avatar. */
  setReach(reach: { x: number; y: number; r: number } | null): void {
    this.invalidate();
    this.reach = reach;
    this.reachLayer.clear();
    if (reach) this.reachLayer.circle(reach.x, reach.y, reach.r).fill({ color: 0x2f6fde, alpha: 0.05 }).stroke({ color: 0x2f6fde, alpha: 0.35, width: 2 });
  }

  /** The avatar under a world point (the nearest one drawn there), or null. */
  private avatarAt(x: number, y: number): string | null {
    let best: string | null = null;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const [email, a] of this.avatars) {
      if (!a.root.visible) continue;
      const distance = Math.hypot(a.root.x - x, a.root.y - y);
      if (distance <= (avatarRadius + 4) * a.root.scale.x && distance < bestDistance) { best = email; bestDistance = distance; }
    }
    return best;
  }

  /** Where an avatar and its name are drawn on screen (px from the canvas's top-left), so a card can keep clear of them. */
  avatarBox(email: string): { x: number; y: number; width: number; height: number } | null {
    const a = this.avatars.get(email);
    if (!a) return null;
    const s = a.root.scale.x * this.scale;
    const cx = (a.root.x - this.camX) * this.scale;
    const cy = (a.root.y - this.camY) * this.scale;
    const half = Math.max(avatarRadius + 7, a.name.visible ? a.name.width / 2 : 0) * s;
    const top = cy - (avatarRadius + 7) * s;
    const bottom = cy + (avatarRadius + 6 + (a.name.visible ? a.name.height : 0)) * s;
    return { x: cx - half, y: top, width: half * 2, height: bottom - top };
  }

  /** The people whose avatars are on screen (drawn, not culled). */
  visibleAvatars(): string[] {
    return [...this.avatars].filter(([, a]) => a.root.visible && !a.root.destroyed).map(([email]) => email);
  }

  // --- boards

  upsertBoard(board: Board): void {
    this.invalidate();
    this.boards.get(board.id)?.root.destroy({ children: true });
    const sticky = board.kind === 'sticky';
    const width = sticky ? 160 : 240;
    const text = new Text({
      text: board.text || ' ',
      style: new TextStyle({ fontSize: sticky ? 15 : 18, fill: sticky ? 0x3a3000 : 0xffffff, wordWrap: true, wordWrapWidth: width - 20, breakWords: true, fontWeight: sticky ? '400' : '700', fontFamily: 'system-ui, sans-serif' }),
    });
    text.position.set(10, 10);
    const height = Math.max(sticky ? 120 : 64, Math.min(400, text.height + 20));
    if (text.height > height - 20) text.mask = new Graphics().rect(10, 10, width - 20, height - 20).fill(0xffffff);
    const g = new Graphics();
    if (sticky) g.rect(4, 4, width, height).fill({ color: 0x000000, alpha: 0.12 }).rect(0, 0, width, height).fill(0xfff3a3).stroke({ color: 0xe0cf5a, width: 1 });
    else g.rect(width / 2 - 4, height, 8, 36).fill(0x7a5a3a).roundRect(0, 0, width, height, 6).fill(0x2f5d50).stroke({ color: 0x7a5a3a, width: 6 });
    const root = new Container();
    root.addChild(g, text);
    if (text.mask) root.addChild(text.mask as Graphics);
    // Scaled about its centre (readable when zoomed out, like avatars): the pivot is the board's point.
    root.pivot.set(width / 2, height / 2);
    root.position.set(board.x, board.y);
    root.scale.set(this.itemScale);
    root.label = `board:${board.id}`;
    this.boardsLayer.addChild(root);
    this.boards.set(board.id, { board, root });
  }

  clearBoards(): void {
    this.invalidate();
    for (const { root } of this.boards.values()) root.destroy({ children: true });
    this.boards.clear();
  }

  private boardAt(x: number, y: number): Board | null {
    for (const { board, root } of [...this.boards.values()].reverse()) {
      const b = root.getLocalBounds();
      const s = root.scale.x;
      const left = root.x + (b.x - root.pivot.x) * s;
      const top = root.y + (b.y - root.pivot.y) * s;
      if (x >= left && x <= left + b.width * s && y >= top && y <= top + b.height * s) return board;
    }
    return null;
  }

  /** A board's drawn rectangle in the room (world px), for placing the next one clear of it. */
  boardRect(id: string): { x: number; y: number; width: number; height: number } | null {
    const item = this.boards.get(id);
    if (!item) return null;
    const b = item.root.getLocalBounds();
    const s = item.root.scale.x;
    return { x: item.root.x + (b.x - item.root.pivot.x) * s, y: item.root.y + (b.y - item.root.pivot.y) * s, width: b.width * s, height: b.height * s };
  }

  /**
   * How much boards and images are enlarged: at the entry scale (zoomed out to see the office) their
   * text would be a few pixels high, so they grow like avatars do, up to 2.25 times.
   */
  get itemScale(): number {
    return Math.min(2.25, Math.max(1, 0.9 / this.entryScaleNow));
  }

  private entryScaleNow = 1;

  private moveBoardTo(id: string, x: number, y: number): void {
    this.invalidate();
    const item = this.boards.get(id) ?? this.images.get(id);
    if (item) item.root.position.set(x, y);
  }

  // --- placed images (R2)

  /**
   * A placed image where it lies. Its look is given when its pixels arrive or fail; without one an
   * image already drawn only moves (it keeps its picture), and a new one shows the loading look.
   */
  upsertImage(image: PlacedImage, look?: ImageLook): void {
    this.invalidate();
    const old = this.images.get(image.id);
    if (old && !look) {
      old.image = image;
      old.root.position.set(image.x, image.y);
      return;
    }
    old?.root.destroy({ children: true });
    const shown = look ?? { kind: 'loading' };
    const root = this.imageLook(image, shown);
    root.pivot.set(image.width / 2, image.height / 2);
    root.position.set(image.x, image.y);
    root.scale.set(this.itemScale);
    root.label = `image:${image.id}`;
    this.imagesLayer.addChild(root);
    this.images.set(image.id, { image, root, look: shown.kind });
  }

  /**
   * Loaded: a white-framed picture with a shadow, like a print pinned to the floor. Loading: a faint
   * card of the picture's size with a picture glyph that breathes (no frame yet, so nothing looks
   * empty). Failed: the same card in a warm tint with a broken-picture glyph and a short reason.
   */
  private imageLook(image: PlacedImage, look: ImageLook): Container {
    const { width, height } = image;
    const root = new Container();
    if (look.kind === 'loaded') {
      root.addChild(new Graphics()
        .rect(6, 8, width + 12, height + 12).fill({ color: 0x000000, alpha: 0.18 })
        .rect(-6, -6, width + 12, height + 12).fill(0xffffff).stroke({ color: 0xd0d5dd, width: 1 }));
      const sprite = new Sprite(look.texture);
      sprite.width = width;
      sprite.height = height;
      root.addChild(sprite);
      return root;
    }
    const failed = look.kind === 'failed';
    const card = new Graphics()
      .roundRect(0, 0, width, height, 10)
      .fill({ color: failed ? 0xfdf3f1 : 0xffffff, alpha: failed ? 0.92 : 0.62 })
      .stroke({ color: failed ? 0xd99a8c : 0xc3cad5, alpha: 0.9, width: 2 });
    root.addChild(card);
    // The glyph: a landscape with a sun in a rounded frame (and a crack through it when it failed).
    const side = Math.max(18, Math.min(56, Math.min(width, height) * 0.32));
    const glyphColor = failed ? 0xb5563f : 0x9aa4b2;
    const gx = width / 2 - side / 2;
    const gy = (failed ? height * 0.42 : height / 2) - side * 0.4;
    const glyph = new Graphics()
      .roundRect(gx, gy, side, side * 0.8, side * 0.12).stroke({ color: glyphColor, width: Math.max(2, side / 16) })
      .circle(gx + side * 0.7, gy + side * 0.25, side * 0.09).fill(glyphColor)
      .poly([gx + side * 0.12, gy + side * 0.68, gx + side * 0.4, gy + side * 0.36, gx + side * 0.62, gy + side * 0.68]).fill(glyphColor);
    if (failed) glyph.moveTo(gx - side * 0.1, gy + side * 0.9).lineTo(gx + side * 1.1, gy - side * 0.1).stroke({ color: glyphColor, width: Math.max(2.5, side / 12) });
    glyph.label = failed ? 'image-failed' : 'image-loading';
    root.addChild(glyph);
    if (failed && height >= 60) {
      const reason = new Text({
        text: look.label,
        style: new TextStyle({ fontSize: 16, fill: 0x8a3b2a, fontFamily: labelFonts, align: 'center', wordWrap: true, wordWrapWidth: width - 16, breakWords: true }),
      });
      reason.anchor.set(0.5, 0);
      reason.position.set(width / 2, gy + side * 0.8 + 8);
      root.addChild(reason);
    }
    return root;
  }

  hasImage(id: string): boolean {
    return this.images.has(id);
  }

  /** What each placed image shows now (loading, loaded, failed), for the browser tests. */
  imageLooks(): Record<string, ImageLook['kind']> {
    return Object.fromEntries([...this.images].map(([id, { look }]) => [id, look]));
  }

  removeImage(id: string): void {
    this.invalidate();
    this.images.get(id)?.root.destroy({ children: true });
    this.images.delete(id);
  }

  clearImages(): void {
    this.invalidate();
    for (const { root } of this.images.values()) root.destroy({ children: true });
    this.images.clear();
  }

  private imageAt(x: number, y: number): PlacedImage | null {
    for (const { image, root } of [...this.images.values()].reverse()) {
      const s = root.scale.x;
      if (Math.abs(x - root.x) <= (image.width / 2 + 6) * s && Math.abs(y - root.y) <= (image.height / 2 + 6) * s) return image;
    }
    return null;
  }

  /** Where the placed images are drawn (world px), for placing the next item clear of them. */
  imageRects(): Rect[] {
    return [...this.images.values()].map(({ image, root }) => {
      const s = root.scale.x;
      return { x: root.x - (image.width / 2 + 6) * s, y: root.y - (image.height / 2 + 6) * s, width: (image.width + 12) * s, height: (image.height + 12) * s };
    });
  }

  /** The placed images drawn now, for the browser tests (diagnostics). */
  drawnImages(): string[] {
    return [...this.images.keys()];
  }

  // --- camera

  toWorld(sx: number, sy: number): { x: number; y: number } {
    return { x: this.camX + sx / this.scale, y: this.camY + sy / this.scale };
  }

  get view(): View {
    return { x: this.camX, y: this.camY, width: this.screen.width / this.scale, height: this.screen.height / this.scale };
  }

  /** Keeps a point (one's own avatar) inside the middle of the screen, panning when it nears an edge. */
  keepInView(x: number, y: number): void {
    const v = this.view;
    const marginX = v.width * 0.2;
    const marginY = v.height * 0.2;
    let dx = 0;
    let dy = 0;
    if (x < v.x + marginX) dx = x - (v.x + marginX);
    else if (x > v.x + v.width - marginX) dx = x - (v.x + v.width - marginX);
    if (y < v.y + marginY) dy = y - (v.y + marginY);
    else if (y > v.y + v.height - marginY) dy = y - (v.y + v.height - marginY);
    if (dx !== 0 || dy !== 0) {
      this.camX += dx;
      this.camY += dy;
      this.applyCamera();
    }
  }

  panTo(x: number, y: number): void {
    this.centreOn(x, y);
  }

  zoomAt(factor: number, sx: number, sy: number): void {
    const before = this.toWorld(sx, sy);
    this.scale = Math.min(this.maxScale, Math.max(this.minScale, this.scale * factor));
    this.camX = before.x - sx / this.scale;
    this.camY = before.y - sy / this.scale;
    this.applyCamera();
  }

  private resized(): void {
    if (!this.ready) return;
    const centre = { x: this.camX + this.view.width / 2, y: this.camY + this.view.height / 2 };
    this.minScale = minimumScale(this.settings.scale.minimum, this.screen, this.settings.background);
    this.scale = Math.max(this.minScale, this.scale);
    this.camX = centre.x - this.view.width / 2;
    this.camY = centre.y - this.view.height / 2;
    this.applyCamera();
  }

  /** Clamps the camera to the room (centred when the room is smaller than the screen) and tells the view. */
  private applyCamera(): void {
    this.invalidate();
    if (!this.ready) return;
    const { width, height } = this.settings.background;
    const v = this.view;
    this.camX = v.width >= width ? (width - v.width) / 2 : Math.min(Math.max(this.camX, 0), width - v.width);
    this.camY = v.height >= height ? (height - v.height) / 2 : Math.min(Math.max(this.camY, 0), height - v.height);
    this.world.scale.set(this.scale);
    this.world.position.set(-this.camX * this.scale, -this.camY * this.scale);
    this.scaleRoomNames();
    this.events.view(this.view);
  }

  private bindInput(): void {
    const canvas = this.app.canvas;
    canvas.style.touchAction = 'none';
    const pointers = new Map<number, { x: number; y: number }>();
    type Drag = { kind: 'board'; item: Board } | { kind: 'image'; item: PlacedImage };
    let press: { x: number; y: number; panned: boolean; drag: Drag | null; grab: { x: number; y: number } } | null = null;
    let pinch: { distance: number } | null = null;
    const local = (e: PointerEvent | WheelEvent) => {
      const r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    canvas.addEventListener('pointerdown', (e) => {
      canvas.setPointerCapture(e.pointerId);
      const p = local(e);
      pointers.set(e.pointerId, p);
      if (pointers.size === 1) {
        // A board one may move is dragged instead of panning the room.
        const w = this.toWorld(p.x, p.y);
        const board = this.avatarAt(w.x, w.y) ? null : this.boardAt(w.x, w.y);
        const image = this.avatarAt(w.x, w.y) || board ? null : this.imageAt(w.x, w.y);
        const drag: Drag | null = board && this.events.canMove({ kind: 'board', author: board.author }) ? { kind: 'board', item: board }
          : image && this.events.canMove({ kind: 'image', author: image.author }) ? { kind: 'image', item: image } : null;
        press = { ...p, panned: false, drag, grab: drag ? { x: w.x - drag.item.x, y: w.y - drag.item.y } : { x: 0, y: 0 } };
      }
      else { press = null; pinch = { distance: pinchDistance() }; }
    });
    const pinchDistance = () => {
      const [a, b] = [...pointers.values()];
      return a && b ? Math.hypot(a.x - b.x, a.y - b.y) : 0;
    };
    canvas.addEventListener('pointermove', (e) => {
      const last = pointers.get(e.pointerId);
      if (!last) return;
      const p = local(e);
      pointers.set(e.pointerId, p);
      if (pointers.size >= 2 && pinch) {
        const [a, b] = [...pointers.values()];
        const distance = pinchDistance();
        if (pinch.distance > 0 && distance > 0) this.zoomAt(distance / pinch.distance, (a.x + b.x) / 2, (a.y + b.y) / 2);
        pinch.distance = distance;
        return;
      }
      if (!press) return;
      if (!press.panned && Math.hypot(p.x - press.x, p.y - press.y) < 6) return;
      press.panned = true;
      if (press.drag) {
        const w = this.toWorld(p.x, p.y);
        canvas.classList.add('dragging');
        this.moveBoardTo(press.drag.item.id, w.x - press.grab.x, w.y - press.grab.y);
        return;
      }
      canvas.classList.add('panning');
      this.camX -= (p.x - last.x) / this.scale;
      this.camY -= (p.y - last.y) / this.scale;
      this.applyCamera();
    });
    const end = (e: PointerEvent) => {
      if (!pointers.delete(e.pointerId)) return;
      canvas.classList.remove('panning', 'dragging');
      if (pointers.size < 2) pinch = null;
      if (e.type === 'pointerup' && press?.drag && press.panned && pointers.size === 0) {
        const w = this.toWorld(local(e).x, local(e).y);
        const { width, height } = this.settings.background;
        const x = Math.round(Math.min(width, Math.max(0, w.x - press.grab.x)));
        const y = Math.round(Math.min(height, Math.max(0, w.y - press.grab.y)));
        if (press.drag.kind === 'board') this.events.boardMoved(press.drag.item, x, y);
        else this.events.imageMoved(press.drag.item, x, y);
      } else if (e.type !== 'pointerup' && press?.drag) this.moveBoardTo(press.drag.item.id, press.drag.item.x, press.drag.item.y);
      if (e.type === 'pointerup' && press && !press.panned && pointers.size === 0) {
        const w = this.toWorld(press.x, press.y);
        const avatar = this.avatarAt(w.x, w.y);
        const board = avatar ? null : this.boardAt(w.x, w.y);
        const image = avatar || board ? null : this.imageAt(w.x, w.y);
        if (avatar) this.events.avatar(avatar, press.x, press.y);
        else if (board) this.events.board(board);
        else if (image) this.events.image(image);
        else this.events.click(w.x, w.y);
      }
      if (pointers.size === 0) press = null;
    };
    canvas.addEventListener('pointerup', end);
    canvas.addEventListener('pointercancel', end);
    canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      const p = local(e);
      this.zoomAt(Math.exp(-e.deltaY * 0.0015), p.x, p.y);
    }, { passive: false });
  }

  // --- each frame

  private frame(): void {
    const now = performance.now();
    const v = this.view;
    const pad = 80;
    let drawn = 0;
    let gliding = false;
    // Avatars keep a readable size on screen when the room is zoomed out.
    const avatarScale = Math.min(2.5, Math.max(1, 0.9 / this.scale));
    for (const a of this.avatars.values()) {
      if (!a.self && a.start > 0) {
        const t = Math.min(1, (now - a.start) / glideMs);
        a.root.position.set(a.fromX + (a.toX - a.fromX) * t, a.fromY + (a.toY - a.fromY) * t);
        if (t >= 1) a.start = 0;
        else gliding = true;
      }
      // Culling: avatars off screen are not drawn.
      const visible = a.root.x > v.x - pad && a.root.x < v.x + v.width + pad && a.root.y > v.y - pad && a.root.y < v.y + v.height + pad;
      a.root.visible = visible;
      if (visible) drawn++;
      if (a.root.scale.x !== avatarScale) a.root.scale.set(avatarScale);
    }
    // Names only while the screen is not crowded (or for oneself): a crowd of labels is unreadable and costly.
    const names = drawn <= 150;
    if (names !== this.namesShown) {
      this.namesShown = names;
      for (const a of this.avatars.values()) a.name.visible = names || a.self;
    }
    this.drawnAvatars = drawn;
    // A loading image's glyph breathes, so a placeholder reads as "on its way", not as an empty frame.
    let breathing = false;
    for (const { root, look } of this.images.values())
      if (look === 'loading') { root.children[1].alpha = 0.55 + 0.35 * Math.sin(now / 380); breathing = true; }
    this.frames++;
    this.changed = false; // drawn right after this listener, in the same tick
    if (this.reach) this.reachLayer.visible = true;
    // Nothing glides or breathes: this frame (drawn after this listener) is the last until something changes.
    if (!gliding && !breathing) {
      this.app.ticker.stop();
      Ticker.system.stop();
    }
  }
}
