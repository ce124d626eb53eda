import type { Space, TrashedRoom } from '../api/types';
import type { AppContext } from '../app/context';
import { confirmDialog, formDialog } from '../ui/dialog';
import { h } from '../ui/dom';
import { errorBox, notify } from '../ui/notice';
import { formatDateTime, t } from '../i18n';

/** P2: rooms in the trash, restored or purged by site admins. Shown inside the admin menu. */
export async function trashSection(ctx: AppContext): Promise<HTMLElement> {
  const [rooms, spaces] = await Promise.all([ctx.api.trash(), ctx.api.spaces()]);
  const spaceName = (id: string) => spaces.find((s) => s.id === id)?.name;
  return h('section', { class: 'trash' },
    h('div', { class: 'toolbar' },
      h('h2', {}, t('trash.title')),
      rooms.length > 0 ? h('button', { type: 'button', class: 'danger', onclick: () => purgeAll(ctx, rooms) }, t('trash.purgeAll')) : null),
    rooms.length === 0
      ? h('p', { class: 'empty' }, t('trash.none'))
      : h('table', { class: 'table' },
        h('thead', {}, h('tr', {},
          h('th', {}, t('rooms.name')), h('th', {}, t('rooms.description')), h('th', {}, t('trash.space')),
          h('th', {}, t('trash.trashedAt')), h('th', {}))),
        h('tbody', {}, rooms.map((room) => h('tr', { dataset: { roomId: room.id } },
          h('td', {}, room.name),
          h('td', { class: 'muted' }, room.description),
          h('td', {}, spaceName(room.spaceId) ?? t('trash.spaceGone')),
          h('td', {}, formatDateTime(room.trashedAt)),
          h('td', { class: 'row-actions' },
            h('button', { type: 'button', class: 'secondary', onclick: () => restore(ctx, room, spaces) }, t('trash.restore')),
            h('button', { type: 'button', class: 'danger', onclick: () => purge(ctx, room) }, t('trash.purge'))))))));
}

async function restore(ctx: AppContext, room: TrashedRoom, spaces: Space[]): Promise<void> {
  if (spaces.some((s) => s.id === room.spaceId) || spaces.length === 0) {
    // Back into its own space (with no space left at all the API explains that one is needed).
    try {
      await ctx.api.restoreRoom(room.id);
    } catch (error) {
      const section = document.querySelector('.trash');
      section?.querySelector(':scope > .error')?.remove();
      section?.querySelector('.toolbar')?.after(errorBox(error));
      return;
    }
  } else {
    // Its space was deleted: the admin chooses where it goes.
    const ok = await formDialog({
      title: t('trash.restore'),
      submitLabel: t('trash.restore'),
      fields: [{ name: 'spaceId', label: t('trash.restoreInto'), kind: 'select', options: spaces.map((s) => ({ value: s.id, label: s.name })), value: spaces[0].id }],
      submit: async (values) => { await ctx.api.restoreRoom(room.id, values.spaceId); },
    });
    if (!ok) return;
  }
  notify(t('trash.restored', { name: room.name }));
  await ctx.reload();
}

async function purge(ctx: AppContext, room: TrashedRoom): Promise<void> {
  const ok = await confirmDialog({
    title: t('trash.purgeTitle'),
    message: t('trash.purgeMessage', { name: room.name }),
    danger: true,
    action: () => ctx.api.purgeRoom(room.id),
  });
  if (ok) await ctx.reload();
}

async function purgeAll(ctx: AppContext, rooms: TrashedRoom[]): Promise<void> {
  const ok = await confirmDialog({
    title: t('trash.purgeAll'),
    message: t('trash.purgeAllMessage', { count: rooms.length }),
    danger: true,
    action: () => ctx.api.purgeTrash(),
  });
  if (ok) await ctx.reload();
}
