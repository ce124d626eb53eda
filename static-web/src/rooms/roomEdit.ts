import type { Room, Space } from '../api/types';
import { canAdministerRoom, isSiteAdmin, type AppContext, type Page } from '../app/context';
import { checkField } from '../ui/dialog';
import { h, splitList } from '../ui/dom';
import { notify, showError } from '../ui/notice';
import { t, type MessageKey } from '../i18n';
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

export const roomEditTabs: RoomEditTab[] = [{ id: 'general', label: 'roomEdit.general', render: generalTab }];

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
    content: h('div', { class: 'page room-edit' },
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
      showError(errors, null);
      notify(t('roomEdit.applied'));
    } catch (error) {
      showError(errors, error);
    } finally {
      apply.disabled = false;
    }
  });
  return form;
}
