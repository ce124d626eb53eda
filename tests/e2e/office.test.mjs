// Issue 14, the live room as a customer first sees it, in real browsers against the real app:
// the room select shows a preview of each room; two people entering stand apart on the office
// floor; boards land next to their author without covering each other, readable at the entry
// scale, and only their author drags them; an uploaded image lies in the room for everyone (also
// after a reload) and its author removes it; toolbar toggles say their state (icon, aria-pressed);
// L5: a click on an avatar shows the member's current and next entry beside (never over) the name.
// Run by dotnet test (E2e/OfficeBrowserTests.cs). Screenshots: tests/e2e/screenshots/4*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminEmail, api, enterRoom, launch, logIn, mediaArgs, personPage, screenshot, tokenFor, userEmail } from './lib.mjs';

const roomId = process.env.ZAWAROOM_ROOM;
if (!roomId) throw new Error('ZAWAROOM_ROOM is set by OfficeBrowserTests');

let browser;
before(async () => { browser = await launch(mediaArgs); });
after(async () => { await browser?.close(); });

const person = (t) => personPage(browser, t);

const enter = (page) => enterRoom(page, roomId, { rendered: true });

const stats = (page) => page.evaluate(() => window.zawaroomLive.stats());
const row = (page, email) => page.locator(`.people-list .person[data-email="${email}"]`);

/** A world point of the room to a point on the page, from the canvas's camera. */
async function onPage(page, x, y) {
  const { camera } = await stats(page);
  const box = await page.locator('canvas.room-canvas').boundingBox();
  return { x: box.x + (x - camera.x) * camera.scale, y: box.y + (y - camera.y) * camera.scale };
}

async function placeBoard(page, kind, text) {
  await page.getByTestId(kind).click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('textarea[name=text]').fill(text);
  await dialog.locator('button[type=submit]').click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction((t) => window.zawaroomLive.stats().items.some((i) => i.text === t), text);
}

const overlap = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

test('the room select shows a preview of each room drawn from its floor and meeting rooms', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  const card = page.locator('.room-card', { hasText: 'オフィス' });
  await card.locator('canvas.room-preview-canvas[data-drawn=true]').waitFor();
  assert.equal(await card.locator('canvas.room-preview-canvas').getAttribute('aria-label'), 'オフィス の見取り図');
  // The preview shows the drawn office (not an empty box): many different colours.
  const colours = await card.locator('canvas.room-preview-canvas').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) seen.add(`${d[i] >> 4},${d[i + 1] >> 4},${d[i + 2] >> 4}`);
    return seen.size;
  });
  assert.ok(colours > 20, `the preview has ${colours} colours`);
  await screenshot(page, '40-room-select-previews');
});

