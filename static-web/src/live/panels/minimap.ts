import { t } from '../../i18n';
import { h } from '../../ui/dom';
import { cssColor, statusColor, type Person, type RoomSettings } from '../model';
import type { View } from '../stage';

/** The mini-map: the room, its meeting rooms, everyone, and what the screen shows; a click pans there. */
export class Minimap {
  readonly canvas: HTMLCanvasElement;

  constructor(
    private readonly settings: () => RoomSettings,
    private readonly panTo: (x: number, y: number) => void,
  ) {
    this.canvas = h('canvas', { class: 'minimap', width: 220, height: 126, 'aria-label': t('live.minimap'), title: t('live.minimap') });
    this.canvas.addEventListener('click', (e) => {
      const r = this.canvas.getBoundingClientRect();
      const { width, height } = this.settings().background;
      this.panTo(((e.clientX - r.left) / r.width) * width, ((e.clientY - r.top) / r.height) * height);
    });
  }

  draw(people: Iterable<Person>, me: Person, view: View, background?: CanvasImageSource | null): void {
    const canvas = this.canvas;
    const g = canvas.getContext('2d');
    if (!g) return;
    const settings = this.settings();
    const { width, height } = settings.background;
    const w = canvas.width;
    const ch = Math.max(40, Math.round((w * height) / width));
    if (canvas.height !== ch) canvas.height = ch;
    const k = w / width;
    g.fillStyle = '#f7f4ee';
    g.fillRect(0, 0, w, ch);
    if (background) g.drawImage(background, 0, 0, w, ch);
    g.strokeStyle = 'rgba(47,111,222,0.7)';
    g.fillStyle = 'rgba(47,111,222,0.12)';
    for (const m of settings.meetingRooms) { g.fillRect(m.x * k, m.y * k, m.width * k, m.height * k); g.strokeRect(m.x * k, m.y * k, m.width * k, m.height * k); }
    for (const p of people) {
      if (p.email === me.email) continue;
      g.fillStyle = cssColor(statusColor(p.status));
      g.fillRect(p.x * k - 1.5, p.y * k - 1.5, 3, 3);
    }
    g.fillStyle = '#2f6fde';
    g.beginPath();
    g.arc(me.x * k, me.y * k, 3.5, 0, Math.PI * 2);
    g.fill();
    g.strokeStyle = '#1f2733';
    g.lineWidth = 1;
    g.strokeRect(view.x * k, view.y * k, view.width * k, view.height * k);
  }
}
