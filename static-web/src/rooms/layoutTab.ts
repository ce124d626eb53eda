import { roomSettingsApi, type MeetingRoom, type RoomSettings, type ScaleMode, type ScaleRule, type SettingsPut } from '../api/settings';
import type { Versioned } from '../api/types';
import type { AppContext } from '../app/context';
import { confirmDialog } from '../ui/dialog';
import { h } from '../ui/dom';
import { icon } from '../ui/icons';
import { notify, showError } from '../ui/notice';
import { showSaveError } from '../ui/problems';
import { t, type MessageKey } from '../i18n';
import { MeetingRoomEditor } from './meetingRoomEditor';
import { meetingRoomDialog } from './meetingRoomDialog';
import type { RoomBeingEdited } from './roomEdit';

const scaleModes: { value: ScaleMode; label: MessageKey }[] = [
  { value: 'fit-height', label: 'layout.scale.fit-height' },
  { value: 'fit-width', label: 'layout.scale.fit-width' },
  { value: 'fixed', label: 'layout.scale.fixed' },
];
const editorWidth = 880;

/** A copy of the meeting rooms that the editor may change without touching what was read. */
function copyRooms(rooms: MeetingRoom[]): MeetingRoom[] {
  return rooms.map((r) => ({ ...r, nameStyle: { ...r.nameStyle }, areaStyle: { ...r.areaStyle }, bgm: r.bgm ? { ...r.bgm } : null }));
}

/** The PUT body of the meeting rooms: the view's fields, BGM as the PUT takes it. */
export function meetingRoomsBody(rooms: MeetingRoom[]): NonNullable<SettingsPut['meetingRooms']> {
  return rooms.map((r) => ({
    ...(r.id ? { id: r.id } : {}),
    name: r.name, x: r.x, y: r.y, width: r.width, height: r.height,
    nameStyle: r.nameStyle, areaStyle: r.areaStyle, audioMode: r.audioMode, bgmVolume: r.bgmVolume,
    bgm: r.bgm?.kind === 'url' ? { kind: 'url', url: r.bgm.url ?? '' } : r.bgm?.kind === 'uploaded' ? { kind: 'uploaded' } : null,
  }));
}

/**
 * R4-R7 "レイアウト設定": sound, background (with a preview before upload), scale and the meeting-room
 * editor with its ordered list. "変更を適用する" saves sound, scale and meeting rooms with If-Match.
 */
