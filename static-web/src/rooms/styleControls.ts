// R7: a meeting room's name and area styles edited with colour and size controls. The JSON of the
// manual stays as an advanced field: the controls write into it, and it is what is saved, so any
// property the server allows can still be typed there.
import { h } from '../ui/dom';
import { t, type MessageKey } from '../i18n';
import { parseStyle } from './meetingRoomDialog';

type Rgba = { hex: string; alpha: number };

/** "#abc", "#aabbcc", "rgb(…)", "rgba(…)" as a colour input's "#rrggbb" and an alpha; null for anything else. */
export function readColor(value: string | undefined): Rgba | null {
  if (!value) return null;
  const text = value.trim();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/i.exec(text);
  if (short) return { hex: `#${short[1]}${short[1]}${short[2]}${short[2]}${short[3]}${short[3]}`.toLowerCase(), alpha: 1 };
  if (/^#[0-9a-f]{6}$/i.test(text)) return { hex: text.toLowerCase(), alpha: 1 };
  const rgb = /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*([0-9.]+)\s*)?\)$/i.exec(text);
  if (!rgb) return null;
  const hex = [rgb[1], rgb[2], rgb[3]].map((n) => Math.min(255, Number(n)).toString(16).padStart(2, '0')).join('');
  return { hex: `#${hex}`, alpha: rgb[4] === undefined ? 1 : Math.max(0, Math.min(1, Number(rgb[4]))) };
}

/** A colour input's value with an alpha, as CSS: "#rrggbb" when opaque, else "rgba(r, g, b, a)". */
export function writeColor(hex: string, alpha: number): string {
  if (alpha >= 1) return hex;
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${Math.round(alpha * 100) / 100})`;
}

const pixels = (value: string | undefined) => {
  const match = /^(\d+(?:\.\d+)?)px$/.exec(value?.trim() ?? '');
  return match ? Number(match[1]) : null;
};

interface Control { element: HTMLElement; show(style: Record<string, string>): void }

export interface StyleEditor {
  element: HTMLElement;
  /** The JSON field (the saved value). */
  json: HTMLTextAreaElement;
}

function field(label: MessageKey, input: HTMLElement, hintName: string): HTMLElement {
  return h('label', { class: 'style-control' }, h('span', { class: 'field-label' }, t(label), h('code', { class: 'field-name' }, hintName)), input);
}

/**
 * The controls of one style and its JSON field. `kind` "name": text colour, size, bold; "area":
 * background colour with opacity, border colour and width.
 */
export function styleEditor(kind: 'name' | 'area', initial: Record<string, string>, jsonName: string, jsonLabel: MessageKey, hint: string): StyleEditor {
  const json = h('textarea', { name: jsonName, rows: 2, value: JSON.stringify(initial), spellcheck: false, 'aria-label': t(jsonLabel) });
  const current = (): Record<string, string> | null => {
    const parsed = parseStyle(json.value);
    return 'style' in parsed ? parsed.style : null;
  };
  const write = (change: (style: Record<string, string>) => void) => {
    const style = current();
    if (!style) return; // the JSON is being typed and is not valid yet: the controls do not overwrite it
    change(style);
    json.value = JSON.stringify(style);
  };

  const colorControl = (property: string, label: MessageKey, fallback: string, withAlpha: boolean): Control => {
    const color = h('input', { type: 'color', name: `${jsonName}.${property}`, value: fallback });
    const alpha = withAlpha ? h('input', { type: 'range', name: `${jsonName}.${property}.alpha`, min: 0, max: 100, step: 5, value: 100, 'aria-label': t('layout.style.opacity') }) : null;
    const apply = () => write((s) => { s[property] = writeColor(color.value, alpha ? Number(alpha.value) / 100 : 1); });
    color.addEventListener('input', apply);
    alpha?.addEventListener('input', apply);
    return {
      element: field(label, h('span', { class: 'color-pair' }, color, alpha ? h('span', { class: 'muted' }, t('layout.style.opacity')) : null, alpha), property),
      show(style) {
        const c = readColor(style[property]);
        color.value = c?.hex ?? fallback;
        if (alpha) alpha.value = String(Math.round((c?.alpha ?? 1) * 100));
      },
    };
  };
  const sizeControl = (property: string, label: MessageKey, min: number, max: number, fallback: number): Control => {
    const size = h('input', { type: 'number', name: `${jsonName}.${property}`, min, max, step: 1, value: fallback, class: 'size-input' });
    size.addEventListener('input', () => {
      const n = Number(size.value);
      if (size.value !== '' && Number.isFinite(n) && n >= min && n <= max) write((s) => { s[property] = `${Math.round(n)}px`; });
    });
    return {
      element: field(label, h('span', { class: 'size-pair' }, size, h('span', { class: 'muted' }, 'px')), property),
      show(style) { size.value = String(pixels(style[property]) ?? fallback); },
    };
  };
  const boldControl = (): Control => {
    const bold = h('input', { type: 'checkbox', name: `${jsonName}.fontWeight` });
    bold.addEventListener('change', () => write((s) => { if (bold.checked) s.fontWeight = 'bold'; else delete s.fontWeight; }));
    return {
      element: h('label', { class: 'style-control checkbox' }, bold, h('span', {}, t('layout.style.bold')), h('code', { class: 'field-name' }, 'fontWeight')),
      show(style) { bold.checked = style.fontWeight === 'bold' || Number(style.fontWeight) >= 600; },
    };
  };

  const controls: Control[] = kind === 'name'
    ? [colorControl('color', 'layout.style.textColor', '#1f2733', false), sizeControl('fontSize', 'layout.style.fontSize', 8, 96, 16), boldControl()]
    : [colorControl('background', 'layout.style.background', '#2f6fde', true), colorControl('borderColor', 'layout.style.borderColor', '#2f6fde', false),
      sizeControl('borderWidth', 'layout.style.borderWidth', 0, 20, 2)];
  const show = () => { const style = current(); if (style) for (const c of controls) c.show(style); };
  json.addEventListener('input', show);
  show();

  const element = h('div', { class: 'style-editor', dataset: { styleKind: kind } },
    h('div', { class: 'style-controls' }, controls.map((c) => c.element)),
    h('details', { class: 'style-json', 'data-testid': `${kind}-style-json` },
      h('summary', {}, t('layout.style.advanced')),
      json,
      h('span', { class: 'field-hint' }, hint)));
  return { element, json };
}
