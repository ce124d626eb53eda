import { ApiError } from '../api/client';
import type { AppContext } from '../app/context';
import { t } from '../i18n';
import { h } from './dom';
import { errorBox } from './notice';

/**
 * The error of a save, in the person's language. A stale ETag (412 "conflict") says that someone
 * else changed it first and offers to read it again; a refused field is named.
 */
export function showSaveError(ctx: AppContext, slot: HTMLElement, error: unknown | null): void {
  slot.replaceChildren();
  if (error === null) return;
  const box = errorBox(error);
  if (error instanceof ApiError) {
    const field = error.problem.field;
    if (error.code === 'validation' && typeof field === 'string' && !Array.isArray(error.problem.unknownEmails))
      box.append(h('span', { class: 'error-field' }, ` ${t('error.fieldOf', { field })}`));
    if (error.code === 'conflict' && error.status === 412) {
      // Next to the message (not inside it): the message reads the same everywhere.
      slot.append(box, h('button', { type: 'button', class: 'secondary reload-after-conflict', 'data-testid': 'reload-after-conflict', onclick: () => void ctx.reload() }, t('error.reloadNow')));
      return;
    }
  }
  slot.appendChild(box);
}

/** "2026-12-01T00:00:00+09:00": a local time with this browser's offset, as the API wants. */
export function isoWithOffset(date: Date): string {
  const pad = (n: number) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
    + `${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}

/** "2026-12-01" of a local date. */
export function isoDate(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