export async function layoutTab(ctx: AppContext, state: RoomBeingEdited): Promise<HTMLElement> {
  const api = roomSettingsApi(ctx.api);
  const roomId = state.room.id;
  let saved: Versioned<RoomSettings> = await api.get(roomId);
  let rooms = copyRooms(saved.value.meetingRooms);
  let dirty = false;
  let backgroundUrl: string | null = null;

  const root = h('div', { class: 'layout-tab' });
  const errors = h('div', { class: 'form-errors', 'data-testid': 'layout-errors' });
  const apply = h('button', { type: 'button', class: 'primary', 'data-testid': 'layout-apply' }, t('roomEdit.apply'));
  const dirtyNote = h('span', { class: 'muted dirty-note' });
  const list = h('ol', { class: 'mr-list', 'data-testid': 'meeting-room-list' });
  const editorSlot = h('div', { class: 'editor-slot' });
  let editor: MeetingRoomEditor;

  // Sound (R4)
  const sound = saved.value.sound;
  const number = (name: string, value: number, min: number, max: number, step = 1) =>
    h('input', { type: 'number', name, value: String(value), min, max, step, required: true });
  const voiceReach = number('voiceReach', sound.voiceReach, 50, 5000, 10);
  const chime = number('entryChimeVolume', sound.entryChimeVolume, 0, 100);
  const door = number('doorVolume', sound.doorVolume, 0, 100);

  // Scale (R6)
  function scaleField(label: MessageKey, rule: ScaleRule, min: number, max: number, name: string) {
    const mode = h('select', { name: `${name}Mode` }, scaleModes.map((m) => h('option', { value: m.value, selected: m.value === rule.mode }, t(m.label))));
    const percent = h('input', { type: 'number', name: `${name}Percent`, min, max, value: String(rule.percent ?? 100), 'aria-label': t('layout.scale.percent') });
    const sync = () => { percent.disabled = mode.value !== 'fixed'; };
    mode.addEventListener('change', sync);
    sync();
    const read = (): ScaleRule => (mode.value === 'fixed' ? { mode: 'fixed', percent: Number(percent.value) } : { mode: mode.value as ScaleMode });
    return {
      read, min, max, percent, label,
      element: h('div', { class: 'field' }, h('span', { class: 'field-label' }, t(label)),
        h('div', { class: 'inline-form' }, mode, h('label', { class: 'percent' }, percent, '%')),
        h('span', { class: 'field-hint' }, t('layout.scale.range', { min, max }))),
    };
  }
  const minimum = scaleField('layout.scale.minimum', saved.value.scale.minimum, 30, 100, 'minimum');
  const entryScale = scaleField('layout.scale.entry', saved.value.scale.entry, 30, 150, 'entry');

  function markDirty(): void {
    dirty = true;
    dirtyNote.textContent = t('layout.unsaved');
    drawList();
  }

  async function loadBackground(): Promise<void> {
    if (backgroundUrl) URL.revokeObjectURL(backgroundUrl);
    backgroundUrl = null;
    if (!saved.value.background.uploaded) return;
    try {
      backgroundUrl = URL.createObjectURL((await api.background(roomId)).blob);
    } catch {
      backgroundUrl = null; // Drawn on the default background; the editor still works.
    }
  }

  function drawEditor(): void {
    const bg = saved.value.background;
    editor = new MeetingRoomEditor({
      width: bg.width, height: bg.height, background: backgroundUrl, rooms, viewWidth: editorWidth,
      changed: markDirty,
      edit: (index) => void editRoom(index),
    });
    editorSlot.replaceChildren(editor.element,
      h('p', { class: 'field-hint' }, t('layout.size', { width: bg.width, height: bg.height }), ' ', t('layout.canvasHint')));
  }

  function drawList(): void {
    list.replaceChildren(...rooms.map((room, index) => h('li', { class: `mr-row${index === editor?.selected ? ' selected' : ''}`, dataset: { index: String(index), name: room.name } },
      h('span', { class: 'mr-row-name' }, room.name),
      h('span', { class: 'muted mr-row-rect' }, `(${room.x}, ${room.y}) ${room.width} × ${room.height}`),
      h('span', { class: 'row-actions' },
        h('button', { type: 'button', class: 'icon-button', title: t('layout.editRoom', { name: room.name }), 'aria-label': t('layout.editRoom', { name: room.name }), onclick: () => void editRoom(index) }, icon('pencil')),
        h('button', { type: 'button', class: 'secondary', disabled: index === 0, 'aria-label': t('layout.up', { name: room.name }), onclick: () => moveRoom(index, -1) }, t('providers.up')),
        h('button', { type: 'button', class: 'secondary', disabled: index === rooms.length - 1, 'aria-label': t('layout.down', { name: room.name }), onclick: () => moveRoom(index, 1) }, t('providers.down')),
        h('button', { type: 'button', class: 'icon-button', title: t('layout.removeRoom', { name: room.name }), 'aria-label': t('layout.removeRoom', { name: room.name }), onclick: () => removeRoom(index) }, icon('trash'))))));
  }

  function moveRoom(index: number, by: number): void {
    const target = index + by;
    if (target < 0 || target >= rooms.length) return;
    [rooms[index], rooms[target]] = [rooms[target], rooms[index]];
    editor.selected = target;
    editor.draw();
    markDirty();
  }

  function removeRoom(index: number): void {
    rooms.splice(index, 1);
    editor.selected = -1;
    editor.draw();
    markDirty();
  }

  async function editRoom(index: number): Promise<void> {
    const changed = await meetingRoomDialog({
      ctx, roomId, saved,
      onUploaded: (next) => { saved = { value: next.value, etag: next.etag }; },
    }, rooms[index]);
    if (changed) {
      editor.draw();
      markDirty();
    }
  }

  /** After a save or an upload: what the server now has is what the editor shows. */
  function adopt(next: Versioned<RoomSettings>): void {
    saved = next;
    rooms = copyRooms(next.value.meetingRooms);
    dirty = false;
    dirtyNote.textContent = '';
    drawEditor();
    drawList();
  }

  apply.addEventListener('click', async () => {
    const checks: [HTMLInputElement, MessageKey, number, number][] = [
      [voiceReach, 'layout.voiceReach', 50, 5000], [chime, 'layout.chimeVolume', 0, 100], [door, 'layout.doorVolume', 0, 100],
      ...[minimum, entryScale].filter((s) => !s.percent.disabled).map((s) => [s.percent, s.label, s.min, s.max] as [HTMLInputElement, MessageKey, number, number]),
    ];
    for (const [input, label, min, max] of checks) {
      const value = Number(input.value);
      if (input.value.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
        errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, t('layout.outOfRange', { field: t(label), min, max })));
        input.focus();
        return;
      }
    }
    apply.disabled = true;
    try {
      const next = await api.put(roomId, {
        sound: { voiceReach: Number(voiceReach.value), entryChimeVolume: Number(chime.value), doorVolume: Number(door.value) },
        scale: { minimum: minimum.read(), entry: entryScale.read() },
        meetingRooms: meetingRoomsBody(rooms),
      }, saved.etag);
      adopt(next);
      showSaveError(ctx, errors, null);
      notify(t('roomEdit.applied'));
    } catch (error) {
      showSaveError(ctx, errors, error);
    } finally {
      apply.disabled = false;
    }
  });

  // Background (R5): a preview of the chosen image, then the upload.
  const bgFile = h('input', { type: 'file', name: 'background', accept: 'image/png,image/jpeg,image/webp,image/gif', 'aria-label': t('layout.background') });
  const preview = h('div', { class: 'bg-preview', 'data-testid': 'background-preview' });
  const bgErrors = h('div', { class: 'form-errors' });
  const bgUpload = h('button', { type: 'button', class: 'secondary', disabled: true }, t('layout.backgroundUpload'));
  bgFile.addEventListener('change', () => {
    const file = bgFile.files?.[0];
    preview.replaceChildren();
    bgUpload.disabled = !file;
    if (!file) return;
    const url = URL.createObjectURL(file);
    const image = h('img', { src: url, alt: t('layout.backgroundPreview') });
    const size = h('span', { class: 'field-hint' });
    image.addEventListener('load', () => { size.textContent = t('layout.size', { width: image.naturalWidth, height: image.naturalHeight }); });
    image.addEventListener('error', () => { size.textContent = t('layout.notAnImage'); });
    preview.append(image, size);
  });
  bgUpload.addEventListener('click', async () => {
    const file = bgFile.files?.[0];
    if (!file) return;
    if (dirty) {
      const go = await confirmDialog({ title: t('layout.backgroundUpload'), message: t('layout.discardUnsaved'), confirmLabel: t('layout.backgroundUpload'), action: async () => {} });
      if (!go) return;
    }
    bgUpload.disabled = true;
    try {
      const next = await api.putBackground(roomId, file);
      saved = next;
      await loadBackground();
      adopt(next);
      bgFile.value = '';
      preview.replaceChildren();
      showError(bgErrors, null);
      notify(t('layout.backgroundUploaded'));
    } catch (error) {
      showError(bgErrors, error);
    } finally {
      bgUpload.disabled = !bgFile.files?.length;
    }
  });

  await loadBackground();
  drawEditor();
  drawList();

  const numberField = (label: MessageKey, input: HTMLInputElement, hint: string) =>
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t(label)), input, h('span', { class: 'field-hint' }, hint));
  root.append(
    h('section', { class: 'settings-form' },
      h('h2', {}, t('layout.sound')),
      numberField('layout.voiceReach', voiceReach, t('layout.voiceReachHint')),
      numberField('layout.chimeVolume', chime, t('layout.volumeHint')),
      numberField('layout.doorVolume', door, t('layout.volumeHint')),
      h('h2', {}, t('layout.scale')),
      minimum.element,
      entryScale.element),
    h('section', { class: 'settings-form' },
      h('h2', {}, t('layout.background')),
      h('p', { class: 'field-hint' }, t('layout.backgroundHint')),
      h('div', { class: 'inline-form' }, h('label', { class: 'field grow' }, bgFile), bgUpload),
      preview,
      bgErrors),
    h('section', { class: 'settings-form wide meeting-rooms' },
      h('div', { class: 'toolbar' },
        h('h2', {}, t('layout.meetingRooms')),
        h('button', { type: 'button', class: 'secondary', 'data-testid': 'add-meeting-room', onclick: () => editor.add({ x: 0, y: 0, width: Math.min(400, saved.value.background.width), height: Math.min(300, saved.value.background.height) }) },
          icon('plus'), t('layout.addRoom'))),
      editorSlot,
      list),
    h('div', { class: 'form-actions sticky-actions' }, dirtyNote, apply),
    errors);
  return root;
}
