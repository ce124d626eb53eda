// The simple recurrence picker of the schedule dialog, to and from RFC 5545 RRULE text.

export type Frequency = 'none' | 'daily' | 'weekdays' | 'weekly' | 'monthly' | 'custom';
export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';
export const weekdays: Weekday[] = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];

export interface Recurrence {
  frequency: Frequency;
  /** Every n days / weeks / months. */
  interval: number;
  /** For weekly: the days; empty = the start's weekday. */
  days: Weekday[];
  /** How it ends: never, after a count, or on a date (inclusive, "2026-12-31"). */
  count?: number;
  until?: string;
  /** The RRULE as typed, for "custom". */
  custom?: string;
}

/** The weekday of a date as RRULE names it. */
export function weekdayOf(date: Date): Weekday {
  return weekdays[(date.getDay() + 6) % 7];
}

/** The RRULE text of a picked recurrence, or null for none. */
export function toRrule(r: Recurrence, start: Date): string | null {
  if (r.frequency === 'none') return null;
  if (r.frequency === 'custom') return (r.custom ?? '').trim().replace(/^RRULE:/i, '').toUpperCase() || null;
  const parts: string[] = [];
  switch (r.frequency) {
    case 'daily': parts.push('FREQ=DAILY'); break;
    case 'weekdays': parts.push('FREQ=WEEKLY', 'BYDAY=MO,TU,WE,TH,FR'); break;
    case 'weekly': parts.push('FREQ=WEEKLY', `BYDAY=${(r.days.length > 0 ? [...r.days].sort((a, b) => weekdays.indexOf(a) - weekdays.indexOf(b)) : [weekdayOf(start)]).join(',')}`); break;
    case 'monthly': parts.push('FREQ=MONTHLY', `BYMONTHDAY=${start.getDate()}`); break;
  }
  if (r.interval > 1 && r.frequency !== 'weekdays') parts.splice(1, 0, `INTERVAL=${r.interval}`);
  if (r.count && r.count > 0) parts.push(`COUNT=${r.count}`);
  else if (r.until) parts.push(`UNTIL=${r.until.replaceAll('-', '')}T235959`);
  return parts.join(';');
}

/** What the picker shows for an entry's RRULE; anything it cannot show is "custom". */
export function fromRrule(rrule: string | null | undefined): Recurrence {
  const none: Recurrence = { frequency: 'none', interval: 1, days: [] };
  if (!rrule || rrule.trim() === '') return none;
  const text = rrule.trim().replace(/^RRULE:/i, '').toUpperCase();
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const [key, value] = part.split('=');
    if (!key || value === undefined) return { ...none, frequency: 'custom', custom: text };
    fields.set(key, value);
  }
  const custom: Recurrence = { ...none, frequency: 'custom', custom: text };
  const interval = Number(fields.get('INTERVAL') ?? '1');
  const count = fields.has('COUNT') ? Number(fields.get('COUNT')) : undefined;
  const untilMatch = /^(\d{4})(\d{2})(\d{2})/.exec(fields.get('UNTIL') ?? '');
  const until = untilMatch ? `${untilMatch[1]}-${untilMatch[2]}-${untilMatch[3]}` : undefined;
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'COUNT', 'UNTIL']);
  if ([...fields.keys()].some((k) => !known.has(k)) || !Number.isInteger(interval) || interval < 1) return custom;
  const base = { interval, days: [] as Weekday[], count, until };
  const byDay = fields.get('BYDAY');
  switch (fields.get('FREQ')) {
    case 'DAILY':
      return byDay || fields.has('BYMONTHDAY') ? custom : { ...base, frequency: 'daily' };
    case 'WEEKLY': {
      const days = (byDay ?? '').split(',').filter(Boolean) as Weekday[];
      if (days.some((d) => !weekdays.includes(d)) || fields.has('BYMONTHDAY')) return custom;
      if (interval === 1 && days.join(',') === 'MO,TU,WE,TH,FR') return { ...base, frequency: 'weekdays' };
      return { ...base, frequency: 'weekly', days };
    }
    case 'MONTHLY':
      return byDay ? custom : { ...base, frequency: 'monthly' };
    default:
      return custom;
  }
}
