import { roomSettingsApi, type AudioMode, type BgmVolume, type MeetingRoom, type RoomSettings } from '../api/settings';
import type { Versioned } from '../api/types';
import type { AppContext } from '../app/context';
import { h } from '../ui/dom';
import { notify, showError } from '../ui/notice';
import { t, type MessageKey } from '../i18n';
import { styleEditor } from './styleControls';

export const audioModes: { value: AudioMode; label: MessageKey }[] = [
  { value: 'whole-room', label: 'layout.audio.whole-room' },
  { value: 'by-distance', label: 'layout.audio.by-distance' },
  { value: 'none', label: 'layout.audio.none' },
];
export const bgmVolumes: { value: BgmVolume; label: MessageKey }[] = [
  { value: 'normal', label: 'layout.bgmVolume.normal' },
  { value: 'lower', label: 'layout.bgmVolume.lower' },
  { value: 'much-lower', label: 'layout.bgmVolume.much-lower' },
];

/** A style as JSON text: an object of strings or numbers, or the reason it is not one. */
export function parseStyle(text: string): { style: Record<string, string> } | { problem: string } {
  if (text.trim() === '') return { style: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problem: t('layout.styleNotJson') };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { problem: t('layout.styleNotObject') };
  const style: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string' && typeof v !== 'number') return { problem: t('layout.styleValue', { key }) };
    style[key] = String(v);
  }
  return { style };
}

export interface DialogContext {
  ctx: AppContext;
  roomId: string;
  /** The settings as last read or saved (an uploaded BGM updates them, and their ETag). */
  saved: Versioned<RoomSettings>;
  onUploaded(saved: Versioned<RoomSettings>): void;
}

/** The pencil dialog of one meeting room: name, the two styles, audio, BGM and its volume. "変更する" applies it. */
export function meetingRoomDialog(d: DialogContext, room: MeetingRoom): Promise<boolean> {
  return new Promise((resolve) => {
    let done = false;
    const name = h('input', { name: 'name', value: room.name, maxlength: 50, autocomplete: 'off' });
    // Colour and size controls; the manual's JSON stays reachable under "詳細設定（JSON）".
    const nameEditor = styleEditor('name', room.nameStyle, 'nameStyle', 'layout.nameStyle', t('layout.nameStyleHint'));
    const areaEditor = styleEditor('area', room.areaStyle, 'areaStyle', 'layout.areaStyle', t('layout.areaStyleHint'));
    const nameStyle = nameEditor.json;
    const areaStyle = areaEditor.json;
    const audio = h('select', { name: 'audioMode' }, audioModes.map((m) => h('option', { value: m.value, selected: m.value === room.audioMode }, t(m.label))));
    const bgmKind = h('select', { name: 'bgmKind' },
      h('option', { value: 'none', selected: !room.bgm }, t('layout.bgm.none')),
      h('option', { value: 'url', selected: room.bgm?.kind === 'url' }, t('layout.bgm.url')),
      h('option', { value: 'uploaded', selected: room.bgm?.kind === 'uploaded', disabled: room.bgm?.kind !== 'uploaded' }, t('layout.bgm.uploaded')));
    const bgmUrl = h('input', { name: 'bgmUrl', type: 'url', placeholder: 'https://…/music.mp3', value: room.bgm?.kind === 'url' ? room.bgm.url ?? '' : '' });
    const bgmFile = h('input', { type: 'file', name: 'bgmFile', accept: 'audio/mpeg,.mp3', disabled: !room.id });
    const upload = h('button', { type: 'button', class: 'secondary', disabled: true }, t('layout.bgm.upload'));
    const volume = h('select', { name: 'bgmVolume' }, bgmVolumes.map((v) => h('option', { value: v.value, selected: v.value === room.bgmVolume }, t(v.label))));
    const errors = h('div', { class: 'form-errors' });
    const dialog = h('dialog', { class: 'dialog wide scrolls', 'aria-label': t('layout.roomDialog') });
    const showUrl = () => { bgmUrl.closest('label')!.hidden = bgmKind.value !== 'url'; };
    bgmKind.addEventListener('change', showUrl);
    bgmFile.addEventListener('change', () => { upload.disabled = !bgmFile.files?.length; });

    upload.addEventListener('click', async () => {
      const file = bgmFile.files?.[0];
      if (!file || !room.id) return;
      upload.disabled = true;
      try {
        const saved = await roomSettingsApi(d.ctx.api).putBgm(d.roomId, room.id, file);
        d.onUploaded(saved);
        room.bgm = { kind: 'uploaded' };
        const uploadedOption = bgmKind.querySelector<HTMLOptionElement>('option[value=uploaded]')!;
        uploadedOption.disabled = false;
        bgmKind.value = 'uploaded';
        showUrl();
        showError(errors, null);
        notify(t('layout.bgm.uploadedDone'));
      } catch (error) {
        showError(errors, error);
      } finally {
        upload.disabled = !bgmFile.files?.length;
      }
    });

    const field = (label: MessageKey, input: HTMLElement, hint?: string) =>
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, t(label)), input, hint ? h('span', { class: 'field-hint' }, hint) : null);
    const form = h('form', { method: 'dialog', novalidate: true },
      h('h2', {}, t('layout.roomDialog')),
      field('layout.roomName', name, t('layout.guestAreaHint')),
      h('div', { class: 'field' }, h('span', { class: 'field-label' }, t('layout.nameStyle')), nameEditor.element),
      h('div', { class: 'field' }, h('span', { class: 'field-label' }, t('layout.areaStyle')), areaEditor.element),
      field('layout.audioMode', audio),
      field('layout.bgm', bgmKind),
      field('layout.bgm.urlLabel', bgmUrl, t('layout.bgm.urlHint')),
      h('div', { class: 'inline-form bgm-upload' },
        h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, t('layout.bgm.file')), bgmFile,
          h('span', { class: 'field-hint' }, room.id ? t('layout.bgm.fileHint') : t('layout.bgm.saveFirst'))),
        upload),
      field('layout.bgmVolume', volume),
      errors,
      h('div', { class: 'dialog-actions sticky-actions' },
        h('button', { type: 'button', class: 'secondary', onclick: () => dialog.close() }, t('app.cancel')),
        h('button', { type: 'submit', class: 'primary' }, t('layout.change'))));
    showUrl();

    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const fail = (text: string) => errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, text));
      const newName = name.value.trim();
      if (newName.length === 0) return fail(t('form.required', { field: t('layout.roomName') }));
      const ns = parseStyle(nameStyle.value);
      if ('problem' in ns) return fail(`${t('layout.nameStyle')}: ${ns.problem}`);
      const as = parseStyle(areaStyle.value);
      if ('problem' in as) return fail(`${t('layout.areaStyle')}: ${as.problem}`);
      if (bgmKind.value === 'url' && !/^https:\/\/\S+$/.test(bgmUrl.value.trim())) return fail(t('layout.bgm.urlInvalid'));
      room.name = newName;
      room.nameStyle = ns.style;
      room.areaStyle = as.style;
      room.audioMode = audio.value as AudioMode;
      room.bgm = bgmKind.value === 'url' ? { kind: 'url', url: bgmUrl.value.trim() } : bgmKind.value === 'uploaded' ? { kind: 'uploaded' } : null;
      room.bgmVolume = volume.value as BgmVolume;
      done = true;
      dialog.close();
    });
    dialog.appendChild(form);
    document.body.appendChild(dialog);
    dialog.addEventListener('close', () => { dialog.remove(); resolve(done); });
    dialog.showModal();
    name.focus();
  });
}
