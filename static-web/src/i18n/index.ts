import { ja, type MessageKey } from './ja';
import { en } from './en';
import { ApiError } from '../api/client';

export type Locale = 'ja' | 'en';
export type { MessageKey };

const catalogs: Record<Locale, Record<MessageKey, string>> = { ja, en };
const storageKey = 'zawaroom.locale';
const listeners = new Set<() => void>();

let current: Locale = initialLocale();

function initialLocale(): Locale {
  const saved = localStorage.getItem(storageKey);
  // Japanese first: English only when chosen.
  return saved === 'en' ? 'en' : 'ja';
}

export function locale(): Locale {
  return current;
}

export function setLocale(next: Locale): void {
  if (next === current) return;
  current = next;
  localStorage.setItem(storageKey, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

export function onLocaleChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The message in the current language, with {placeholders} filled in. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const text = catalogs[current][key] ?? ja[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function hasKey(key: string): key is MessageKey {
  return key in ja;
}

/** Codes whose message says only "something was wrong": the server's `detail` names what. */
const genericCodes = new Set(['validation', 'error']);

/**
 * What a person reads for a failed call: the message of the problem's `code` in their language;
 * where that message is only generic (a refused field, an unknown code) the server's `detail`
 * says the reason, so the person can fix it. Never the raw response body.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const unknownEmails = error.problem.unknownEmails;
    if (error.code === 'validation' && Array.isArray(unknownEmails) && unknownEmails.length > 0)
      return t('error.validation.unknownEmails', { emails: unknownEmails.join(', ') });
    const key = `error.${error.code}`;
    const detail = typeof error.problem.detail === 'string' ? error.problem.detail.trim() : '';
    if (hasKey(key) && !genericCodes.has(error.code)) return t(key);
    // A 5xx detail is the server's business, not the person's.
    if (detail !== '' && error.status < 500) return t('error.withDetail', { message: hasKey(key) ? t(key) : t('error.unknown'), detail });
    return hasKey(key) ? t(key) : t('error.unknown');
  }
  return t('error.unknown');
}

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return new Intl.DateTimeFormat(current === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }).format(date);
}
