import { schedulesApi, zoomApi, type ImportReport, type ScheduleEntry, type ScheduleInput } from '../api/zoom';
import { isSiteAdmin, type AppContext, type Page, type Route } from '../app/context';
import { confirmDialog } from '../ui/dialog';
import { h, splitList } from '../ui/dom';
import { icon } from '../ui/icons';
import { errorBox, notify, showError } from '../ui/notice';
import { isoDate, isoWithOffset } from '../ui/problems';
import { locale, t, type MessageKey } from '../i18n';
import './schedule.css';
import { zoomReason } from './zoomReasons';
import { fromRrule, toRrule, weekdayOf, weekdays, type Frequency, type Recurrence, type Weekday } from './recurrence';

/** The site's default Zoom location (Z1); site admins see the configured one. */
export const defaultZoomLocation = 'Zoom 会議';

type View = 'week' | 'month';

/** The first day shown: Monday of the week, or Monday on/before the 1st of the month. */
export function rangeOf(view: View, day: Date): { from: Date; to: Date } {
  const monday = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate() - ((d.getDay() + 6) % 7));
  if (view === 'week') {
    const from = monday(day);
    return { from, to: new Date(from.getFullYear(), from.getMonth(), from.getDate() + 7) };
  }
  const first = new Date(day.getFullYear(), day.getMonth(), 1);
  const from = monday(first);
  const next = new Date(day.getFullYear(), day.getMonth() + 1, 1);
  const weeks = Math.ceil((next.getTime() - from.getTime()) / (7 * 86_400_000));
  return { from, to: new Date(from.getFullYear(), from.getMonth(), from.getDate() + weeks * 7) };
}

function parseDay(text: string | null): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '');
  const now = new Date();
  return match ? new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/** A local Date of an entry's start/end (an all-day "2026-12-01" is that local day). */
function toDate(text: string, allDay: boolean): Date {
  return allDay && /^\d{4}-\d{2}-\d{2}$/.test(text) ? parseDay(text) : new Date(text);
}

const sameDay = (a: Date, b: Date) => a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
const fmt = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale() === 'ja' ? 'ja-JP' : 'en-GB', options);
const time = (d: Date) => fmt({ hour: '2-digit', minute: '2-digit' }).format(d);

/** The entries that touch one local day. */
function entriesOn(entries: ScheduleEntry[], day: Date): ScheduleEntry[] {
  const start = day.getTime(), end = new Date(day.getFullYear(), day.getMonth(), day.getDate() + 1).getTime();
  return entries.filter((e) => toDate(e.start, e.allDay).getTime() < end && toDate(e.end, e.allDay).getTime() > start);
}

/** Z9 on an entry: linked (with the join URL), pending, deferred by Zoom's daily budget, or the error Zoom gave. */
export function zoomBadge(entry: ScheduleEntry): HTMLElement | null {
  const zoom = entry.zoom;
  if (!zoom || zoom.state === 'none') return null;
  return h('span', { class: `zoom-badge zoom-${zoom.state}`, dataset: { zoomState: zoom.state }, title: zoom.error ? zoomReason(zoom.error) : t(`schedule.zoom.${zoom.state}`) }, t(`schedule.zoom.${zoom.state}`));
}

