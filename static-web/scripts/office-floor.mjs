// Draws the default office floor (R5: the background of a room without an uploaded image) as an
// SVG from functions/RoomSettings/DefaultOffice.json, the same file the server makes a new room's
// meeting rooms from, so the drawn rooms and the meeting rooms line up. Output:
// static-web/public/office-floor.svg (committed; run `node static-web/scripts/office-floor.mjs`
// after changing the layout). Nothing is downloaded: every shape is drawn here.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const layout = JSON.parse(readFileSync(join(here, '../../functions/RoomSettings/DefaultOffice.json'), 'utf8'));
const out = [];
const add = (s) => out.push(s);
const r = (x, y, w, h, fill, extra = '') => add(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}" ${extra}/>`);
const circle = (cx, cy, rad, fill, extra = '') => add(`<circle cx="${cx}" cy="${cy}" r="${rad}" fill="${fill}" ${extra}/>`);
const label = (x, y, text, size = 64, fill = '#8a7f6e') =>
  add(`<text x="${x}" y="${y}" font-size="${size}" fill="${fill}" text-anchor="middle" font-weight="700" letter-spacing="6" font-family="'IPAPGothic','Noto Sans CJK JP',sans-serif" opacity="0.75">${text}</text>`);
// A pseudo-random sequence that is the same on every run (the file stays identical).
let seed = 7;
const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);

const W = layout.width;
const H = layout.height;
const { lounge, work, booths, library, hall } = layout;
const rooms = Object.fromEntries(layout.meetingRooms.map((m) => [m.id, m]));

