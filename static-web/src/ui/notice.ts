import { h } from './dom';
import { errorMessage, t } from '../i18n';
import { ApiError } from '../api/client';

let region: HTMLElement | null = null;

function noticeRegion(): HTMLElement {
  if (!region || !region.isConnected) {
    region = h('div', { class: 'notices', 'aria-live': 'polite' });
    document.body.appendChild(region);
  }
  return region;
}

/** A short confirmation at the bottom of the screen, gone after a few seconds. */
export function notify(text: string): void {
  const note = h('div', { class: 'notice', role: 'status' }, text);
  const notices = noticeRegion();
  notices.appendChild(note);
  // The newest few only: a burst of actions should not cover the screen.
  while (notices.childElementCount > 2) notices.firstElementChild?.remove();
  setTimeout(() => note.remove(), 4000);
}

/** An inline error box for a failed call, in the user's language. */
export function errorBox(error: unknown): HTMLElement {
  const box = h('div', { class: 'error', role: 'alert', dataset: { code: error instanceof ApiError ? error.code : 'unknown' } },
    errorMessage(error));
  if (error instanceof ApiError && error.problem.detail) box.title = `${t('error.details')}: ${error.problem.detail}`;
  return box;
}

/** Shows (or clears, with null) the error of a form or a page section in its error slot. */
export function showError(slot: HTMLElement, error: unknown | null): void {
  slot.replaceChildren();
  if (error !== null) slot.appendChild(errorBox(error));
}
