// Diagnostics of the live room for the browser tests (tests/e2e) and the render benchmark
// (tests/bench/web): window.zawaroomLive. Only diagnostic builds include this module (Debug builds
// of the app set VITE_LIVE_DIAGNOSTICS, functions/StaticWeb.targets); production bundles do not.
import { statuses } from './model';
import type { LiveRoom } from './room';
import type { PersonState } from './state';

export interface LiveDiagnostics {
  stats(): { frames: number; drawing: boolean; drawnAvatars: number; renderer: string; people: number; onScreen: string[]; scale: number; boards: string[]; images: string[]; items: { id: string; kind: string; text: string; x: number; y: number; author: string }[]; camera: { x: number; y: number; scale: number }; boardRects: { x: number; y: number; width: number; height: number }[]; itemScale: number; imageLooks: Record<string, string>; roomNames: { id: string; name: string; screenPx: number }[] };
  benchPeople(count: number): void;
  /** Where an avatar and its name are drawn, in page px. */
  avatarBox(email: string): { x: number; y: number; width: number; height: number } | null;
  dropConnection(): void;
}

declare global {
  interface Window {
    zawaroomLive?: LiveDiagnostics;
  }
}

export function install(live: LiveRoom): void {
  window.zawaroomLive = {
    stats: () => ({
      boards: [...live.state.boards.values()].map((b) => b.text),
      images: live.stage.drawnImages(),
      items: [
        ...[...live.state.boards.values()].map((b) => ({ id: b.id, kind: b.kind as string, text: b.text, x: b.x, y: b.y, author: b.author })),
        ...[...live.state.images.values()].map((i) => ({ id: i.id, kind: 'image', text: '', x: i.x, y: i.y, author: i.author })),
      ],
      camera: { x: live.stage.view.x, y: live.stage.view.y, scale: live.stage.currentScale },
      boardRects: [...live.state.boards.keys()].map((id) => live.stage.boardRect(id)).filter((r) => r !== null),
      itemScale: live.stage.itemScale,
      imageLooks: live.stage.imageLooks(),
      roomNames: live.stage.roomNameSizes(),
      frames: live.stage.frames, drawing: live.stage.drawing, drawnAvatars: live.stage.drawnAvatars, renderer: live.stage.rendererName, people: live.state.people.size,
      onScreen: live.state.people.size <= 50 ? live.stage.visibleAvatars() : [], scale: live.stage.currentScale,
    }),
    benchPeople: (count) => benchPeople(live, count),
    avatarBox: (email) => {
      const box = live.stage.avatarBox(email);
      const canvas = live.stage.app.canvas.getBoundingClientRect();
      return box ? { ...box, x: box.x + canvas.left, y: box.y + canvas.top } : null;
    },
    dropConnection: () => live.dropConnection(),
  };
}

/** Adds `count` people that are not really there, walking about, to measure the canvas. */
function benchPeople(live: LiveRoom, count: number): void {
  const { width, height } = live.settingsNow.background;
  const fake: PersonState[] = [];
  for (let i = 0; i < count; i++)
    fake.push({ email: `bench${i}@bench.invalid`, name: `Bench ${i}`, x: Math.random() * width, y: Math.random() * height, status: statuses[i % statuses.length] });
  live.addBenchPeople(fake);
  const timer = window.setInterval(() => {
    if (live.isOver) { window.clearInterval(timer); return; }
    live.moved(fake.map((p) => ({ email: p.email, x: Math.min(width, Math.max(0, p.x + (Math.random() - 0.5) * 60)), y: Math.min(height, Math.max(0, p.y + (Math.random() - 0.5) * 60)) })));
  }, 100);
}