test('two people stand apart on the office floor, place boards and an image, and only authors move them', async (t) => {
  const a = await person(t);
  const b = await person(t);
  await logIn(a.page, adminEmail);
  await logIn(b.page, userEmail);
  await enter(a.page);
  await enter(b.page);
  await row(a.page, userEmail).waitFor();
  await row(b.page, adminEmail).waitFor();

  // Spread: not on one point, both in the guest area at the entrance.
  const pa = { x: Number(await row(a.page, adminEmail).getAttribute('data-x')), y: Number(await row(a.page, adminEmail).getAttribute('data-y')) };
  await a.page.waitForFunction((e) => document.querySelector(`.person[data-email="${e}"]`)?.dataset.x, userEmail);
  const pb = { x: Number(await row(a.page, userEmail).getAttribute('data-x')), y: Number(await row(a.page, userEmail).getAttribute('data-y')) };
  assert.ok(Math.hypot(pa.x - pb.x, pa.y - pb.y) >= 80, `a at ${JSON.stringify(pa)} and b at ${JSON.stringify(pb)} stand apart`);
  assert.equal(await row(a.page, userEmail).getAttribute('data-meeting-room'), 'guest-area');

  // Toolbar toggles: an icon and aria-pressed say the state; the label follows.
  const speaker = a.page.getByTestId('speaker');
  assert.equal(await speaker.getAttribute('aria-pressed'), 'true');
  assert.equal(await speaker.locator('svg').count(), 1);
  assert.match(await speaker.textContent(), /スピーカー オン/);
  await speaker.click();
  await a.page.locator('[data-testid=speaker][aria-pressed=false]').waitFor();
  assert.match(await a.page.getByTestId('speaker').textContent(), /スピーカー オフ/);
  assert.equal(await a.page.locator('[data-testid=speaker] svg line').count(), 1, 'the speaker icon is struck through when off');
  await a.page.getByTestId('speaker').click();
  await a.page.locator('[data-testid=speaker][aria-pressed=true]').waitFor();
  for (const name of ['mic', 'camera', 'share']) assert.ok(['true', 'false'].includes(await a.page.getByTestId(name).getAttribute('aria-pressed')), name);
  // On a 1280 px laptop screen the whole toolbar is one row: 退室する sits beside the other tools, not on a line of its own.
  const middle = async (id) => { const b = await a.page.getByTestId(id).boundingBox(); return b.y + b.height / 2; };
  const [leaveAt, micAt] = [await middle('leave'), await middle('mic')];
  assert.ok(Math.abs(leaveAt - micAt) < 8, `the leave button is on the toolbar's one row (its middle at ${leaveAt}, the mic's at ${micAt})`);

  // Boards of two people land next to them, cover nothing, and are enlarged to be read at the entry scale.
  await placeBoard(a.page, 'sticky', '今日のタスク: レビュー');
  await placeBoard(a.page, 'signboard', 'ようこそ オフィスへ');
  await placeBoard(b.page, 'sticky', '15時から定例');
  await a.page.waitForFunction(() => window.zawaroomLive.stats().boardRects.length === 3);
  const s = await stats(a.page);
  assert.ok(s.itemScale > 1, `boards are enlarged at the entry scale ${s.scale}: ${s.itemScale}`);
  assert.ok(s.scale * s.itemScale * 15 >= 11, `a sticky's 15 px text is at least 11 px on screen (${s.scale} x ${s.itemScale})`);
  for (let i = 0; i < s.boardRects.length; i++)
    for (let j = i + 1; j < s.boardRects.length; j++)
      assert.ok(!overlap(s.boardRects[i], s.boardRects[j]), `boards ${i} and ${j} overlap: ${JSON.stringify(s.boardRects)}`);
  for (const item of s.items) {
    const author = item.author === adminEmail ? pa : pb;
    assert.ok(Math.hypot(item.x - author.x, item.y - author.y) < 900, `${item.text} lies near its author`);
  }

  // An image: uploaded by b, placed next to b, seen by a; still there after a reload.
  const png = Buffer.from(await b.page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 160; c.height = 100;
    const g = c.getContext('2d');
    g.fillStyle = '#2f6fde'; g.fillRect(0, 0, 160, 100);
    g.fillStyle = '#ffd34d'; g.beginPath(); g.arc(80, 50, 34, 0, Math.PI * 2); g.fill();
    return c.toDataURL('image/png').split(',')[1];
  }), 'base64');
  await b.page.locator('.live-toolbar input[type=file]').setInputFiles({ name: 'sun.png', mimeType: 'image/png', buffer: png });
  await a.page.waitForFunction(() => window.zawaroomLive.stats().images.length === 1);
  const image = (await stats(a.page)).items.find((i) => i.kind === 'image');
  assert.equal(image.author, userEmail);
  assert.ok(Math.hypot(image.x - pb.x, image.y - pb.y) < 1000, `the image at ${image.x},${image.y} lies next to its author at ${pb.x},${pb.y}`);
  await a.page.locator('.chat-line.image').first().waitFor();
  await a.page.waitForTimeout(500);
  await screenshot(a.page, '41-live-room-two-people-boards-image');

  // Only the author drags a board: b's drag over a's sticky moves nothing; a's drag moves it for both.
  const sticky = (await stats(a.page)).items.find((i) => i.text === '今日のタスク: レビュー');
  let from = await onPage(b.page, sticky.x, sticky.y);
  await b.page.mouse.move(from.x, from.y);
  await b.page.mouse.down();
  await b.page.mouse.move(from.x + 80, from.y + 40, { steps: 5 });
  await b.page.mouse.up();
  await b.page.waitForTimeout(500);
  const unmoved = (await stats(b.page)).items.find((i) => i.id === sticky.id);
  assert.deepEqual([unmoved.x, unmoved.y], [sticky.x, sticky.y], 'a board is not moved by someone else');

  from = await onPage(a.page, sticky.x, sticky.y);
  await a.page.mouse.move(from.x, from.y);
  await a.page.mouse.down();
  await a.page.mouse.move(from.x - 60, from.y + 50, { steps: 6 });
  await a.page.mouse.up();
  await b.page.waitForFunction(([id, x]) => window.zawaroomLive.stats().items.find((i) => i.id === id)?.x < x - 40, [sticky.id, sticky.x]);

  // The image is part of the room: b reloads and sees it again (the snapshot), then removes it.
  await enter(b.page);
  await b.page.waitForFunction(() => window.zawaroomLive.stats().images.length === 1);
  const at = await onPage(b.page, image.x, image.y);
  await b.page.mouse.click(at.x, at.y);
  const confirm = b.page.locator('dialog[open]');
  await confirm.getByRole('button', { name: '取り除く' }).click();
  await a.page.waitForFunction(() => window.zawaroomLive.stats().images.length === 0);
});

