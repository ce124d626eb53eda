import { hasKey, t, type MessageKey } from '../../i18n';
import { h } from '../../ui/dom';
import { cssColor, statusColor, type MeetingRoom, type Person } from '../model';
import type { PersonState } from '../state';

/**
 * The people list: one row per person (data-email, data-x, data-y, data-status, ... for tests and
 * screen readers), kept in place and only the changed parts rewritten (moves come ten times a second).
 */
export class PeoplePanel {
  private list: HTMLElement | null = null;
  private count: HTMLElement | null = null;
  private readonly rows = new Map<string, HTMLElement>();

  constructor(
    private readonly people: () => Iterable<PersonState>,
    private readonly self: () => string,
    private readonly meetingRooms: () => readonly MeetingRoom[],
    private readonly knock: (p: Person) => void,
  ) {}

  render(): HTMLElement {
    this.count = h('span', { class: 'badge people-count' }, '0');
    this.list = h('ul', { class: 'people-list', 'aria-label': t('live.people') });
    this.rows.clear();
    const section = h('section', { class: 'people-panel' }, h('h2', {}, t('live.people'), ' ', this.count), this.list);
    this.draw();
    return section;
  }

  /** Everyone again: rows added, removed and ordered (oneself first, then by name). */
  draw(): void {
    if (!this.list) return;
    const me = this.self();
    const sorted = [...this.people()].sort((a, b) =>
      (a.email === me ? -1 : b.email === me ? 1 : 0) || (a.name || a.email).localeCompare(b.name || b.email));
    const keep = new Set(sorted.map((p) => p.email));
    for (const [email, row] of this.rows) if (!keep.has(email)) { row.remove(); this.rows.delete(email); }
    let before: Element | null = this.list.firstElementChild;
    for (const p of sorted) {
      let row = this.rows.get(p.email);
      if (!row) { row = this.personRow(p, p.email === me); this.rows.set(p.email, row); }
      if (row !== before) this.list.insertBefore(row, before);
      else before = before?.nextElementSibling ?? null;
      this.drawRow(p);
    }
    if (this.count) this.count.textContent = String(sorted.length);
  }

  private personRow(p: Person, self: boolean): HTMLElement {
    return h('li', { class: `person${self ? ' self' : ''}`, dataset: { email: p.email, self: String(self) } },
      h('span', { class: 'status-dot', 'aria-hidden': 'true' }),
      h('span', { class: 'person-main' },
        h('span', { class: 'person-name' }, (p.name || p.email) + (self ? ` ${t('live.you')}` : '')),
        h('span', { class: 'person-status' }),
        h('span', { class: 'zoom-badge', hidden: true }, t('live.inZoomMeeting'))),
      self ? null : h('button', { type: 'button', class: 'link-button knock', onclick: () => this.knock(p), title: t('live.knockTitle', { name: p.name || p.email }) }, t('live.knock')));
  }

  /** A person's position on their row (data-x, data-y): the cheap update every move batch makes. */
  drawPosition(p: PersonState): HTMLElement | undefined {
    const row = this.rows.get(p.email);
    if (!row) return undefined;
    const x = String(Math.round(p.x));
    const y = String(Math.round(p.y));
    if (row.dataset.x !== x) row.dataset.x = x;
    if (row.dataset.y !== y) row.dataset.y = y;
    return row;
  }

  drawRow(p: PersonState): void {
    const row = this.drawPosition(p);
    if (!row) return;
    row.dataset.status = p.status;
    row.dataset.meetingRoom = p.meetingRoomId ?? '';
    row.dataset.zoom = String(!!p.inZoomMeeting);
    row.dataset.micMuted = String(!!p.micMuted);
    row.dataset.sharing = String(!!p.sharing);
    (row.querySelector('.status-dot') as HTMLElement).style.background = cssColor(statusColor(p.status));
    const statusText = hasKey(`live.status.${p.status}`) ? t(`live.status.${p.status}` as MessageKey) : p.status;
    const meetingRoom = this.meetingRooms().find((m) => m.id === p.meetingRoomId)?.name;
    const statusEl = row.querySelector('.person-status') as HTMLElement;
    const text = meetingRoom ? `${statusText} · ${meetingRoom}` : statusText;
    if (statusEl.textContent !== text) statusEl.textContent = text;
    (row.querySelector('.zoom-badge') as HTMLElement).hidden = !p.inZoomMeeting;
  }
}
