import type { AppContext, Page, Route } from '../app/context';
import { h } from '../ui/dom';
import { t } from '../i18n';

/**
 * "/rooms/{id}": the room itself. The live room (entry check, avatars over SignalR, voice) is
 * not built yet; until it is, this page names the room and says plainly that it is not live.
 */
async function roomPage(ctx: AppContext, params: Record<string, string>): Promise<Page> {
  const { value: room } = await ctx.api.room(params.id);
  return {
    title: room.name,
    content: h('div', { class: 'page narrow room-page', dataset: { roomId: room.id } },
      h('a', { class: 'back', href: ctx.href(`/spaces/${room.spaceId}`), 'data-link': true }, `← ${t('room.backToSelect')}`),
      h('h1', {}, room.name),
      room.description ? h('p', { class: 'room-description' }, room.description) : null,
      h('div', { class: 'callout' },
        h('h2', {}, t('room.liveComingTitle')),
        h('p', {}, t('room.liveComing')))),
  };
}

export const liveRoutes: Route[] = [{ pattern: '/rooms/:id', render: roomPage }];