test('a placed image shows a placeholder while it loads, then the picture; one that cannot be loaded says so', async (t) => {
  const a = await person(t);
  await logIn(a.page, adminEmail);
  await enter(a.page);
  // The meeting rooms' names are readable at the entry scale (the whole office on screen), Japanese ones too.
  const names = (await stats(a.page)).roomNames;
  assert.ok(names.some((n) => n.name === '会議室A'), JSON.stringify(names));
  for (const n of names) assert.ok(n.screenPx >= 14, `${n.name} is ${n.screenPx.toFixed(1)} px high on screen`);

  const png = Buffer.from(await a.page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 120; c.height = 90;
    const g = c.getContext('2d');
    g.fillStyle = '#1b8a5a'; g.fillRect(0, 0, 120, 90);
    g.fillStyle = '#ffffff'; g.fillRect(20, 20, 80, 50);
    return c.toDataURL('image/png').split(',')[1];
  }), 'base64');
  await a.page.locator('.live-toolbar input[type=file]').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: png });
  await a.page.waitForFunction(() => Object.values(window.zawaroomLive.stats().imageLooks).includes('loaded'));
  const image = (await stats(a.page)).items.find((i) => i.kind === 'image');

  // b opens the room while the picture's bytes are slow: a placeholder (not an empty white frame), then the picture.
  const b = await person(t);
  await logIn(b.page, userEmail);
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await b.page.route(/\/rooms\/[^/]+\/images\/[^/?]+$/, async (route) => {
    if (route.request().method() !== 'GET') return route.continue();
    await held;
    await route.continue();
  });
  await enter(b.page);
  await b.page.waitForFunction((id) => window.zawaroomLive.stats().imageLooks[id] === 'loading', image.id);
  await screenshot(b.page, '43-live-room-image-loading');
  release();
  await b.page.waitForFunction((id) => window.zawaroomLive.stats().imageLooks[id] === 'loaded', image.id);
  await screenshot(b.page, '44-live-room-image-loaded');

  // c's copy of the picture cannot be fetched: the image says so where it lies (and nothing breaks).
  const c = await person(t);
  await logIn(c.page, userEmail);
  await c.page.route(/\/rooms\/[^/]+\/images\/[^/?]+$/, (route) => route.request().method() === 'GET'
    ? route.fulfill({ status: 404, contentType: 'application/problem+json', body: JSON.stringify({ status: 404, code: 'not-found' }) })
    : route.continue());
  await enter(c.page);
  await c.page.waitForFunction((id) => window.zawaroomLive.stats().imageLooks[id] === 'failed', image.id);
  await screenshot(c.page, '45-live-room-image-failed');

  // Its author takes it away again (the next test starts from an empty room).
  const removed = await api(`/rooms/${roomId}/images/${image.id}`, { method: 'DELETE', token: await tokenFor(adminEmail) });
  assert.ok(removed.status < 300, `removing the image answered ${removed.status}`);
  await c.page.waitForFunction(() => window.zawaroomLive.stats().images.length === 0);
});

/** Clicks a person's avatar on the canvas and returns the card that opens. */
async function openCard(page, email) {
  const box = await page.evaluate((e) => window.zawaroomLive.avatarBox(e), email);
  await page.mouse.click(box.x + box.width / 2, box.y + Math.min(box.height / 2, box.width / 2));
  const card = page.locator(`.avatar-card[data-email="${email}"]`);
  await card.locator('.avatar-card-schedule:not([hidden])').waitFor();
  return { card, box };
}

test('L5: a click on an avatar shows the current and next entry with the Zoom link, beside the name; a member may show only 予定あり', async (t) => {
  const token = await tokenFor(userEmail);
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString();
  for (const [title, from, to] of [['週次定例', now - 30 * 60000, now + 30 * 60000], ['顧客訪問の準備', now + 2 * 3600000, now + 3 * 3600000]]) {
    const created = await api('/schedules', { method: 'POST', token, body: { title, start: iso(from), end: iso(to), allDay: false, location: '', description: '', attendees: [] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
  }
  const a = await person(t);
  const b = await person(t);
  await logIn(a.page, adminEmail);
  await logIn(b.page, userEmail);
  await enter(a.page);
  await enter(b.page);
  await row(a.page, userEmail).waitFor();
  await a.page.waitForFunction((e) => window.zawaroomLive.stats().onScreen.includes(e), userEmail);

  const { card, box } = await openCard(a.page, userEmail);
  assert.equal((await card.locator('[data-slot=current] .schedule-title').textContent()).trim(), '週次定例');
  assert.equal((await card.locator('[data-slot=next] .schedule-title').textContent()).trim(), '顧客訪問の準備');
  assert.match(await card.locator('[data-slot=current] .schedule-time').textContent(), /\d{1,2}:\d{2}–\d{1,2}:\d{2}/);
  const rect = await card.boundingBox();
  const covers = rect.x < box.x + box.width && box.x < rect.x + rect.width && rect.y < box.y + box.height && box.y < rect.y + rect.height;
  assert.ok(!covers, `the card ${JSON.stringify(rect)} covers the avatar and its name ${JSON.stringify(box)}`);
  await screenshot(a.page, '42-live-room-l5-card');
  await card.getByRole('button', { name: '閉じる' }).click();

  // b chooses to show only 予定あり on their own card; a sees the time, not the title.
  const own = await openCard(b.page, userEmail);
  await own.card.locator('select[name=scheduleVisibility]').selectOption('busy');
  await b.page.getByText('予定の見せ方を保存しました').waitFor();
  const again = await openCard(a.page, userEmail);
  assert.equal((await again.card.locator('[data-slot=current] .schedule-title').textContent()).trim(), '予定あり');
  assert.equal(await again.card.locator('.schedule-join').count(), 0);
});