async function schedulePage(ctx: AppContext): Promise<Page> {
  const query = new URLSearchParams(location.search);
  const view: View = query.get('view') === 'month' ? 'month' : 'week';
  const day = parseDay(query.get('date'));
  const { from, to } = rangeOf(view, day);
  const api = schedulesApi(ctx.api);
  let zoomLocation = defaultZoomLocation;
  if (isSiteAdmin(ctx)) zoomLocation = (await zoomApi(ctx.api).settings().catch(() => null))?.locationName || defaultZoomLocation;

  let entries: ScheduleEntry[] = [];
  let failure: HTMLElement | null = null;
  try {
    entries = await api.list(isoWithOffset(from), isoWithOffset(to));
  } catch (error) {
    failure = errorBox(error);
  }

  const go = (nextView: View, nextDay: Date) => ctx.navigate(`/schedule?view=${nextView}&date=${isoDate(nextDay)}`);
  const shift = (by: number) => go(view, view === 'week'
    ? new Date(day.getFullYear(), day.getMonth(), day.getDate() + 7 * by)
    : new Date(day.getFullYear(), day.getMonth() + by, 1));
  // A click on a day (or an hour of the week grid) creates an entry there.
  const open = (entry: ScheduleEntry | null, at?: Date, hour?: number) =>
    void entryDialog(ctx, entry, zoomLocation, at ?? day, hour).then((changed) => { if (changed) void ctx.reload(); });

  const title = view === 'week'
    ? `${fmt({ year: 'numeric', month: 'short', day: 'numeric' }).format(from)} – ${fmt({ month: 'short', day: 'numeric' }).format(new Date(to.getTime() - 86_400_000))}`
    : fmt({ year: 'numeric', month: 'long' }).format(day);

  const chip = (entry: ScheduleEntry, extra: Record<string, unknown> = {}) => h('button', {
    type: 'button', class: `entry-chip${entry.zoom?.joinUrl ? ' has-zoom' : ''}`, dataset: { entryId: entry.id, title: entry.title },
    // The whole title on hover: the chip cuts it with "…".
    title: entry.title,
    onclick: (event: Event) => { event.stopPropagation(); open(entry); },
    ...extra,
  },
  h('span', { class: 'entry-time' }, entry.allDay ? t('schedule.allDay') : time(toDate(entry.start, false))),
  h('span', { class: 'entry-title' }, entry.title),
  entry.recurrence ? h('span', { class: 'muted entry-repeat', title: t('schedule.recurring') }, '↻') : null,
  zoomBadge(entry));

  const days: Date[] = [];
  for (let d = new Date(from); d < to; d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1)) days.push(d);
  const grid = view === 'week' ? weekGrid(days, entries, chip, open) : monthGrid(days, day, entries, chip, open, (d) => go('week', d));

  // What is coming, with the Zoom join links (Z6, Z9).
  const upcoming = entries.filter((e) => e.zoom && e.zoom.state !== 'none');
  const zoomList = upcoming.length === 0 ? null : h('section', { class: 'settings-form zoom-entries' },
    h('h2', {}, t('schedule.zoomEntries')),
    h('ul', { class: 'plain' }, upcoming.map((e) => h('li', { dataset: { entryId: e.id } },
      h('span', {}, `${fmt({ month: 'numeric', day: 'numeric', weekday: 'short' }).format(toDate(e.start, e.allDay))} ${e.allDay ? '' : time(toDate(e.start, false))} `),
      h('strong', {}, e.title), ' ', zoomBadge(e), ' ',
      e.zoom?.joinUrl ? h('a', { href: e.zoom.joinUrl, target: '_blank', rel: 'noopener', class: 'join-url' }, t('schedule.join')) : null,
      e.zoom?.state === 'error' && e.zoom.error ? h('span', { class: 'danger-text' }, ` ${zoomReason(e.zoom.error)}`) : null))));

  return {
    title: t('schedule.title'),
    content: h('div', { class: 'page schedule', dataset: { view } },
      h('div', { class: 'toolbar' },
        h('h1', {}, t('schedule.title')),
        h('div', { class: 'toolbar-actions' },
          h('button', { type: 'button', class: 'primary', 'data-testid': 'schedule-new', onclick: () => open(null) }, icon('plus'), t('schedule.new')))),
      h('div', { class: 'toolbar calendar-nav' },
        h('div', { class: 'toolbar-actions' },
          h('button', { type: 'button', class: 'secondary', 'aria-label': t('schedule.prev'), onclick: () => shift(-1) }, '‹'),
          h('button', { type: 'button', class: 'secondary', onclick: () => go(view, new Date()) }, t('schedule.today')),
          h('button', { type: 'button', class: 'secondary', 'aria-label': t('schedule.next'), onclick: () => shift(1) }, '›'),
          h('strong', { class: 'calendar-title' }, title)),
        h('div', { class: 'segmented', role: 'group' },
          (['week', 'month'] as View[]).map((v) => h('button', { type: 'button', class: v === view ? 'primary' : 'secondary', 'aria-pressed': String(v === view), onclick: () => go(v, day) }, t(`schedule.view.${v}`))))),
      failure,
      grid,
      zoomList,
      importSection(ctx)),
  };
}

