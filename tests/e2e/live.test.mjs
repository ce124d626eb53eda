// The live room in real browsers: two people enter one room and see each other (list and canvas),
// one moves by click and by keys and the other sees the new position, a status change and a
// message reach the other, a knock is noticed, leaving removes the avatar; a member outside the
// entry permission is refused in Japanese. Run by dotnet test (E2e/LiveBrowserTests.cs) against
// the real app with real presence.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminEmail, enterRoom, launch, logIn, mediaArgs, newPage, personPage, screenshot, siteUrl, userEmail } from './lib.mjs';

const roomId = process.env.ZAWAROOM_ROOM;
const restrictedRoomId = process.env.ZAWAROOM_RESTRICTED_ROOM;
const outsiderEmail = process.env.ZAWAROOM_OUTSIDER;
if (!roomId || !restrictedRoomId || !outsiderEmail) throw new Error('ZAWAROOM_ROOM, ZAWAROOM_RESTRICTED_ROOM and ZAWAROOM_OUTSIDER are set by LiveBrowserTests');

let browser;
before(async () => { browser = await launch(mediaArgs); });
after(async () => { await browser?.close(); });

/** A fresh browser context for one person; fails the test on any script error in the page. */
const person = (t) => personPage(browser, t);

/** Opens the room by its URL and waits until the connection is live. */
const enter = (page) => enterRoom(page, roomId);

const row = (page, email) => page.locator(`.people-list .person[data-email="${email}"]`);

async function positionOf(page, email) {
  const r = row(page, email);
  return { x: Number(await r.getAttribute('data-x')), y: Number(await r.getAttribute('data-y')) };
}

/** Waits until one's own walk ended (the last Move is sent on stop) and returns where one stands. */
async function standStill(page, email) {
  await page.locator('.live-room[data-walking=false]').waitFor();
  return positionOf(page, email);
}

/** Waits until the page shows `email` at exactly this position (as the server sent it). */
async function waitForPosition(page, email, { x, y }) {
  try {
    await page.waitForFunction(([e, px, py]) => {
      const r = document.querySelector(`.people-list .person[data-email="${e}"]`);
      return r && Number(r.dataset.x) === px && Number(r.dataset.y) === py;
    }, [email, x, y]);
  } catch (error) {
    const seen = await page.evaluate((e) => {
      const r = document.querySelector(`.people-list .person[data-email="${e}"]`);
      return r ? `${r.dataset.x},${r.dataset.y}` : 'not in the list';
    }, email);
    throw new Error(`${email} should be shown at ${x},${y}, but is at ${seen}`, { cause: error });
  }
}

/** Whether the canvas draws this person's avatar on screen (not culled). */
async function onCanvas(page, email) {
  return page.evaluate((e) => window.zawaroomLive.stats().onScreen.includes(e), email);
}

