import type { RoomCard, Space } from '../api/types';
import { canAdministerRoom, isSiteAdmin, type AppContext, type Page } from '../app/context';
import { confirmDialog, formDialog } from '../ui/dialog';
import { h } from '../ui/dom';
import { icon } from '../ui/icons';
import { errorBox, notify } from '../ui/notice';
import { t } from '../i18n';
import { loadBackground } from '../live/floor';
import { LiveApi } from '../live/liveApi';

const lastSpaceKey = 'zawaroom.lastSpace';
export const spaceNameMax = 50;
export const roomDescriptionMax = 500;

/** The room-select screen (P1, P4): the spaces, and the room cards of the chosen space. */
export async function roomSelectPage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const spaces = await ctx.api.spaces();
  const wanted = params.spaceId ?? sessionStorage.getItem(lastSpaceKey);
  const space = spaces.find((s) => s.id === wanted) ?? spaces[0] ?? null;
  if (space) sessionStorage.setItem(lastSpaceKey, space.id);

  const content = h('div', { class: 'page room-select' },
    spaceBar(ctx, spaces, space),
    space ? await roomsOf(ctx, space) : h('p', { class: 'empty' }, isSiteAdmin(ctx) ? t('spaces.noneAdmin') : t('spaces.none')));
  return { title: t('app.roomSelect'), content };
}

function spaceBar(ctx: AppContext, spaces: Space[], selected: Space | null): HTMLElement {
  const admin = isSiteAdmin(ctx);
  return h('section', { class: 'spaces', 'aria-label': t('spaces.title') },
    h('h2', { class: 'section-title' }, t('spaces.title')),
    h('div', { class: 'space-tabs', role: 'tablist' },
      spaces.map((space) => h('div', { class: `space-tab${space.id === selected?.id ? ' selected' : ''}`, dataset: { spaceId: space.id } },
        h('a', { href: ctx.href(`/spaces/${space.id}`), 'data-link': true, role: 'tab', 'aria-selected': String(space.id === selected?.id) },
          h('span', { class: 'space-name' }, space.name),
          h('span', { class: 'badge', title: t('spaces.roomCount', { count: space.roomCount }) }, space.roomCount)),
        admin ? spaceMenu(ctx, space) : null)),
      admin ? h('button', { type: 'button', class: 'icon-button add-space', title: t('spaces.add'), 'aria-label': t('spaces.add'), onclick: () => createSpace(ctx) }, icon('plus')) : null));
}

/** The "︙" menu of a space: rename, delete (site admins). */
function spaceMenu(ctx: AppContext, space: Space): HTMLElement {
  const menu = h('div', { class: 'menu', hidden: true, role: 'menu' },
    h('button', { type: 'button', role: 'menuitem', onclick: () => { close(); void renameSpace(ctx, space); } }, t('spaces.rename')),
    h('button', { type: 'button', role: 'menuitem', class: 'danger-text', onclick: () => { close(); void deleteSpace(ctx, space); } }, t('spaces.delete')));
  const toggle = h('button', {
    type: 'button', class: 'icon-button more', title: t('spaces.actions', { name: space.name }), 'aria-label': t('spaces.actions', { name: space.name }),
    'aria-haspopup': 'menu', onclick: (event: Event) => { event.stopPropagation(); menu.hidden ? open() : close(); },
  }, icon('more'));
  const outside = (event: Event) => { if (!menu.contains(event.target as Node)) close(); };
  function open() {
    menu.hidden = false;
    document.addEventListener('click', outside);
  }
  function close() {
    menu.hidden = true;
    document.removeEventListener('click', outside);
  }
  return h('div', { class: 'menu-anchor' }, toggle, menu);
}

async function createSpace(ctx: AppContext): Promise<void> {
  let created: Space | null = null;
  const ok = await formDialog({
    title: t('spaces.add'),
    submitLabel: t('spaces.add'),
    fields: [{ name: 'name', label: t('spaces.name'), required: true, maxLength: spaceNameMax }],
    submit: async (values) => { created = await ctx.api.createSpace(values.name); },
  });
  if (ok && created) ctx.navigate(`/spaces/${(created as Space).id}`);
}

async function renameSpace(ctx: AppContext, space: Space): Promise<void> {
  const ok = await formDialog({
    title: t('spaces.rename'),
    submitLabel: t('app.save'),
    fields: [{ name: 'name', label: t('spaces.name'), value: space.name, required: true, maxLength: spaceNameMax }],
    submit: async (values) => { await ctx.api.renameSpace(space.id, values.name); },
  });
  if (ok) await ctx.reload();
}

async function deleteSpace(ctx: AppContext, space: Space): Promise<void> {
  const ok = await confirmDialog({
    title: t('spaces.deleteTitle'),
    message: t('spaces.deleteMessage', { name: space.name, count: space.roomCount }),
    danger: true,
    action: () => ctx.api.deleteSpace(space.id),
  });
  if (ok) {
    sessionStorage.removeItem(lastSpaceKey);
    ctx.navigate('/');
  }
}

