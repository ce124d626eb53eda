import type { AppContext, Page, Route } from '../app/context';
import { ApiError } from '../api/client';
import { h } from '../ui/dom';
import { errorBox } from '../ui/notice';
import { t } from '../i18n';
import { LiveApi } from './liveApi';
import type { LiveRoom } from './room';

/** The room on screen now; a language change draws the same visit again instead of entering anew. */
let active: { roomId: string; room: LiveRoom } | null = null;

declare global {
  interface Window {
    /** Diagnostics of the live room (the render benchmark in tests/bench/web and the browser tests use them). */
    zawaroomLive?: { stats(): unknown; benchPeople(count: number): void; dropConnection(): void };
  }
}

/**
 * "/rooms/{id}": the live room (L1-L4). Enters (the entry check: 403 entry-denied is shown in the
 * person's language with a way back), connects, and shows the room until the person leaves or
 * navigates away (then the connection closes and the avatar goes).
 */
async function roomPage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  if (active && active.roomId === params.id && !active.room.isOver) {
    active.room.render();
    return { title: document.title.split(' - ')[0], content: active.room.element };
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
  window.zawaroomLive = { stats: () => live.stats(), benchPeople: (n) => live.benchPeople(n), dropConnection: () => live.dropConnection() };
  watchRemoval(live);
  void live.start().catch((error: unknown) => {
    console.warn('[live] the room could not start', error);
  });
  return { title: room.name, content: live.element };
}

/** Leaving the page any way (a link, back, sign-out) closes the visit once its element is gone. */
function watchRemoval(live: LiveRoom): void {
  let missing = 0;
  const timer = window.setInterval(() => {
    if (live.isOver) { window.clearInterval(timer); return; }
    missing = live.element.isConnected ? 0 : missing + 1;
    if (missing >= 2) {
      window.clearInterval(timer);
      live.dispose();
      if (active?.room === live) active = null;
    }
  }, 500);
  // Fit the room under the header.
  const fit = () => {
    const header = document.querySelector('.app-header');
    live.element.style.setProperty('--live-top', `${header ? Math.round(header.getBoundingClientRect().bottom) : 0}px`);
  };
  requestAnimationFrame(fit);
  window.addEventListener('resize', fit);
  const stopFit = window.setInterval(() => { if (live.isOver) { window.removeEventListener('resize', fit); window.clearInterval(stopFit); } else fit(); }, 1000);
}

export const liveRoutes: Route[] = [{ pattern: '/rooms/:id', render: roomPage }];