test('two people in one room see each other, move, change status, write, knock and leave', async (t) => {
  const a = await person(t);
  const b = await person(t);
  await logIn(a.page, adminEmail);
  await logIn(b.page, userEmail);

  // The room select's card leads into the room.
  await a.page.locator('.room-card', { hasText: 'みんなの部屋' }).getByRole('link', { name: '入室' }).click();
  await a.page.locator('.live-room[data-state=live]').waitFor();
  await enter(b.page);

  // Each sees the other: a row in the list, an avatar on the canvas.
  await row(a.page, userEmail).waitFor();
  await row(b.page, adminEmail).waitFor();
  await a.page.waitForFunction((e) => window.zawaroomLive.stats().onScreen.includes(e), userEmail);
  assert.ok(await onCanvas(b.page, adminEmail), 'b draws a on the canvas');
  assert.equal((await a.page.locator('.people-count').textContent()).trim(), '2');
  assert.equal(await row(a.page, adminEmail).getAttribute('data-self'), 'true');
  assert.equal((await a.page.getByRole('button', { name: '退室する' }).count()), 1);
  assert.equal((await a.page.locator('.live-state').textContent()).trim(), '接続済み');
  await screenshot(a.page, '20-live-room-two-people');

  // L3: standing together in the guest area (whole-room audio) they hear each other: a WebRTC
  // connection each way, signalled through the hub; a's camera reaches b.
  await a.page.locator(`.live-room[data-voice~="${userEmail}"]`).waitFor({ timeout: 30000 });
  await b.page.locator(`.live-room[data-voice~="${adminEmail}"]`).waitFor({ timeout: 30000 });
  await a.page.getByTestId('camera').click();
  await b.page.locator(`.video-tile[data-email="${adminEmail}"] video`).waitFor({ timeout: 30000 });
  await a.page.getByTestId('camera').click();

  // a moves by clicking on the floor; b sees the position a stopped at.
  const start = await positionOf(a.page, adminEmail);
  const canvas = a.page.locator('canvas.room-canvas');
  const box = await canvas.boundingBox();
  await canvas.click({ position: { x: box.width / 2 + 150, y: box.height / 2 + 60 } });
  await a.page.locator('.live-room[data-walking=true]').waitFor().catch(() => {});
  const clicked = await standStill(a.page, adminEmail);
  assert.ok(clicked.x > start.x + 50, `a walked right towards the click: ${JSON.stringify(start)} -> ${JSON.stringify(clicked)}`);
  await waitForPosition(b.page, adminEmail, clicked);

  // ... and by keys (arrow left, then W for up).
  await a.page.keyboard.down('ArrowLeft');
  await a.page.waitForFunction(([e, x]) => Number(document.querySelector(`.person[data-email="${e}"]`)?.dataset.x) < x - 80, [adminEmail, clicked.x]);
  await a.page.keyboard.up('ArrowLeft');
  await a.page.keyboard.down('w');
  await a.page.waitForFunction(([e, y]) => Number(document.querySelector(`.person[data-email="${e}"]`)?.dataset.y) < y - 40, [adminEmail, clicked.y]);
  await a.page.keyboard.up('w');
  const keyed = await standStill(a.page, adminEmail);
  assert.ok(keyed.x < clicked.x && keyed.y < clicked.y, `a walked left and up: ${JSON.stringify(clicked)} -> ${JSON.stringify(keyed)}`);
  await waitForPosition(b.page, adminEmail, keyed);
  await screenshot(b.page, '21-live-room-after-move');

  // L4: a's connection drops; it reconnects by itself (a new enter and snapshot), keeps its place,
  // and both see each other as before.
  await a.page.evaluate(() => window.zawaroomLive.dropConnection());
  await a.page.locator('.live-room[data-state=reconnecting], .live-room[data-state=live]').first().waitFor();
  await a.page.locator('.live-room[data-state=live]').waitFor({ timeout: 30000 });
  await row(a.page, userEmail).waitFor();
  await row(b.page, adminEmail).waitFor();
  await waitForPosition(b.page, adminEmail, keyed);
  assert.deepEqual(await positionOf(a.page, adminEmail), keyed);

  // Status: a is busy; b sees it in the list.
  await a.page.locator('select.status-select').selectOption('busy');
  await b.page.locator(`.person[data-email="${adminEmail}"][data-status=busy]`).waitFor();
  assert.match(await row(b.page, adminEmail).locator('.person-status').textContent(), /取り込み中/);

  // A message from b appears for a.
  await b.page.getByRole('textbox', { name: 'メッセージ' }).fill('こんにちは、今いいですか？');
  await b.page.getByRole('button', { name: '送信' }).click();
  const line = a.page.locator(`.chat-line.message[data-email="${userEmail}"]`, { hasText: 'こんにちは、今いいですか？' });
  await line.waitFor();
  assert.match(await line.textContent(), /こんにちは、今いいですか？/);

  // A knock from a is noticed by b.
  await row(a.page, userEmail).getByRole('button', { name: '声かけ' }).click();
  await b.page.locator('.knock-notice', { hasText: 'さんが声をかけています' }).waitFor();

  // Clicking an avatar on the canvas opens its card (b's own, at the centre of b's screen).
  await b.page.locator('canvas.room-canvas').click();
  const card = b.page.locator(`.avatar-card[data-email="${userEmail}"]`);
  await card.waitFor();
  assert.match(await card.textContent(), /（あなた）/);
  await b.page.keyboard.press('Escape');
  await card.waitFor({ state: 'detached' });

  // A sticky note put up by b is drawn for a (its board arrives in the room's event).
  await b.page.getByTestId('sticky').click();
  const dialog = b.page.locator('dialog[open]');
  await dialog.locator('textarea[name=text]').fill('15時から定例');
  await dialog.getByRole('button', { name: '配置する' }).click();
  await dialog.waitFor({ state: 'detached' });
  await a.page.waitForFunction(() => window.zawaroomLive.stats().boards.includes('15時から定例'));
  // b edits it by clicking it on the canvas (it stands up and to the right of b, who is at the centre).
  await b.page.waitForFunction(() => window.zawaroomLive.stats().boards.includes('15時から定例'));
  const scale = await b.page.evaluate(() => window.zawaroomLive.stats().scale);
  const bbox = await b.page.locator('canvas.room-canvas').boundingBox();
  await b.page.locator('canvas.room-canvas').click({ position: { x: bbox.width / 2 + 90 * scale, y: bbox.height / 2 - 90 * scale } });
  const edit = b.page.getByRole('dialog', { name: 'ふせんの編集' });
  await edit.locator('textarea[name=text]').fill('15時から定例（会議室A）');
  await edit.getByRole('button', { name: '変更を保存' }).click();
  await edit.waitFor({ state: 'detached' });
  await a.page.waitForFunction(() => window.zawaroomLive.stats().boards.includes('15時から定例（会議室A）'));
  // An image uploaded by b (POST /api/rooms/{id}/images) appears in a's messages, fetched behind the login.
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');
  await b.page.locator('.live-toolbar input[type=file]').setInputFiles({ name: 'whiteboard.png', mimeType: 'image/png', buffer: png });
  await b.page.getByRole('status').filter({ hasText: '画像をアップロードしました' }).waitFor();
  const image = a.page.locator(`.chat-line.image[data-email="${userEmail}"] img.chat-image`);
  await image.waitFor();
  assert.match(await image.getAttribute('src'), /^blob:/);
  assert.equal(await image.evaluate((img) => img.complete && img.naturalWidth), 2);
  // A 2 x 2 picture is shown as a square one can see (its pixels as blocks), not as a dot.
  await a.page.locator('img.chat-image[data-shown]').first().waitFor();
  const shown = await image.boundingBox();
  assert.ok(shown.width >= 90 && Math.abs(shown.width - shown.height) < 2, `the thumbnail is ${shown.width} x ${shown.height}`);
  assert.equal(await image.evaluate((img) => getComputedStyle(img).imageRendering), 'pixelated');
  await screenshot(a.page, '22-live-room-status-message-knock');

  // English second: the same room, relabelled without entering again.
  await b.page.locator('select.locale').selectOption('en');
  await b.page.getByRole('button', { name: 'Leave' }).waitFor();
  assert.equal(await row(b.page, adminEmail).count(), 1);
  await b.page.locator('select.locale').selectOption('ja');
  await b.page.getByRole('button', { name: '退室する' }).waitFor();

  // a leaves: back at the room select; b no longer sees a, in the list or on the canvas.
  await a.page.getByRole('button', { name: '退室する' }).click();
  await a.page.locator('section.spaces').waitFor();
  await row(b.page, adminEmail).waitFor({ state: 'detached' });
  assert.equal(await onCanvas(b.page, adminEmail), false);
  assert.equal((await b.page.locator('.people-count').textContent()).trim(), '1');
  await b.page.locator('.chat-line.system', { hasText: 'さんが退室しました' }).last().waitFor();
  await screenshot(b.page, '23-live-room-after-leave');
});