async function roomsOf(ctx: AppContext, space: Space): Promise<HTMLElement> {
  const admin = isSiteAdmin(ctx);
  let cards: RoomCard[];
  let failure: HTMLElement | null = null;
  try {
    cards = await ctx.api.roomCards(space.id);
  } catch (error) {
    cards = [];
    failure = errorBox(error);
  }
  return h('section', { class: 'rooms', 'aria-label': t('rooms.title') },
    h('div', { class: 'toolbar' },
      h('h2', { class: 'section-title' }, space.name),
      h('div', { class: 'toolbar-actions' },
        admin ? h('button', { type: 'button', class: 'primary', onclick: () => createRoom(ctx, space) }, icon('plus'), t('rooms.add')) : null,
        admin ? h('a', { class: 'button secondary', href: ctx.href('/admin/trash'), 'data-link': true }, icon('trash'), t('trash.title')) : null)),
    failure,
    cards.length === 0 && !failure
      ? h('p', { class: 'empty' }, t('rooms.none'))
      : h('div', { class: 'room-grid' }, cards.map((card) => roomCard(ctx, card))));
}

function roomCard(ctx: AppContext, card: RoomCard): HTMLElement {
  const manage = canAdministerRoom(ctx, card.id);
  const enter = ctx.href(`/rooms/${card.id}`);
  return h('article', { class: 'room-card', dataset: { roomId: card.id } },
    h('div', { class: 'room-card-top' },
      h('h3', { class: 'room-name' }, h('a', { href: enter, 'data-link': true }, card.name)),
      manage ? h('div', { class: 'room-card-actions' },
        h('a', { class: 'icon-button', href: ctx.href(`/rooms/${card.id}/edit`), 'data-link': true, title: t('rooms.edit'), 'aria-label': t('rooms.edit') }, icon('pencil')),
        h('a', { class: 'icon-button', href: ctx.href(`/rooms/${card.id}/edit/general#room-logs`), 'data-link': true, title: t('logs.roomTitle'), 'aria-label': t('logs.roomTitle') }, icon('download')),
        h('button', { type: 'button', class: 'icon-button', title: t('rooms.delete'), 'aria-label': t('rooms.delete'), onclick: () => deleteRoom(ctx, card) }, icon('trash'))) : null),
    h('a', { class: 'room-preview', href: enter, 'data-link': true, tabindex: '-1', 'aria-hidden': 'true' }, preview(ctx, card)),
    card.description ? h('p', { class: 'room-description' }, card.description) : null,
    h('div', { class: 'occupancy', dataset: { occupancy: String(card.occupancy) } },
      icon('person'),
      h('span', {}, card.occupancy > 0 ? t('rooms.occupancy', { count: card.occupancy }) : t('rooms.empty'))),
    card.people.length > 0
      ? h('ul', { class: 'people' }, card.people.map((p) => h('li', { class: 'person-chip', title: p.email }, p.name || p.email)))
      : null,
    h('a', { class: 'button primary enter', href: enter, 'data-link': true }, t('rooms.enter')));
}

/**
 * A small picture of the room on its card: the background (the office floor, or the uploaded
 * image) with its meeting rooms, drawn once the card is on screen.
 */
function preview(ctx: AppContext, card: RoomCard): HTMLCanvasElement {
  const canvas = h('canvas', { class: 'room-preview-canvas', width: 480, height: 275, role: 'img', 'aria-label': t('rooms.preview', { name: card.name }) });
  const draw = async () => {
    const api = new LiveApi(ctx.api, card.id);
    const settings = await api.settings();
    const { width, height } = settings.background;
    canvas.height = Math.round((canvas.width * height) / width);
    const g = canvas.getContext('2d');
    if (!g) return;
    const k = canvas.width / width;
    g.fillStyle = '#eef1f5';
    g.fillRect(0, 0, canvas.width, canvas.height);
    const image = await loadBackground(settings, api);
    if (image) g.drawImage(image, 0, 0, canvas.width, canvas.height);
    g.lineWidth = 2;
    for (const m of settings.meetingRooms) {
      g.strokeStyle = 'rgba(47,111,222,0.75)';
      g.strokeRect(m.x * k, m.y * k, m.width * k, m.height * k);
    }
    canvas.dataset.drawn = 'true';
  };
  const seen = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting)) return;
    seen.disconnect();
    void draw().catch(() => { canvas.dataset.drawn = 'failed'; });
  });
  seen.observe(canvas);
  return canvas;
}

async function createRoom(ctx: AppContext, space: Space): Promise<void> {
  const ok = await formDialog({
    title: t('rooms.add'),
    submitLabel: t('rooms.add'),
    fields: [
      { name: 'name', label: t('rooms.name'), required: true, maxLength: spaceNameMax },
      { name: 'description', label: t('rooms.description'), kind: 'textarea', maxLength: roomDescriptionMax },
    ],
    submit: async (values) => { await ctx.api.createRoom(space.id, values.name, values.description || undefined); },
  });
  if (ok) await ctx.reload();
}

async function deleteRoom(ctx: AppContext, card: RoomCard): Promise<void> {
  const ok = await confirmDialog({
    title: t('rooms.deleteTitle'),
    message: t('rooms.deleteMessage', { name: card.name }),
    danger: true,
    action: () => ctx.api.deleteRoom(card.id),
  });
  if (ok) {
    notify(t('rooms.deleted', { name: card.name }));
    await ctx.reload();
  }
}
