import { t } from '../../i18n';
import { h } from '../../ui/dom';
import type { Voice } from '../media';

/** The video tiles: one's own camera, and the videos of the people one is connected to. */
export function drawVideos(host: HTMLElement, room: HTMLElement, voice: Voice, nameOf: (email: string) => string | undefined): void {
  const items: HTMLElement[] = [];
  const local = voice.localVideo;
  if (local) {
    const v = h('video', { autoplay: true, playsinline: true, muted: true, class: 'local' }) as HTMLVideoElement;
    v.muted = true;
    v.srcObject = new MediaStream([local]);
    items.push(h('figure', { class: 'video-tile self' }, v, h('figcaption', {}, t('live.you'))));
  }
  for (const { email, stream } of voice.videos) {
    const v = h('video', { autoplay: true, playsinline: true, muted: true }) as HTMLVideoElement;
    v.muted = true;
    v.srcObject = stream;
    items.push(h('figure', { class: 'video-tile', dataset: { email } }, v, h('figcaption', {}, nameOf(email) || email)));
  }
  host.replaceChildren(...items);
  room.dataset.peers = voice.peerEmails.join(' ');
  room.dataset.voice = voice.connectedTo.join(' ');
  room.dataset.media = voice.mediaState;
  room.dataset.sfu = voice.sfuConnectedTo.join(' ');
}
