import type { Room, Space } from '../api/types';
import { ApiError } from '../api/client';
import { roomSettingsApi, saveFile } from '../api/settings';
import { canAdministerRoom, isSiteAdmin, type AppContext, type Page } from '../app/context';
import { checkField, confirmDialog } from '../ui/dialog';
import { h, splitList } from '../ui/dom';
import { errorBox, notify } from '../ui/notice';
import { showSaveError } from '../ui/problems';
import { t, type MessageKey } from '../i18n';
import { logExportPanel } from '../logs/logExport';
import { entryTab } from './entryTab';
import { layoutTab } from './layoutTab';
import { roomDescriptionMax, spaceNameMax } from './roomSelect';

/**
 * One menu of the room-edit screen (R1 general; the room-settings feature adds entry
 * permission and layout). Each tab renders its own form and saves through its own API call.
 */
export interface RoomEditTab {
  id: string;
  label: MessageKey;
  render(ctx: AppContext, room: RoomBeingEdited): Promise<HTMLElement>;
}

/** The room as read, with the ETag a save sends back as If-Match. */
export interface RoomBeingEdited {
  room: Room;
  etag: string | null;
}

export const roomEditTabs: RoomEditTab[] = [
  { id: 'general', label: 'roomEdit.general', render: generalTab },
  { id: 'entry', label: 'roomEdit.entry', render: entryTab },
  { id: 'layout', label: 'roomEdit.layout', render: layoutTab },
];

/** "/rooms/{id}/edit[/{tab}]": the room-edit screen of site admins and the room's admins. */
export async function roomEditPage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const title = t('roomEdit.title');
  if (!canAdministerRoom(ctx, params.id))
    return { title, content: h('div', { class: 'page narrow' }, h('h1', {}, title), h('p', { class: 'error', role: 'alert' }, t('error.forbidden'))) };
  const { value: room, etag } = await ctx.api.room(params.id);
  const tab = roomEditTabs.find((x) => x.id === params.tab) ?? roomEditTabs[0];
  const state: RoomBeingEdited = { room, etag };
  return {
    title: `${title}: ${room.name}`,
    content: h('div', { class: 'page room-edit', dataset: { roomId: room.id, tab: tab.id } },
      h('a', { class: 'back', href: ctx.href(`/spaces/${room.spaceId}`), 'data-link': true }, `← ${t('app.roomSelect')}`),
      h('h1', {}, title, h('span', { class: 'subtitle' }, room.name)),
      h('nav', { class: 'tabs', role: 'tablist' },
        roomEditTabs.map((x) => h('a', {
          class: `tab${x.id === tab.id ? ' selected' : ''}`, role: 'tab', 'aria-selected': String(x.id === tab.id),
          href: ctx.href(`/rooms/${room.id}/edit/${x.id}`), 'data-link': true,
        }, t(x.label)))),
      await tab.render(ctx, state)),
  };
}

/** R1: space (site admins move rooms), name, description, room admins. */
async function generalTab(ctx: AppContext, state: RoomBeingEdited): Promise<HTMLElement> {
  const admin = isSiteAdmin(ctx);
  const spaces: Space[] = await ctx.api.spaces();
  const { room } = state;
  const space = h('select', { name: 'spaceId', disabled: !admin },
    spaces.map((s) => h('option', { value: s.id, selected: s.id === room.spaceId }, s.name)));
  const name = h('input', { name: 'name', value: room.name, maxlength: spaceNameMax, autocomplete: 'off' });
  const description = h('textarea', { name: 'description', rows: 3, maxlength: roomDescriptionMax, value: room.description });
  const roomAdmins = h('textarea', { name: 'roomAdmins', rows: 2, value: room.roomAdmins.join(', ') });
  const errors = h('div', { class: 'form-errors' });
  const apply = h('button', { type: 'submit', class: 'primary' }, t('roomEdit.apply'));
  const form = h('form', { class: 'settings-form', novalidate: true },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('roomEdit.space')), space),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('rooms.name')), name),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('rooms.description')), description),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, t('roomEdit.admins')), roomAdmins,
      h('span', { class: 'field-hint' }, t('roomEdit.adminsHint'))),
    errors,
    h('div', { class: 'form-actions' }, apply));
  const wrapper = h('div', { class: 'room-edit-general' }, form, zawaSection(ctx, state), roomLogSection(ctx, state));
  // From the room card's log icon ("ルームのログ出力"): show that section.
  if (location.hash === '#room-logs') setTimeout(() => document.getElementById('room-logs')?.scrollIntoView({ block: 'start' }), 0);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problem = checkField({ label: t('rooms.name'), required: true, maxLength: spaceNameMax }, name.value.trim());
    if (problem) return errors.replaceChildren(h('div', { class: 'error', role: 'alert' }, problem));
    apply.disabled = true;
    try {
      const saved = await ctx.api.patchRoom(room.id, {
        name: name.value.trim(),
        description: description.value.trim(),
        ...(admin ? { spaceId: space.value } : {}),
        roomAdmins: splitList(roomAdmins.value),
      }, state.etag);
      state.room = saved.value;
      state.etag = saved.etag;
      showSaveError(ctx, errors, null);
      notify(t('roomEdit.applied'));
      // Naming oneself out of the room's admins (or moving it) changes what this person may do.
      await ctx.refreshMe();
    } catch (error) {
      showSaveError(ctx, errors, error);
    } finally {
      apply.disabled = false;
    }
  });
  return wrapper;
}