const hourHeight = 44;
const monthChips = 3;

/** The month: fixed-width cells, at most a few one-line chips per day ("…" for long titles), "+n" for the rest. */
function monthGrid(days: Date[], shown: Date, entries: ScheduleEntry[], chip: (e: ScheduleEntry) => HTMLElement,
  open: (entry: null, at: Date) => void, toWeek: (d: Date) => void): HTMLElement {
  const today = new Date();
  return h('div', { class: 'calendar calendar-month', 'data-testid': 'calendar' },
    weekdays.map((w) => h('div', { class: 'calendar-head' }, t(`schedule.weekday.${w}`))),
    days.map((d) => {
      const list = entriesOn(entries, d);
      const more = list.length - monthChips;
      return h('div', {
        class: `calendar-day${sameDay(d, today) ? ' today' : ''}${d.getMonth() !== shown.getMonth() ? ' other-month' : ''}`,
        dataset: { date: isoDate(d) }, title: t('schedule.clickToCreate'),
        onclick: () => open(null, d),
      },
      h('div', { class: 'calendar-date' }, String(d.getDate())),
      list.slice(0, more > 0 ? monthChips - 1 : monthChips).map(chip),
      more > 0 ? h('button', { type: 'button', class: 'link more-entries', onclick: (event: Event) => { event.stopPropagation(); toWeek(d); } },
        t('schedule.more', { count: more + 1 })) : null);
    }));
}

/** The week: all-day entries on top, then a time grid of the 24 hours with the entries at their times. */
function weekGrid(days: Date[], entries: ScheduleEntry[], chip: (e: ScheduleEntry, extra?: Record<string, unknown>) => HTMLElement,
  open: (entry: null, at: Date, hour?: number) => void): HTMLElement {
  const today = new Date();
  const head = h('div', { class: 'week-row week-head' },
    h('div', { class: 'week-corner' }),
    days.map((d, i) => h('div', { class: `week-day-head${sameDay(d, today) ? ' today' : ''}` },
      h('span', { class: 'week-weekday' }, t(`schedule.weekday.${weekdays[i]}`)),
      h('span', { class: 'calendar-date' }, fmt({ month: 'numeric', day: 'numeric' }).format(d)))));
  const allDay = h('div', { class: 'week-row week-all-day' },
    h('div', { class: 'week-corner muted' }, t('schedule.allDay')),
    days.map((d) => h('div', { class: 'week-all-day-cell', dataset: { date: isoDate(d) }, onclick: () => open(null, d) },
      entriesOn(entries, d).filter((e) => e.allDay).map((e) => chip(e)))));
  const hours = Array.from({ length: 24 }, (_, n) => n);
  const columns = days.map((d) => {
    const dayStart = d.getTime(), dayEnd = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1).getTime();
    const timed = entriesOn(entries, d).filter((e) => !e.allDay).map((e) => {
      const s = Math.max(toDate(e.start, false).getTime(), dayStart), f = Math.min(toDate(e.end, false).getTime(), dayEnd);
      return { e, top: (s - dayStart) / 3_600_000, bottom: Math.max((f - dayStart) / 3_600_000, (s - dayStart) / 3_600_000 + 0.5) };
    }).sort((a, b) => a.top - b.top || b.bottom - a.bottom);
    // Overlapping entries share the column side by side.
    const lanes: number[] = [];
    const placed = timed.map((item) => {
      let lane = lanes.findIndex((end) => end <= item.top);
      if (lane < 0) { lane = lanes.length; lanes.push(item.bottom); } else lanes[lane] = item.bottom;
      return { ...item, lane };
    });
    const width = 100 / Math.max(1, lanes.length);
    const column = h('div', {
      class: `week-column${sameDay(d, today) ? ' today' : ''}`, dataset: { date: isoDate(d) }, style: `height:${24 * hourHeight}px`,
      title: t('schedule.clickToCreate'),
    },
    placed.map((p) => chip(p.e, {
      class: `entry-chip timed${p.e.zoom?.joinUrl ? ' has-zoom' : ''}`,
      style: `top:${p.top * hourHeight}px;height:${(p.bottom - p.top) * hourHeight - 2}px;left:calc(${p.lane * width}% + 2px);width:calc(${width}% - 4px)`,
    })));
    if (sameDay(d, today)) {
      // Where "now" is, as calendars show it.
      const hours = (today.getTime() - dayStart) / 3_600_000;
      column.append(h('div', { class: 'week-now', style: `top:${hours * hourHeight}px`, 'aria-hidden': 'true' }));
    }
    column.addEventListener('click', (event) => {
      if (event.target !== column) return;
      open(null, d, Math.min(23, Math.floor((event as MouseEvent).offsetY / hourHeight)));
    });
    return column;
  });
  const body = h('div', { class: 'week-body', 'data-testid': 'week-body' },
    h('div', { class: 'week-row week-grid' },
      h('div', { class: 'week-hours' }, hours.map((n) => h('div', { class: 'week-hour', style: `height:${hourHeight}px` }, n === 0 ? '' : `${n}:00`))),
      columns));
  // The working day first; earlier and later hours are a scroll away.
  requestAnimationFrame(() => { body.scrollTop = 8 * hourHeight; });
  return h('div', { class: 'calendar-week-grid', 'data-testid': 'calendar' }, head, allDay, body);
}

