import { hasKey, t, type MessageKey } from '../../i18n';
import { h } from '../../ui/dom';
import { cssColor, statusColor, type MeetingRoom } from '../model';
import type { PersonState } from '../state';

export interface CardOptions {
  person: PersonState;
  self: boolean;
  meetingRooms: readonly MeetingRoom[];
  knock(): void;
  /** Filled in after the card is shown (L5: the member's schedule), or null for nothing more. */
  extra?: (card: HTMLElement) => void;
}

/**
 * The card of someone clicked on the canvas: name, status, where they are; knock from there.
 * It opens beside the avatar (below-right, or to the left/up near the stage's edges) and never over
 * the avatar's name, which is drawn under the disc.
 */
export function avatarCard(stage: HTMLElement, o: CardOptions, sx: number, sy: number, avoid: { x: number; y: number; width: number; height: number }): HTMLElement {
  stage.querySelector('.avatar-card')?.remove();
  const p = o.person;
  const statusText = hasKey(`live.status.${p.status}`) ? t(`live.status.${p.status}` as MessageKey) : p.status;
  const meetingRoom = o.meetingRooms.find((m) => m.id === p.meetingRoomId)?.name;
  const close = () => { card.remove(); document.removeEventListener('keydown', onKey); };
  const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') close(); };
  const card: HTMLElement = h('div', { class: 'avatar-card', role: 'dialog', 'aria-label': p.name || p.email, dataset: { email: p.email } },
    h('strong', { class: 'avatar-card-name' }, (p.name || p.email) + (o.self ? ` ${t('live.you')}` : '')),
    h('span', { class: 'avatar-card-email' }, p.email),
    h('span', { class: 'avatar-card-status' },
      h('span', { class: 'status-dot', style: `background:${cssColor(statusColor(p.status))}` }), statusText, meetingRoom ? ` · ${meetingRoom}` : ''),
    p.inZoomMeeting ? h('span', { class: 'zoom-badge' }, t('live.inZoomMeeting')) : null,
    h('div', { class: 'avatar-card-schedule', hidden: true }),
    h('div', { class: 'avatar-card-actions' },
      o.self ? null : h('button', { type: 'button', class: 'primary', onclick: () => { close(); o.knock(); } }, t('live.knock')),
      h('button', { type: 'button', class: 'secondary', onclick: close }, t('app.close'))));
  document.addEventListener('keydown', onKey);
  stage.appendChild(card);
  const place = () => placeCard(stage, card, sx, sy, avoid);
  place();
  o.extra?.(card);
  new ResizeObserver(place).observe(card);
  setTimeout(close, 30000);
  return card;
}

/** Right of the avatar and its name when there is room, else left of them; inside the stage vertically. */
function placeCard(stage: HTMLElement, card: HTMLElement, sx: number, sy: number, avoid: { x: number; y: number; width: number; height: number }): void {
  const room = stage.getBoundingClientRect();
  const gap = 10;
  let left = avoid.x + avoid.width + gap;
  if (left + card.offsetWidth > room.width) left = avoid.x - gap - card.offsetWidth;
  if (left < 0) left = Math.max(0, Math.min(room.width - card.offsetWidth, sx + gap));
  let top = Math.round(sy - card.offsetHeight / 2);
  top = Math.max(0, Math.min(room.height - card.offsetHeight, top));
  card.style.left = `${Math.round(left)}px`;
  card.style.top = `${Math.round(top)}px`;
}
