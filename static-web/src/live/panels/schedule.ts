import type { Api } from '../../api/client';
import { errorMessage, t } from '../../i18n';
import { h } from '../../ui/dom';
import { notify } from '../../ui/notice';

/** L5: a member's current and next entry as the server shows them to people in the same room. */
export interface SchedulePeek {
  email: string;
  visibility: 'titles' | 'busy';
  current: Slot | null;
  next: Slot | null;
}

interface Slot {
  start: string;
  end: string;
  allDay: boolean;
  title: string | null;
  joinUrl: string | null;
}

const enc = encodeURIComponent;

function when(slot: Slot): string {
  if (slot.allDay) return t('live.scheduleAllDay');
  const start = new Date(slot.start);
  const end = new Date(slot.end);
  const time = (d: Date) => d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  const today = new Date().toDateString() === start.toDateString();
  const day = today ? '' : `${start.toLocaleDateString([], { month: 'numeric', day: 'numeric', weekday: 'short' })} `;
  return `${day}${time(start)}–${time(end)}`;
}

function slotRow(label: string, slot: Slot | null, kind: string): HTMLElement {
  return h('div', { class: `schedule-slot ${kind}`, dataset: { slot: kind } },
    h('span', { class: 'schedule-label' }, label),
    slot
      ? h('span', { class: 'schedule-body' },
        h('time', { class: 'schedule-time', datetime: slot.start }, when(slot)),
        h('span', { class: 'schedule-title' }, slot.title ?? t('live.scheduleBusy')),
        slot.joinUrl ? h('a', { class: 'schedule-join', href: slot.joinUrl, target: '_blank', rel: 'noopener noreferrer' }, t('live.scheduleJoin')) : null)
      : h('span', { class: 'schedule-body muted' }, t('live.scheduleNone')));
}

/**
 * Fills the avatar card's schedule part: now and next (time, title or "予定あり", the Zoom link).
 * On one's own card, also the choice of how others see one's schedule.
 */
export async function fillSchedule(card: HTMLElement, api: Api, roomId: string, email: string, self: boolean): Promise<void> {
  const host = card.querySelector<HTMLElement>('.avatar-card-schedule');
  if (!host) return;
  let peek: SchedulePeek;
  try {
    peek = await api.get<SchedulePeek>(`/rooms/${enc(roomId)}/people/${enc(email)}/schedule`);
  } catch {
    return; // The card stays as it was (no schedule part).
  }
  host.replaceChildren(slotRow(t('live.scheduleNow'), peek.current, 'current'), slotRow(t('live.scheduleNext'), peek.next, 'next'));
  if (self) host.append(visibilityChoice(api, peek.visibility));
  host.dataset.visibility = peek.visibility;
  host.hidden = false;
}

function visibilityChoice(api: Api, mode: 'titles' | 'busy'): HTMLElement {
  const select = h('select', {
    name: 'scheduleVisibility', 'aria-label': t('live.scheduleVisibility'),
    onchange: async () => {
      try {
        await api.call('PUT', '/me/schedule-visibility', { mode: select.value });
        notify(t('live.scheduleSaved'));
      } catch (error) {
        notify(errorMessage(error));
      }
    },
  }, h('option', { value: 'titles', selected: mode === 'titles' }, t('live.scheduleShowTitles')),
  h('option', { value: 'busy', selected: mode === 'busy' }, t('live.scheduleShowBusy')));
  return h('label', { class: 'schedule-visibility' }, h('span', {}, t('live.scheduleVisibility')), select);
}