test('a member outside the entry permission is refused in Japanese, with a way back', async (t) => {
  const { page } = await person(t);
  await logIn(page, outsiderEmail);
  await page.goto(siteUrl(`/rooms/${restrictedRoomId}`));
  const box = page.locator('.entry-refused .error[role=alert]');
  await box.waitFor();
  assert.equal((await box.textContent()).trim(), 'このルームへの入室は許可されていません。');
  assert.equal(await box.getAttribute('data-code'), 'entry-denied');
  assert.equal(await page.locator('.live-room').count(), 0);
  await screenshot(page, '24-live-room-entry-denied');
  await page.getByRole('link', { name: /ルーム選択に戻る/ }).click();
  await page.locator('section.spaces').waitFor();
});

test('without a microphone (no permission) the room still works and the mic shows as unavailable', async (t) => {
  // A browser without the fake-media flags: the permission prompt is dismissed, getUserMedia fails.
  const plain = await launch();
  t.after(() => plain.close());
  const session = await newPage(plain);
  t.after(async () => {
    await session.context.close();
    assert.deepEqual(session.problems.filter((p) => !p.includes('status of 4')), [], 'the page had script errors');
  });
  const { page } = session;
  await logIn(page, userEmail);
  await enter(page);
  const mic = page.getByTestId('mic');
  await page.locator('[data-testid=mic].unavailable').waitFor();
  assert.equal((await mic.textContent()).trim(), 'マイクなし');
  await mic.click();
  await page.getByRole('status').filter({ hasText: 'マイクが使えません' }).waitFor();
  // Everything else still works: a message goes out and comes back.
  await page.getByRole('textbox', { name: 'メッセージ' }).fill('マイクなしでも参加しています');
  await page.getByRole('button', { name: '送信' }).click();
  await page.locator('.chat-line.message', { hasText: 'マイクなしでも参加しています' }).waitFor();
  await screenshot(page, '25-live-room-no-microphone');
  await page.getByRole('button', { name: '退室する' }).click();
  await page.locator('section.spaces').waitFor();
});
