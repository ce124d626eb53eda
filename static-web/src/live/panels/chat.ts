import { t } from '../../i18n';
import { h } from '../../ui/dom';

export interface ChatLine {
  key: string;
  kind: 'message' | 'image' | 'system';
  email: string;
  name: string;
  text: string;
  at: Date;
  imageUrl?: string;
}

const maxChat = 200;

/** The room's messages: keeps the last lines (drawn again after a language change) and the form to send one. */
export class ChatPanel {
  private readonly lines: ChatLine[] = [];
  private readonly seen = new Set<string>();
  private log: HTMLElement | null = null;

  constructor(private readonly send: (input: HTMLInputElement) => void) {}

  /** Adds a line once per key (a retried push or a resync does not repeat it). */
  add(line: ChatLine): void {
    if (this.seen.has(line.key)) return;
    this.seen.add(line.key);
    this.lines.push(line);
    while (this.lines.length > maxChat) {
      const old = this.lines.shift();
      if (old?.imageUrl) URL.revokeObjectURL(old.imageUrl);
    }
    if (this.log) {
      this.log.appendChild(row(line));
      while (this.log.childElementCount > maxChat) this.log.firstElementChild?.remove();
      this.log.scrollTop = this.log.scrollHeight;
    }
  }

  system(key: string, who: { email: string; name: string }, text: string): void {
    this.add({ key, kind: 'system', email: who.email, name: who.name, text, at: new Date() });
  }

  render(): HTMLElement {
    const input = h('input', { name: 'message', maxlength: 1000, autocomplete: 'off', placeholder: t('live.messagePlaceholder'), 'aria-label': t('live.message') });
    const form = h('form', { class: 'chat-form', onsubmit: (e: Event) => { e.preventDefault(); this.send(input); } },
      input, h('button', { type: 'submit', class: 'primary' }, t('live.send')));
    this.log = h('ol', { class: 'chat-log', 'aria-live': 'polite' }, this.lines.map(row));
    return h('section', { class: 'chat-panel' }, h('h2', {}, t('live.messages')), this.log, form);
  }

  /** After the panel is on the page: the newest line in view. */
  scrollToEnd(): void {
    if (this.log) this.log.scrollTop = this.log.scrollHeight;
  }

  dispose(): void {
    for (const line of this.lines) if (line.imageUrl) URL.revokeObjectURL(line.imageUrl);
  }
}

function row(line: ChatLine): HTMLElement {
  const time = line.at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  return h('li', { class: `chat-line ${line.kind}`, dataset: { email: line.email } },
    line.kind === 'message' ? h('span', { class: 'chat-name' }, line.name || line.email) : null,
    h('span', { class: 'chat-text' }, line.text),
    line.imageUrl ? h('img', { class: 'chat-image', src: line.imageUrl, alt: line.text, onload: fitThumbnail }) : null,
    h('time', { class: 'chat-time' }, time));
}

const thumbnail = { maxWidth: 240, maxHeight: 160, minLongSide: 96, minSide: 24 };

/**
 * The size a chat thumbnail is shown at: a large picture shrinks into 240 x 160, a tiny one grows until
 * its longer side is 96 px (a 2 x 2 upload is a visible square, not a dot), both keeping their
 * proportions; no side below 24 px (the picture is contained in that box). Enlarged twice or more,
 * its pixels are drawn sharp.
 */
export function thumbnailSize(width: number, height: number): { width: number; height: number; pixelated: boolean } {
  const w = Math.max(1, width);
  const h = Math.max(1, height);
  const fit = Math.min(thumbnail.maxWidth / w, thumbnail.maxHeight / h);
  let k = Math.min(1, fit);
  if (Math.max(w, h) * k < thumbnail.minLongSide) k = Math.min(thumbnail.minLongSide / Math.max(w, h), fit);
  const clamp = (v: number, max: number) => Math.min(max, Math.max(thumbnail.minSide, Math.round(v)));
  return { width: clamp(w * k, thumbnail.maxWidth), height: clamp(h * k, thumbnail.maxHeight), pixelated: k >= 2 };
}

function fitThumbnail(this: HTMLImageElement): void {
  const size = thumbnailSize(this.naturalWidth, this.naturalHeight);
  this.style.width = `${size.width}px`;
  this.style.height = `${size.height}px`;
  this.classList.toggle('pixelated', size.pixelated);
  this.dataset.shown = `${size.width}x${size.height}`;
}
