import type { AppContext } from '../../app/context';
import { t, type MessageKey } from '../../i18n';
import { h } from '../../ui/dom';
import { statuses } from '../model';

/** What the toolbar shows: one's status and reach, and whether each device is on. */
export interface ToolbarState {
  roomName: string;
  spaceId: string;
  status: string;
  reach: number;
  connState: string;
  micAvailable: boolean;
  micOn: boolean;
  speakerOn: boolean;
  cameraOn: boolean;
  sharing: boolean;
}

export interface ToolbarActions {
  leave(): void;
  setStatus(status: string): void;
  setReach(reach: number): void;
  toggleMic(): void;
  toggleSpeaker(): void;
  toggleCamera(): void;
  toggleShare(): void;
  ringBell(): void;
  newBoard(kind: 'sticky' | 'signboard'): void;
  upload(input: HTMLInputElement): void;
}

// Icons drawn inline (no icon font to load): the device, struck through when it is off.
const strike = '<line x1="3" y1="3" x2="21" y2="21" stroke-width="2.2"/>';
const icons: Record<string, (on: boolean) => string> = {
  mic: (on) => `<rect x="9" y="3" width="6" height="11" rx="3"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/>${on ? '' : strike}`,
  speaker: (on) => `<path d="M4 9h4l5-4v14l-5-4H4z"/>${on ? '<path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a8 8 0 0 1 0 11"/>' : strike}`,
  camera: (on) => `<rect x="3" y="7" width="12" height="10" rx="2"/><path d="M15 11l6-3v8l-6-3z"/>${on ? '' : strike}`,
  share: (on) => `<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M8 20h8M12 16v4"/>${on ? '<path d="M12 13V7M9 10l3-3 3 3"/>' : ''}`,
};

function icon(name: string, on: boolean): HTMLElement {
  const span = h('span', { class: 'tool-icon', 'aria-hidden': 'true' });
  // Static markup of this file only: nothing a person typed.
  span.innerHTML = `<svg viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round">${icons[name](on)}</svg>`;
  return span;
}

/**
 * The room's toolbar. A device toggle says its state three ways: the icon (struck through when off),
 * the label ("マイク オフ"), and aria-pressed (true while the device is on).
 */
export function toolbar(ctx: AppContext, s: ToolbarState, a: ToolbarActions): { element: HTMLElement; statePill: HTMLElement } {
  const statusSelect = h('select', {
    class: 'status-select', 'aria-label': t('live.status'), name: 'status',
    onchange: () => a.setStatus(statusSelect.value),
  }, statuses.map((st) => h('option', { value: st, selected: st === s.status }, t(`live.status.${st}` as MessageKey))),
    statuses.includes(s.status as (typeof statuses)[number]) ? null : h('option', { value: s.status, selected: true }, s.status));

  const reach = h('input', {
    type: 'range', class: 'reach-range', min: 50, max: 1500, step: 50, value: String(s.reach), 'aria-label': t('live.voiceReach'),
    onchange: () => a.setReach(Number(reach.value)),
  });
  const file = h('input', { type: 'file', accept: 'image/png,image/jpeg,image/gif,image/webp', hidden: true, onchange: () => a.upload(file) });
  const toggle = (name: string, label: string, on: boolean, action: () => void, disabled = false) =>
    h('button', {
      type: 'button', class: `tool toggle ${name}${on ? ' on' : ' off'}${disabled ? ' unavailable' : ''}`, 'aria-pressed': String(on),
      'data-testid': name, title: label, onclick: action,
    }, icon(name, on), h('span', { class: 'tool-label' }, label));

  const micLabel = !s.micAvailable ? t('live.micUnavailableShort') : s.micOn ? t('live.micOn') : t('live.micOff');
  const statePill = h('span', { class: `live-state ${s.connState}` }, t(`live.state.${s.connState}` as MessageKey));
  const element = h('div', { class: 'live-toolbar', role: 'toolbar', 'aria-label': t('live.tools') },
    h('div', { class: 'live-title' },
      h('a', {
        class: 'back', href: ctx.href(`/spaces/${s.spaceId}`), title: t('room.backToSelect'), 'aria-label': t('room.backToSelect'),
        onclick: (e: MouseEvent) => { e.preventDefault(); a.leave(); },
      }, '←'),
      h('h1', { class: 'live-room-name' }, s.roomName),
      statePill),
    h('label', { class: 'tool-field', title: t('live.status') }, h('span', {}, t('live.status')), statusSelect),
    toggle('mic', micLabel, s.micAvailable && s.micOn, a.toggleMic, !s.micAvailable),
    toggle('speaker', s.speakerOn ? t('live.speakerOn') : t('live.speakerOff'), s.speakerOn, a.toggleSpeaker),
    toggle('camera', s.cameraOn ? t('live.cameraOn') : t('live.cameraOff'), s.cameraOn, a.toggleCamera),
    toggle('share', s.sharing ? t('live.shareStop') : t('live.shareStart'), s.sharing, a.toggleShare),
    h('label', { class: 'tool-field reach', title: t('live.voiceReach') }, h('span', {}, t('live.voiceReach')), reach),
    h('button', { type: 'button', class: 'tool bell', 'data-testid': 'bell', onclick: a.ringBell }, t('live.ringBell')),
    h('button', { type: 'button', class: 'tool', 'data-testid': 'sticky', onclick: () => a.newBoard('sticky') }, t('live.sticky')),
    h('button', { type: 'button', class: 'tool', 'data-testid': 'signboard', onclick: () => a.newBoard('signboard') }, t('live.signboard')),
    h('button', { type: 'button', class: 'tool', 'data-testid': 'image', onclick: () => file.click() }, t('live.image')), file,
    h('button', { type: 'button', class: 'danger leave', 'data-testid': 'leave', onclick: a.leave }, t('live.leave')));
  return { element, statePill };
}