add(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">`);
add(`<defs>
<pattern id="carpet" width="48" height="48" patternUnits="userSpaceOnUse"><rect width="48" height="48" fill="#e6ebf0"/><path d="M0 24h48M24 0v48" stroke="#dde3ea" stroke-width="2"/></pattern>
<pattern id="carpet-room" width="40" height="40" patternUnits="userSpaceOnUse"><rect width="40" height="40" fill="#dfe6ee"/><circle cx="20" cy="20" r="2" fill="#d2dbe6"/></pattern>
<pattern id="wood" width="240" height="40" patternUnits="userSpaceOnUse"><rect width="240" height="40" fill="#e8d3b0"/><path d="M0 39.5h240M80 0v40" stroke="#d8bf98" stroke-width="2"/><path d="M200 0v20" stroke="#dcc49f" stroke-width="2"/></pattern>
<pattern id="wood-dark" width="200" height="36" patternUnits="userSpaceOnUse"><rect width="200" height="36" fill="#d8bd93"/><path d="M0 35.5h200M120 0v36" stroke="#c6a87c" stroke-width="2"/></pattern>
<pattern id="tile" width="100" height="100" patternUnits="userSpaceOnUse"><rect width="100" height="100" fill="#f2efe8"/><path d="M0 0.5h100M0.5 0v100" stroke="#ddd6c8" stroke-width="2"/></pattern>
<filter id="shadow" x="-10%" y="-10%" width="130%" height="130%"><feDropShadow dx="4" dy="6" stdDeviation="5" flood-color="#000" flood-opacity="0.18"/></filter>
</defs>`);

// The building: walls around, floors per area.
r(0, 0, W, H, '#4a505c');
for (const part of work.parts) r(part.x, part.y, part.width, part.height, 'url(#carpet)');
r(hall.x, hall.y, hall.width, hall.height, 'url(#tile)');
r(lounge.x, lounge.y, lounge.width, lounge.height, 'url(#wood)');
r(booths.x, booths.y, booths.width, booths.height, 'url(#carpet-room)');
r(library.x, library.y, library.width, library.height, 'url(#wood-dark)');
for (const m of layout.meetingRooms) r(m.x, m.y, m.width, m.height, m.kind === 'entrance' ? 'url(#tile)' : 'url(#carpet-room)');
// Corridors between the areas (the wall gaps are the doors).
r(40, 800, W - 80, 40, '#cfd5dc');
r(40, 2140, W - 80, 40, '#cfd5dc');
r(1100, 40, 40, 760, '#5a616d');
r(1900, 40, 40, 760, '#5a616d');
r(2500, 40, 40, 760, '#5a616d');
r(1920, 2180, 40, 530, '#5a616d');
r(2840, 2180, 40, 530, '#5a616d');
// Doorways from the hall to both work areas.
r(hall.x - 40, 1260, 40, 260, 'url(#tile)');
r(hall.x + hall.width, 1260, 40, 260, 'url(#tile)');
// The elevator core in the middle of the floor, facing the hall.
r(hall.x, hall.y, hall.width, 245, '#7b828e');
for (let i = 0; i < 3; i++) {
  const x = hall.x + 40 + i * 180;
  r(x, hall.y + 30, 160, 190, '#9aa1ac', 'stroke="#5f6672" stroke-width="4"');
  r(x + 20, hall.y + 205, 120, 22, '#c9ced6', 'stroke="#8d949f" stroke-width="3"');
  r(x + 78, hall.y + 214, 4, 14, '#5f6672');
  circle(x + 150, hall.y + 120, 8, '#f2c14e');
}
add(`<text x="${hall.x + hall.width / 2}" y="${hall.y + 20}" font-size="18" fill="#e9ecf0" text-anchor="middle" font-family="sans-serif" letter-spacing="6" dy="0">ELEVATORS</text>`);

// Glass fronts of the meeting rooms and the booths: a pale blue band with door gaps.
const glass = (x, y, w) => add(`<rect x="${x}" y="${y}" width="${w}" height="12" fill="#a9cbe8" stroke="#7fa9cf" stroke-width="2"/>`);
for (const m of [rooms['meeting-a'], rooms['meeting-b'], rooms['meeting-c']]) {
  const door = 180;
  glass(m.x, m.y + m.height - 6, m.width / 2 - door / 2);
  glass(m.x + m.width / 2 + door / 2, m.y + m.height - 6, m.width / 2 - door / 2);
}
glass(booths.x, booths.y - 6, booths.width);
{
  const m = rooms['meeting-d'];
  glass(m.x, m.y - 6, m.width / 2 - 90);
  glass(m.x + m.width / 2 + 90, m.y - 6, m.width / 2 - 90);
}
glass(library.x, library.y - 6, library.width / 2 - 120);
glass(library.x + library.width / 2 + 120, library.y - 6, library.width / 2 - 120);

// Furniture helpers.
const chair = (cx, cy, color = '#4f6d98') => { circle(cx, cy, 24, color, 'stroke="#3b5478" stroke-width="3"'); };
const plant = (cx, cy, size = 48) => {
  circle(cx, cy, size, '#7cae7a');
  for (let i = 0; i < 6; i++) {
    const a = (i / 6) * Math.PI * 2 + rand();
    circle(Math.round(cx + Math.cos(a) * size * 0.55), Math.round(cy + Math.sin(a) * size * 0.55), Math.round(size * 0.45), i % 2 ? '#5e9a5c' : '#8fc28b');
  }
  circle(cx, cy, Math.round(size * 0.3), '#4f8a4d');
};
const desk = (x, y, w, h, facing) => {
  r(x, y, w, h, '#f3ead9', 'stroke="#c8b48f" stroke-width="3" rx="6"');
  // Monitor and keyboard on the side facing the chair.
  const my = facing === 'down' ? y + 14 : y + h - 22;
  r(x + w / 2 - 40, my, 80, 8, '#2b3140', 'rx="3"');
  r(x + w / 2 - 28, facing === 'down' ? y + h - 30 : y + 24, 56, 12, '#c9ced8', 'rx="3"');
  chair(x + w / 2, facing === 'down' ? y + h + 32 : y - 32);
};
const table = (cx, cy, w, h, seats) => {
  add(`<rect x="${cx - w / 2}" y="${cy - h / 2}" width="${w}" height="${h}" rx="${Math.min(w, h) / 2}" fill="#c79e6c" stroke="#9c774b" stroke-width="4" filter="url(#shadow)"/>`);
  const side = Math.ceil((seats - 2) / 2);
  for (let i = 0; i < side; i++) {
    const x = cx - w / 2 + (w / (side + 1)) * (i + 1);
    chair(x, cy - h / 2 - 34);
    chair(x, cy + h / 2 + 34);
  }
  if (seats % 2 === 0 || seats > 2) { chair(cx - w / 2 - 34, cy); chair(cx + w / 2 + 34, cy); }
};
const screen = (x, y, w) => r(x, y, w, 14, '#222833', 'rx="4"');
const sofa = (x, y, w, h, color = '#6f8fb8') => {
  add(`<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="22" fill="${color}" stroke="#4d6788" stroke-width="3" filter="url(#shadow)"/>`);
  r(x + 14, y + 14, w - 28, h - 40, '#88a6cc', 'rx="14"');
};

// Meeting rooms: a table for their seats, a screen on the back wall, a plant.
for (const m of [rooms['meeting-a'], rooms['meeting-b'], rooms['meeting-c'], rooms['meeting-d']]) {
  const cx = m.x + m.width / 2;
  const cy = m.y + m.height / 2 + 30;
  const w = m.seats >= 12 ? 640 : m.seats >= 8 ? 420 : 220;
  const h = m.seats >= 8 ? 200 : 160;
  table(cx, cy, w, h, m.seats);
  screen(cx - 160, m.y + 90, 320);
  plant(m.x + 80, m.y + 150, 40);
  if (m.width > 700) plant(m.x + m.width - 80, m.y + 150, 40);
}

// The work area: islands of desks facing each other, plants between, a walkway in the middle.
const columns = [160, 780, 1400, 2860, 3480, 4100];
const rows = [960, 1580];
for (const iy of rows) {
  for (const ix of columns) {
    for (let i = 0; i < 3; i++) {
      desk(ix + i * 170, iy, 160, 90, 'up');
      desk(ix + i * 170, iy + 96, 160, 90, 'down');
    }
  }
}
for (const x of [90, 710, 1330, 1970, 2800, 3420, 4040, 4680]) { plant(x, 1100, 44); plant(x, 1720, 44); }
// Printer, lockers and a whiteboard by the corridor.
r(4520, 1940, 200, 120, '#d9dde3', 'stroke="#a7aeb8" stroke-width="3" rx="8"');
r(4540, 1960, 160, 30, '#9aa3ae', 'rx="4"');
for (let i = 0; i < 6; i++) r(2130 + i * 90, 2050, 80, 70, '#b9c3cf', 'stroke="#8e99a6" stroke-width="3"');
r(120, 2040, 420, 24, '#ffffff', 'stroke="#9aa3ae" stroke-width="4" rx="6"');
for (const part of work.parts) label(part.x + part.width / 2, 1420, work.name, 64);

// The lounge: a kitchen counter on the back wall, sofas round a rug, café tables, plants.
r(lounge.x + 60, lounge.y + 40, 900, 90, '#b5bcc6', 'stroke="#8c95a1" stroke-width="3" rx="8"');
r(lounge.x + 120, lounge.y + 62, 140, 46, '#dfe6ee', 'rx="6"');
circle(lounge.x + 420, lounge.y + 85, 26, '#5a6271');
r(lounge.x + 580, lounge.y + 60, 120, 50, '#8f6b4a', 'rx="6"');
add(`<ellipse cx="${lounge.x + 700}" cy="${lounge.y + 470}" rx="420" ry="210" fill="#e5c7a1" stroke="#c9a67c" stroke-width="6"/>`);
sofa(lounge.x + 380, lounge.y + 230, 640, 110);
sofa(lounge.x + 380, lounge.y + 610, 640, 110);
add(`<rect x="${lounge.x + 560}" y="${lounge.y + 410}" width="280" height="120" rx="20" fill="#a57b4f" stroke="#7d5a37" stroke-width="4" filter="url(#shadow)"/>`);
for (const [cx, cy] of [[lounge.x + 1350, lounge.y + 250], [lounge.x + 1700, lounge.y + 250], [lounge.x + 1350, lounge.y + 560], [lounge.x + 1700, lounge.y + 560], [lounge.x + 2030, lounge.y + 400]]) {
  add(`<circle cx="${cx}" cy="${cy}" r="70" fill="#f3ead9" stroke="#c8b48f" stroke-width="4" filter="url(#shadow)"/>`);
  chair(cx - 105, cy, '#c2784f'); chair(cx + 105, cy, '#c2784f'); chair(cx, cy - 105, '#c2784f');
}
plant(lounge.x + 90, lounge.y + 690, 56);
plant(lounge.x + lounge.width - 90, lounge.y + 100, 56);
plant(lounge.x + 1120, lounge.y + 690, 50);
label(lounge.x + 1530, lounge.y + 740, lounge.name, 70);

// Focus booths: a row of small rooms, a desk and a chair each.
const boothW = booths.width / booths.count;
for (let i = 0; i < booths.count; i++) {
  const x = booths.x + i * boothW;
  if (i > 0) r(x - 6, booths.y, 12, booths.height - 120, '#8e99a6');
  desk(x + boothW / 2 - 90, booths.y + booths.height - 230, 180, 90, 'up');
}
label(booths.x + booths.width / 2, booths.y + 90, booths.name, 56);

// The library: shelves along the walls, a long table.
for (let i = 0; i < 8; i++) {
  r(library.x + 40 + i * 225, library.y + library.height - 70, 200, 50, '#8c6a48', 'stroke="#6c4f33" stroke-width="3"');
  for (let b = 0; b < 8; b++) r(library.x + 48 + i * 225 + b * 24, library.y + library.height - 64, 18, 38, ['#c0504d', '#4f81bd', '#9bbb59', '#f2c14e', '#8064a2'][(i + b) % 5]);
}
table(library.x + library.width / 2, library.y + 250, 700, 150, 10);
plant(library.x + library.width - 80, library.y + 90, 44);
label(library.x + library.width / 2, library.y + 90, library.name, 56);

// The entrance: the elevator hall with the reception counter and seats for guests (ゲストエリア).
const g = rooms['guest-area'];
add(`<path d="M ${g.x + 90} ${g.y + 170} q ${g.width / 2 - 90} -110 ${g.width - 180} 0" fill="none" stroke="#f3ead9" stroke-width="70" stroke-linecap="round"/>`);
add(`<path d="M ${g.x + 90} ${g.y + 170} q ${g.width / 2 - 90} -110 ${g.width - 180} 0" fill="none" stroke="#c8b48f" stroke-width="4" transform="translate(0 36)"/>`);
chair(g.x + g.width / 2, g.y + 70);
add(`<text x="${g.x + g.width / 2}" y="${g.y + 250}" font-size="30" fill="#6b5a4a" text-anchor="middle" font-weight="700" letter-spacing="10" font-family="sans-serif">RECEPTION</text>`);
sofa(g.x + 40, g.y + 300, 100, 170, '#c2784f');
sofa(g.x + g.width - 140, g.y + 300, 100, 170, '#c2784f');
add(`<circle cx="${g.x + g.width / 2}" cy="${g.y + 400}" r="60" fill="#f3ead9" stroke="#c8b48f" stroke-width="4" filter="url(#shadow)"/>`);
plant(hall.x + 70, hall.y + hall.width + 400, 40);
plant(hall.x + hall.width - 70, hall.y + hall.width + 400, 40);
// Outer wall edge.
add(`<rect x="20" y="20" width="${W - 40}" height="${H - 40}" fill="none" stroke="#353a44" stroke-width="40"/>`);
add('</svg>');

const target = join(here, '../public/office-floor.svg');
writeFileSync(target, out.join('\n') + '\n');
console.log(`wrote ${target} (${out.length} shapes)`);