/** Z3 import: an iCalendar (.ics) or CSV file, or a subscribed feed URL; the counts come back. */
function importSection(ctx: AppContext): HTMLElement {
  const api = schedulesApi(ctx.api);
  const file = h('input', { type: 'file', name: 'importFile', accept: '.ics,.csv,text/calendar,text/csv', 'aria-label': t('schedule.import.file') });
  const feed = h('input', { type: 'url', name: 'feedUrl', placeholder: 'https://…/calendar.ics', 'aria-label': t('schedule.import.feed') });
  const result = h('div', { class: 'import-result', 'data-testid': 'import-result', 'aria-live': 'polite' });
  const errors = h('div', { class: 'form-errors' });

  function show(report: ImportReport): void {
    const parts: Node[] = [h('p', { class: 'import-counts' }, t('schedule.import.counts', { created: report.created, updated: report.updated, unchanged: report.unchanged, rejected: report.rejected.length }))];
    if (report.rejected.length > 0)
      parts.push(h('ul', { class: 'rejected' }, report.rejected.map((r) =>
        h('li', {}, r.line ? t('schedule.import.line', { line: r.line }) : r.uid ? `UID ${r.uid}` : '', ': ', r.reason))));
    result.replaceChildren(...parts);
    showError(errors, null);
  }

  async function run(action: () => Promise<ImportReport>, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      show(await action());
      notify(t('schedule.import.done'));
    } catch (error) {
      result.replaceChildren();
      showError(errors, error);
    } finally {
      button.disabled = false;
    }
  }

  const fileButton = h('button', { type: 'button', class: 'secondary' }, t('schedule.import.fileButton'));
  fileButton.addEventListener('click', () => {
    const chosen = file.files?.[0];
    if (!chosen) return errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, t('schedule.import.chooseFile')));
    const csv = /\.csv$/i.test(chosen.name) || chosen.type === 'text/csv';
    void run(async () => api.importFile(await chosen.text(), csv ? 'text/csv' : 'text/calendar'), fileButton);
  });
  const feedButton = h('button', { type: 'button', class: 'secondary' }, t('schedule.import.feedButton'));
  feedButton.addEventListener('click', () => {
    const url = feed.value.trim();
    if (!/^https?:\/\/\S+$/.test(url)) return errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, t('schedule.import.badUrl')));
    void run(() => api.importFeed(url), feedButton);
  });

  return h('section', { class: 'settings-form schedule-import' },
    h('h2', {}, t('schedule.import.title')),
    h('p', { class: 'field-hint' }, t('schedule.import.hint')),
    h('div', { class: 'inline-form' }, h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, t('schedule.import.file')), file), fileButton),
    h('div', { class: 'inline-form' }, h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, t('schedule.import.feed')), feed), feedButton),
    errors,
    result);
}

const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (d: Date) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;

