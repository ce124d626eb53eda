import type { MeetingRoom } from '../api/settings';
import { h } from '../ui/dom';
import { t } from '../i18n';

/** The smallest meeting room the editor makes by dragging, in background pixels. */
export const minSide = 40;
/** A meeting room added by the button or a double-click, in background pixels. */
export const newSize = { width: 400, height: 300 };

export type Edge = 'n' | 's' | 'e' | 'w' | 'ne' | 'nw' | 'se' | 'sw';

export interface Rect { x: number; y: number; width: number; height: number }

/**
 * Where a meeting room ends up after a drag, in background pixels: moved by (dx, dy) as a whole
 * (edge null), or one edge/corner moved; always inside the background and at least minSide wide.
 */
export function dragRect(start: Rect, edge: Edge | null, dx: number, dy: number, width: number, height: number): Rect {
  if (edge === null) {
    return {
      ...start,
      x: Math.round(clamp(start.x + dx, 0, width - start.width)),
      y: Math.round(clamp(start.y + dy, 0, height - start.height)),
    };
  }
  let left = start.x, top = start.y, right = start.x + start.width, bottom = start.y + start.height;
  if (edge.includes('w')) left = clamp(left + dx, 0, right - minSide);
  if (edge.includes('e')) right = clamp(right + dx, left + minSide, width);
  if (edge.includes('n')) top = clamp(top + dy, 0, bottom - minSide);
  if (edge.includes('s')) bottom = clamp(bottom + dy, top + minSide, height);
  left = Math.round(left); top = Math.round(top);
  return { x: left, y: top, width: Math.round(right) - left, height: Math.round(bottom) - top };
}

/** A new meeting room centred on a point (a double-click), moved inside the background. */
export function rectAt(cx: number, cy: number, width: number, height: number): Rect {
  const w = Math.min(newSize.width, width), hgt = Math.min(newSize.height, height);
  return { x: Math.round(clamp(cx - w / 2, 0, width - w)), y: Math.round(clamp(cy - hgt / 2, 0, height - hgt)), width: w, height: hgt };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), Math.max(min, max));
}

/** R8: where people appear on entry: the centre of "ゲストエリア", else of the first meeting room, else of the background. */
export function entryPoint(rooms: (Rect & { name?: string })[], width: number, height: number): { x: number; y: number } {
  const guest = rooms.find((r) => r.name === 'ゲストエリア') ?? rooms[0];
  return guest ? { x: guest.x + guest.width / 2, y: guest.y + guest.height / 2 } : { x: width / 2, y: height / 2 };
}

/** Applies a whitelisted style object (the server checked it) to an element, property by property. */
export function applyStyle(element: HTMLElement, style: Record<string, string>): void {
  for (const [name, value] of Object.entries(style)) {
    const property = name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    const text = /^-?\d+(\.\d+)?$/.test(value) && /size|width|height|radius|top|left|right|bottom/i.test(name) ? `${value}px` : value;
    element.style.setProperty(property, text);
  }
}

export interface EditorOptions {
  width: number;
  height: number;
  /** An object URL of the uploaded background, or null for the default one. */
  background: string | null;
  rooms: MeetingRoom[];
  /** Called after every change of the list (move, resize, add). */
  changed(): void;
  /** The pencil of one meeting room. */
  edit(index: number): void;
  /** Width of the editor on screen, in CSS pixels. */
  viewWidth: number;
}

/**
 * R7: the meeting rooms drawn over the background. Drag a room to move it, drag a handle to resize
 * it, double-click the background to add one there. The one being changed has a red frame.
 */
export class MeetingRoomEditor {
  readonly element: HTMLElement;
  readonly scale: number;
  selected = -1;

  constructor(private readonly options: EditorOptions) {
    this.scale = options.viewWidth / options.width;
    this.element = h('div', {
      class: `layout-canvas${options.background ? '' : ' default-background'}`,
      'data-testid': 'layout-canvas',
      dataset: { scale: String(this.scale), width: String(options.width), height: String(options.height) },
      style: `width:${Math.round(options.width * this.scale)}px;height:${Math.round(options.height * this.scale)}px;`
        + (options.background ? `background-image:url("${options.background}");` : ''),
      title: t('layout.canvasHint'),
    });
    this.element.addEventListener('dblclick', (event) => this.addAt(event));
    this.draw();
  }

  draw(): void {
    this.element.replaceChildren(...this.options.rooms.map((room, index) => this.area(room, index)), this.entryMarker());
  }

