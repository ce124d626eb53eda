import type { AppContext, Page, Route } from '../app/context';
import { ApiError } from '../api/client';
import { h } from '../ui/dom';
import { errorBox } from '../ui/notice';
import { t } from '../i18n';
import { LiveApi } from './liveApi';
import type { LiveRoom } from './room';

/** The room on screen now; a language change draws the same visit again instead of entering anew. */
let active: { roomId: string; room: LiveRoom } | null = null;

/**
 * "/rooms/{id}": the live room (L1-L4). Enters (the entry check: 403 entry-denied is shown in the
 * person's language with a way back), connects, and shows the room until the person leaves or
 * navigates away: the app then calls the page's dispose, which closes the connection (the avatar goes).
 */
async function roomPage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  if (active && active.roomId === params.id && !active.room.isOver) {
    active.room.render();
    return livePage(active.room, document.title.split(' - ')[0]);
  }
  const { value: room } = await ctx.api.room(params.id);
  const api = new LiveApi(ctx.api, room.id);
  const back = h('a', { class: 'back', href: ctx.href(`/spaces/${room.spaceId}`), 'data-link': true }, `← ${t('room.backToSelect')}`);

  const settingsRead = api.settings();
  let entered;
  try {
    entered = await api.enter();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) throw error;
    return {
      title: room.name,
      content: h('div', { class: 'page narrow room-page entry-refused', dataset: { roomId: room.id } },
        back,
        h('h1', {}, room.name),
        errorBox(error),
        error instanceof ApiError && error.code === 'entry-denied' ? h('p', { class: 'muted' }, t('live.entryDeniedHint')) : null),
    };
  }
  // The canvas, SignalR and WebRTC code loads only for the room (not for the login or room select).
  const [settings, { LiveRoom }] = await Promise.all([settingsRead, import('./room')]);
  const live = new LiveRoom(ctx, api, room.name, room.spaceId, settings, entered);
  active = { roomId: room.id, room: live };
  // Diagnostics (window.zawaroomLive) exist only in diagnostic builds; Vite drops this branch from production bundles.
  if (import.meta.env.VITE_LIVE_DIAGNOSTICS === 'true') void import('./diagnostics').then((d) => d.install(live));
  void live.start().catch((error: unknown) => {
    console.warn('[live] the room could not start', error);
  });
  return livePage(live, room.name);
}

/** The page of a visit: fits the room under the header, and ends the visit when the app shows another page. */
function livePage(live: LiveRoom, title: string): Page {
  const fit = () => {
    const header = document.querySelector('.app-header');
    live.element.style.setProperty('--live-top', `${header ? Math.round(header.getBoundingClientRect().bottom) : 0}px`);
  };
  requestAnimationFrame(fit);
  window.addEventListener('resize', fit);
  return {
    title,
    content: live.element,
    dispose: (next) => {
      window.removeEventListener('resize', fit);
      // A language change shows the same visit again: it goes on.
      if (next === live.element) return;
      live.dispose();
      if (active?.room === live) active = null;
    },
  };
}

export const liveRoutes: Route[] = [{ pattern: '/rooms/:id', render: roomPage }];