/** Create or edit one entry; resolves true when something was saved or deleted. */
function entryDialog(ctx: AppContext, entry: ScheduleEntry | null, zoomLocation: string, day: Date, hour?: number): Promise<boolean> {
  const api = schedulesApi(ctx.api);
  // An occurrence of a recurring entry edits the whole series: its own start, and the same length.
  const seriesStart = entry?.seriesStart ?? entry?.start;
  const length = entry ? toDate(entry.end, entry.allDay).getTime() - toDate(entry.start, entry.allDay).getTime() : 3_600_000;
  const start = entry ? toDate(seriesStart!, entry.allDay) : new Date(day.getFullYear(), day.getMonth(), day.getDate(), hour ?? Math.max(9, Math.min(new Date().getHours() + 1, 18)), 0);
  const end = new Date(start.getTime() + length);
  const allDayValue = entry?.allDay ?? false;
  // All-day ends are exclusive in the API and inclusive on screen.
  const lastDay = allDayValue ? new Date(end.getFullYear(), end.getMonth(), end.getDate() - 1) : end;

  return new Promise((resolve) => {
    let done = false;
    const title = h('input', { name: 'title', value: entry?.title ?? '', maxlength: 200, required: true, autocomplete: 'off' });
    const allDay = h('input', { type: 'checkbox', name: 'allDay', checked: allDayValue });
    const date = h('input', { type: 'date', name: 'date', value: isoDate(start) });
    const startTime = h('input', { type: 'time', name: 'startTime', value: hhmm(start) });
    const endDate = h('input', { type: 'date', name: 'endDate', value: isoDate(lastDay) });
    const endTime = h('input', { type: 'time', name: 'endTime', value: hhmm(end) });
    const isZoom = (text: string) => text.normalize('NFKC').toLowerCase() === zoomLocation.normalize('NFKC').toLowerCase();
    const where = entry?.location ?? '';
    const locationKind = h('select', { name: 'locationKind' },
      h('option', { value: 'none', selected: where === '' }, t('schedule.location.none')),
      h('option', { value: 'zoom', selected: where !== '' && isZoom(where) }, zoomLocation),
      h('option', { value: 'other', selected: where !== '' && !isZoom(where) }, t('schedule.location.other')));
    const locationText = h('input', { name: 'location', value: where !== '' && !isZoom(where) ? where : '', maxlength: 200, 'aria-label': t('schedule.location.other') });
    const attendees = h('textarea', { name: 'attendees', rows: 2, value: (entry?.attendees ?? []).join(', '), placeholder: 'name@example.com, …' });
    const description = h('textarea', { name: 'description', rows: 3, value: entry?.description ?? '' });
    const picked = fromRrule(entry?.recurrence);
    const frequency = h('select', { name: 'frequency' },
      (['none', 'daily', 'weekdays', 'weekly', 'monthly', 'custom'] as Frequency[]).map((f) => h('option', { value: f, selected: f === picked.frequency }, t(`schedule.repeat.${f}`))));
    const interval = h('input', { type: 'number', name: 'interval', min: 1, max: 99, value: String(picked.interval), 'aria-label': t('schedule.repeat.interval') });
    const dayBoxes = weekdays.map((w) => h('label', { class: 'day-box' },
      h('input', { type: 'checkbox', name: 'byday', value: w, checked: picked.days.length > 0 ? picked.days.includes(w) : w === weekdayOf(start) }), t(`schedule.weekday.${w}`)));
    const endKind = h('select', { name: 'repeatEnd' },
      h('option', { value: 'never', selected: !picked.count && !picked.until }, t('schedule.repeat.never')),
      h('option', { value: 'count', selected: !!picked.count }, t('schedule.repeat.count')),
      h('option', { value: 'until', selected: !picked.count && !!picked.until }, t('schedule.repeat.until')));
    const count = h('input', { type: 'number', name: 'count', min: 1, max: 999, value: String(picked.count ?? 10), 'aria-label': t('schedule.repeat.count') });
    const until = h('input', { type: 'date', name: 'until', value: picked.until ?? isoDate(new Date(start.getFullYear(), start.getMonth() + 3, start.getDate())), 'aria-label': t('schedule.repeat.until') });
    const custom = h('input', { name: 'rrule', value: picked.custom ?? '', placeholder: 'FREQ=WEEKLY;BYDAY=MO', 'aria-label': 'RRULE' });
    const errors = h('div', { class: 'form-errors' });
    const dialog = h('dialog', { class: 'dialog wide scrolls entry-dialog', 'aria-label': entry ? t('schedule.edit') : t('schedule.new') });

    const repeatRow = h('div', { class: 'repeat-options' },
      h('label', { class: 'inline-label interval-row' }, t('schedule.repeat.every'), interval),
      h('div', { class: 'day-boxes' }, dayBoxes),
      h('div', { class: 'inline-form' }, endKind, count, until),
      h('label', { class: 'field custom-row' }, h('span', { class: 'field-label' }, 'RRULE'), custom));
    function sync(): void {
      const f = frequency.value as Frequency;
      const simple = f !== 'none' && f !== 'custom';
      startTime.hidden = endTime.hidden = allDay.checked;
      locationText.hidden = locationKind.value !== 'other';
      repeatRow.hidden = f === 'none';
      (interval.closest('label') as HTMLElement).hidden = !simple || f === 'weekdays';
      (dayBoxes[0].parentElement as HTMLElement).hidden = f !== 'weekly';
      (endKind.parentElement as HTMLElement).hidden = !simple;
      count.hidden = endKind.value !== 'count';
      until.hidden = endKind.value !== 'until';
      (custom.closest('label') as HTMLElement).hidden = f !== 'custom';
    }
    for (const input of [allDay, locationKind, frequency, endKind]) input.addEventListener('change', sync);

    // The weekly day follows the start date: the day that was the start's moves with it (other picked days stay),
    // and the end date keeps its distance, so a Thursday entry is saved as a Thursday series.
    let shownStart = parseDay(date.value);
    date.addEventListener('change', () => {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date.value)) return;
      const next = parseDay(date.value);
      const box = (w: Weekday) => dayBoxes[weekdays.indexOf(w)].querySelector('input')!;
      const before = box(weekdayOf(shownStart));
      if (before.checked || dayBoxes.every((b) => !b.querySelector('input')!.checked)) {
        before.checked = false;
        box(weekdayOf(next)).checked = true;
      }
      const last = parseDay(endDate.value);
      const span = Math.round((last.getTime() - shownStart.getTime()) / 86_400_000);
      if (endDate.value) endDate.value = isoDate(new Date(next.getFullYear(), next.getMonth(), next.getDate() + Math.max(0, span)));
      shownStart = next;
    });

    const zoomInfo = entry?.zoom && entry.zoom.state !== 'none'
      ? h('div', { class: 'zoom-info', 'data-testid': 'entry-zoom' },
        zoomBadge(entry), ' ',
        entry.zoom.joinUrl ? h('a', { href: entry.zoom.joinUrl, target: '_blank', rel: 'noopener', class: 'join-url' }, entry.zoom.joinUrl) : null,
        entry.zoom.state === 'error' && entry.zoom.error ? h('p', { class: 'danger-text' }, zoomReason(entry.zoom.error)) : null,
        entry.zoom.state === 'deferred' ? h('p', { class: 'field-hint' }, t('schedule.zoom.deferredHint')) : null)
      : null;

    const field = (label: MessageKey, ...inputs: (HTMLElement | null)[]) =>
      h('div', { class: 'field' }, h('span', { class: 'field-label' }, t(label)), ...inputs);
    const remove = entry ? h('button', { type: 'button', class: 'danger', onclick: () => void deleteEntry() }, t('app.delete')) : null;
    const form = h('form', { method: 'dialog', novalidate: true, class: 'entry-form' },
      h('h2', {}, entry ? t('schedule.edit') : t('schedule.new')),
      entry?.recurrence ? h('p', { class: 'field-hint' }, t('schedule.seriesHint')) : null,
      zoomInfo,
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('schedule.entryTitle')), title),
      h('label', { class: 'field checkbox' }, allDay, h('span', {}, t('schedule.allDay'))),
      field('schedule.start', h('div', { class: 'inline-form' }, date, startTime)),
      field('schedule.end', h('div', { class: 'inline-form' }, endDate, endTime)),
      field('schedule.location', h('div', { class: 'inline-form' }, locationKind, locationText), h('span', { class: 'field-hint' }, t('schedule.location.hint', { zoom: zoomLocation }))),
      field('schedule.attendees', attendees, h('span', { class: 'field-hint' }, t('schedule.attendeesHint'))),
      field('schedule.repeat', frequency, repeatRow),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('schedule.description')), description),
      errors,
      // Kept in view at the dialog's bottom however long the form is.
      h('div', { class: 'dialog-actions sticky-actions' },
        remove,
        h('span', { class: 'spacer' }),
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('app.cancel')),
        h('button', { type: 'submit', class: 'primary', 'data-testid': 'entry-submit' }, entry ? t('app.save') : t('schedule.create'))));
    sync();

    const fail = (text: string) => errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, text));

    function read(): ScheduleInput | null {
      const name = title.value.trim();
      if (!name) { fail(t('form.required', { field: t('schedule.entryTitle') })); return null; }
      const first = parseDay(date.value);
      const last = parseDay(endDate.value);
      if (!date.value || !endDate.value) { fail(t('schedule.badTime')); return null; }
      let startText: string, endText: string, startDate: Date;
      if (allDay.checked) {
        if (last < first) { fail(t('schedule.endBeforeStart')); return null; }
        startDate = first;
        startText = isoDate(first);
        endText = isoDate(new Date(last.getFullYear(), last.getMonth(), last.getDate() + 1));
      } else {
        const [sh, sm] = startTime.value.split(':').map(Number);
        const [eh, em] = endTime.value.split(':').map(Number);
        if ([sh, sm, eh, em].some((n) => Number.isNaN(n))) { fail(t('schedule.badTime')); return null; }
        startDate = new Date(first.getFullYear(), first.getMonth(), first.getDate(), sh, sm);
        const endAt = new Date(last.getFullYear(), last.getMonth(), last.getDate(), eh, em);
        if (endAt <= startDate) { fail(t('schedule.endBeforeStart')); return null; }
        startText = isoWithOffset(startDate);
        endText = isoWithOffset(endAt);
      }
      const location = locationKind.value === 'zoom' ? zoomLocation : locationKind.value === 'other' ? locationText.value.trim() : '';
      const recurrence: Recurrence = {
        frequency: frequency.value as Frequency,
        interval: Math.max(1, Number(interval.value) || 1),
        days: dayBoxes.map((b) => b.querySelector('input')!).filter((c) => c.checked).map((c) => c.value as Weekday),
        count: endKind.value === 'count' ? Math.max(1, Number(count.value) || 1) : undefined,
        until: endKind.value === 'until' ? until.value : undefined,
        custom: custom.value,
      };
      return {
        title: name, start: startText, end: endText, allDay: allDay.checked, location, description: description.value,
        attendees: splitList(attendees.value), recurrence: toRrule(recurrence, startDate),
        // Exceptions of the series stay as they were.
        ...(entry?.exdates && entry.recurrence ? { exdates: entry.exdates } : {}),
      };
    }

    async function deleteEntry(): Promise<void> {
      if (!entry) return;
      const ok = await confirmDialog({
        title: t('schedule.deleteTitle'),
        message: entry.recurrence ? t('schedule.deleteSeries', { title: entry.title }) : t('schedule.deleteMessage', { title: entry.title }),
        danger: true,
        action: () => api.remove(entry.id),
      });
      if (ok) {
        done = true;
        notify(t('schedule.deleted'));
        dialog.close();
      }
    }

    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = read();
      if (!input) return;
      const submit = form.querySelector<HTMLButtonElement>('button[type=submit]')!;
      submit.disabled = true;
      try {
        if (entry) await api.replace(entry.id, input);
        else await api.create(input);
        done = true;
        notify(t('schedule.saved'));
        dialog.close();
      } catch (error) {
        showError(errors, error);
      } finally {
        submit.disabled = false;
      }
    });
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    dialog.addEventListener('close', () => { dialog.remove(); resolve(done); });
    dialog.showModal();
    title.focus();
  });
}

export const scheduleRoutes: Route[] = [{ pattern: '/schedule', render: schedulePage }];