/** R1, R2: the room settings file, written out and read in ("ルーム設定ファイルの読込み・書出し"). */
function zawaSection(ctx: AppContext, state: RoomBeingEdited): HTMLElement {
  const settings = roomSettingsApi(ctx.api);
  const errors = h('div', { class: 'form-errors', 'data-testid': 'zawa-errors' });
  const file = h('input', { type: 'file', name: 'zawa', accept: '.zawa,application/json', 'aria-label': t('zawa.file') });
  const exportButton = h('button', { type: 'button', class: 'secondary', 'data-testid': 'zawa-export' }, t('zawa.export'));
  const importButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'zawa-import', disabled: true }, t('zawa.import'));
  file.addEventListener('change', () => { importButton.disabled = !file.files?.length; });

  exportButton.addEventListener('click', async () => {
    exportButton.disabled = true;
    try {
      const { blob, fileName } = await settings.exportFile(state.room.id);
      saveFile(blob, fileName ?? `${state.room.name}.zawa`);
      showSaveError(ctx, errors, null);
    } catch (error) {
      showSaveError(ctx, errors, error);
    } finally {
      exportButton.disabled = false;
    }
  });

  importButton.addEventListener('click', async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    const ok = await confirmDialog({
      title: t('zawa.importTitle'),
      message: t('zawa.importMessage', { file: chosen.name, room: state.room.name }),
      confirmLabel: t('zawa.import'),
      action: async () => {
        try {
          const result = await settings.importFile(state.room.id, chosen);
          const ignored = result.value.ignoredDomains;
          notify(ignored.length > 0 ? t('zawa.importedIgnored', { domains: ignored.join(', ') }) : t('zawa.imported'));
        } catch (error) {
          // A file that is not a Zawaroom room file is named as such, in the person's language.
          if (error instanceof ApiError && error.code === 'file-invalid') throw new ApiError({ ...error.problem, code: 'zawa-invalid' });
          throw error;
        }
      },
    });
    if (ok) {
      file.value = '';
      importButton.disabled = true;
    }
  });

  return h('section', { class: 'settings-form zawa-file' },
    h('h2', {}, t('zawa.title')),
    h('p', { class: 'field-hint' }, t('zawa.hint')),
    h('div', { class: 'inline-form' }, exportButton),
    h('div', { class: 'inline-form zawa-import' }, h('label', { class: 'field grow' }, h('span', { class: 'field-label' }, t('zawa.file')), file), importButton),
    errors);
}

/** G2: the room's usage log, for the room's admins and site admins ("ルームのログ出力"). */
function roomLogSection(ctx: AppContext, state: RoomBeingEdited): HTMLElement {
  return h('section', { class: 'settings-form room-logs', id: 'room-logs' },
    h('h2', {}, t('logs.roomTitle')),
    logExportPanel(ctx, { kind: 'room', roomId: state.room.id }));
}

/** An inline error box for a section that could not be read. */
export function failedSection(error: unknown): HTMLElement {
  return h('div', { class: 'settings-form' }, errorBox(error));
}