  private entryMarker(): HTMLElement {
    const p = entryPoint(this.options.rooms, this.options.width, this.options.height);
    return h('span', { class: 'entry-marker', title: t('layout.entryPoint'), 'aria-label': t('layout.entryPoint'), style: `left:${p.x * this.scale}px;top:${p.y * this.scale}px;` });
  }

  /** Adds a meeting room at the top-left ("会議室の追加") or at a point; it goes to the bottom of the list. */
  add(rect: Rect): void {
    const rooms = this.options.rooms;
    const taken = new Set(rooms.map((r) => r.name));
    let n = rooms.length + 1;
    while (taken.has(t('layout.newRoomName', { n }))) n++;
    rooms.push({ ...rect, name: t('layout.newRoomName', { n }), nameStyle: {}, areaStyle: {}, audioMode: 'whole-room', bgm: null, bgmVolume: 'normal' });
    this.selected = rooms.length - 1;
    this.draw();
    this.options.changed();
  }

  private addAt(event: MouseEvent): void {
    if (event.target !== this.element) return;
    const box = this.element.getBoundingClientRect();
    const x = (event.clientX - box.left) / this.scale, y = (event.clientY - box.top) / this.scale;
    this.add(rectAt(x, y, this.options.width, this.options.height));
  }

  private area(room: MeetingRoom, index: number): HTMLElement {
    const s = this.scale;
    const label = h('span', { class: 'mr-name' }, room.name);
    applyStyle(label, room.nameStyle);
    const area = h('div', {
      class: `mr-area${index === this.selected ? ' selected' : ''}`,
      dataset: { index: String(index), id: room.id ?? '', name: room.name, x: String(room.x), y: String(room.y), w: String(room.width), h: String(room.height) },
      'aria-label': room.name,
      style: `left:${room.x * s}px;top:${room.y * s}px;width:${room.width * s}px;height:${room.height * s}px;`,
    });
    applyStyle(area, room.areaStyle);
    const pencil = h('button', {
      type: 'button', class: 'mr-pencil', title: t('layout.editRoom', { name: room.name }), 'aria-label': t('layout.editRoom', { name: room.name }),
      onclick: (event: Event) => { event.stopPropagation(); this.options.edit(index); },
    }, '✎');
    pencil.addEventListener('pointerdown', (event) => event.stopPropagation());
    area.append(label, pencil, ...(['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw'] as Edge[]).map((edge) =>
      h('span', { class: `mr-handle mr-${edge}`, dataset: { edge } })));
    area.addEventListener('pointerdown', (event) => this.startDrag(event, area, index));
    area.addEventListener('dblclick', (event) => event.stopPropagation());
    return area;
  }

  private startDrag(event: PointerEvent, area: HTMLElement, index: number): void {
    if (event.button !== 0) return;
    event.preventDefault();
    const edge = ((event.target as HTMLElement).dataset.edge ?? null) as Edge | null;
    const room = this.options.rooms[index];
    const start: Rect = { x: room.x, y: room.y, width: room.width, height: room.height };
    const from = { x: event.clientX, y: event.clientY };
    this.selected = index;
    for (const other of this.element.querySelectorAll('.mr-area.selected')) other.classList.remove('selected');
    area.classList.add('selected', 'dragging');
    area.setPointerCapture(event.pointerId);
    let moved = false;
    const move = (e: PointerEvent) => {
      const next = dragRect(start, edge, (e.clientX - from.x) / this.scale, (e.clientY - from.y) / this.scale, this.options.width, this.options.height);
      moved = moved || next.x !== start.x || next.y !== start.y || next.width !== start.width || next.height !== start.height;
      Object.assign(room, next);
      const s = this.scale;
      area.style.left = `${next.x * s}px`;
      area.style.top = `${next.y * s}px`;
      area.style.width = `${next.width * s}px`;
      area.style.height = `${next.height * s}px`;
      Object.assign(area.dataset, { x: String(next.x), y: String(next.y), w: String(next.width), h: String(next.height) });
    };
    const end = () => {
      area.removeEventListener('pointermove', move);
      area.removeEventListener('pointerup', end);
      area.removeEventListener('pointercancel', end);
      area.classList.remove('dragging');
      if (moved) {
        this.element.querySelector('.entry-marker')?.replaceWith(this.entryMarker());
        this.options.changed();
      }
    };
    area.addEventListener('pointermove', move);
    area.addEventListener('pointerup', end);
    area.addEventListener('pointercancel', end);
  }
}
