// Room editing (R1-R8), the admin menu's Zoom screens (Z1, Z2, Z9) and "my schedule" (Z3) in a real
// browser. Run by dotnet test (E2e/AdminBrowserTests.cs), which starts the app and the Zoom stand-in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminEmail, baseUrl, launch, logIn, newPage, screenshot as fullScreenshot, site, siteUrl, tokenFor, userEmail } from './lib.mjs';
import { deflateSync } from 'node:zlib';

const roomA = process.env.ZAWAROOM_ROOM_A;
const roomB = process.env.ZAWAROOM_ROOM_B;
const zoom = {
  account: process.env.ZAWAROOM_ZOOM_ACCOUNT,
  client: process.env.ZAWAROOM_ZOOM_CLIENT,
  secret: process.env.ZAWAROOM_ZOOM_SECRET,
  user: process.env.ZAWAROOM_ZOOM_USER,
};
/** A full-page screenshot taken from the top (the header is sticky). */
async function screenshot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await fullScreenshot(page, name);
}

/** A solid-colour PNG of the given size (for the background upload). */
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (buf) => { let c = 0xffffffff; for (const x of buf) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4); sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0); header.writeUInt32BE(height, 4); header[8] = 8; header[9] = 2;
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3).map((_, i) => [r, g, b][i % 3])]);
  const pixels = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}

const files = mkdtempSync(join(tmpdir(), 'zawaroom-e2e-'));

let browser;
let adminToken;
before(async () => {
  assert.ok(roomA && roomB && zoom.secret, 'ZAWAROOM_ROOM_A/B and the Zoom stand-in are set by AdminBrowserTests');
  browser = await launch();
  adminToken = await tokenFor(adminEmail);
});
after(async () => { await browser?.close(); });

/** A fresh browser context for one person; fails the test on any script error in the page. */
async function person(t, { ignoreConsole = false } = {}) {
  const session = await newPage(browser);
  // The test machine may be busy: waits are generous (no assertion depends on time).
  session.page.setDefaultTimeout(45000);
  t.after(async () => {
    await session.context.close();
    const problems = session.problems.filter((p) => !p.includes('status of 4') && !(ignoreConsole && p.startsWith('console error')));
    assert.deepEqual(problems, [], 'the page had script errors');
  });
  return session;
}

/** A site API call with the ETag of the answer. */
async function call(path, { method = 'GET', token = adminToken, body, ifMatch } = {}) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (ifMatch) headers['If-Match'] = ifMatch;
  const response = await fetch(`${baseUrl}/s/${site}/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : null, text };
}

const settingsOf = async (roomId) => (await call(`/rooms/${roomId}/settings`)).body;
const rect = (m) => ({ x: m.x, y: m.y, width: m.width, height: m.height });
const numbers = (d) => ({ x: Number(d.x), y: Number(d.y), width: Number(d.w), height: Number(d.h) });

async function noticed(page, text) {
  await page.locator('.notice', { hasText: text }).first().waitFor();
}

async function alertText(scope) {
  const box = scope.locator('.error[role=alert]').first();
  await box.waitFor();
  return (await box.textContent()).trim();
}

async function drag(page, from, by) {
  await page.mouse.move(from.x, from.y);
  await page.mouse.down();
  await page.mouse.move(from.x + by.x / 2, from.y + by.y / 2, { steps: 4 });
  await page.mouse.move(from.x + by.x, from.y + by.y, { steps: 4 });
  await page.mouse.up();
}

test('meeting rooms are moved and resized by dragging, added by double-click, edited with the pencil, and saved', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl(`/rooms/${roomA}/edit/layout`));
  const canvas = page.locator('[data-testid=layout-canvas]');
  await canvas.waitFor();
  // The mouse works in the viewport: bring the editor into its middle (clear of the sticky save bar).
  await canvas.evaluate((el) => el.scrollIntoView({ block: 'center' }));
  const scale = Number(await canvas.getAttribute('data-scale'));
  const guest = canvas.locator('.mr-area[data-name="ゲストエリア"]');
  const initial = numbers(await guest.evaluate((el) => ({ ...el.dataset })));
  assert.deepEqual(initial, rect((await settingsOf(roomA)).meetingRooms[0]));

  // Move: drag the area's body.
  const box = await guest.boundingBox();
  await drag(page, { x: box.x + box.width / 2, y: box.y + box.height / 2 }, { x: 60, y: 30 });
  const moved = numbers(await guest.evaluate((el) => ({ ...el.dataset })));
  assert.ok(Math.abs(moved.x - initial.x - 60 / scale) <= 2 / scale + 1, `moved right by 60px on screen: ${JSON.stringify(moved)}`);
  assert.ok(Math.abs(moved.y - initial.y - 30 / scale) <= 2 / scale + 1, `moved down by 30px on screen: ${JSON.stringify(moved)}`);
  assert.equal(moved.width, initial.width);
  assert.equal(moved.height, initial.height);

  // Resize: drag the bottom-right handle.
  const handle = await guest.locator('.mr-se').boundingBox();
  await drag(page, { x: handle.x + handle.width / 2, y: handle.y + handle.height / 2 }, { x: 40, y: 20 });
  const resized = numbers(await guest.evaluate((el) => ({ ...el.dataset })));
  assert.equal(resized.x, moved.x);
  assert.equal(resized.y, moved.y);
  assert.ok(resized.width > moved.width + 30 / scale * 0.9 && resized.height > moved.height + 15 / scale * 0.9, `resized: ${JSON.stringify(resized)}`);

  // Double-click on the background adds a meeting room centred there, at the bottom of the list.
  const area = await canvas.boundingBox();
  await page.mouse.dblclick(area.x + 100, area.y + 100);
  await canvas.locator('.mr-area').nth(1).waitFor();
  const added = numbers(await canvas.locator('.mr-area').nth(1).evaluate((el) => ({ ...el.dataset })));
  assert.ok(Math.abs(added.x + added.width / 2 - 100 / scale) <= 2 / scale + 1, `added where double-clicked: ${JSON.stringify(added)}`);
  assert.ok(Math.abs(added.y + added.height / 2 - 100 / scale) <= 2 / scale + 1, `added where double-clicked: ${JSON.stringify(added)}`);
  assert.deepEqual(await page.locator('.mr-list .mr-row-name').allTextContents(), ['ゲストエリア', '会議室2']);

  // The pencil: a style that is not JSON is refused in Japanese; then name, area style and audio mode change.
  await page.locator('.mr-list').getByRole('button', { name: '会議室「会議室2」の編集' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('input[name=name]').fill('会議室B');
  await dialog.locator('[data-testid=area-style-json] summary').click();
  await dialog.locator('textarea[name=areaStyle]').fill('{background: red');
  await dialog.getByRole('button', { name: '変更する' }).click();
  assert.equal(await alertText(dialog), '会議室エリアのスタイル: JSON 形式になっていません。');
  await dialog.locator('textarea[name=areaStyle]').fill('{"background": "rgba(255, 0, 0, 0.2)", "borderColor": "#cc0000"}');
  await dialog.locator('select[name=audioMode]').selectOption('by-distance');
  await dialog.locator('select[name=bgmVolume]').selectOption('lower');
  await dialog.locator('select[name=bgmKind]').selectOption('url');
  await dialog.locator('input[name=bgmUrl]').fill('https://music.example/bgm.mp3');
  await dialog.getByRole('button', { name: '変更する' }).click();
  await dialog.waitFor({ state: 'detached' });
  // Order: the new one goes up.
  await page.getByRole('button', { name: '会議室「会議室B」を上へ' }).click();
  assert.deepEqual(await page.locator('.mr-list .mr-row-name').allTextContents(), ['会議室B', 'ゲストエリア']);
  await screenshot(page, '20-room-layout-editor');

  await page.locator('[data-testid=layout-apply]').click();
  await noticed(page, '変更を適用しました');
  const saved = await settingsOf(roomA);
  assert.deepEqual(saved.meetingRooms.map((m) => m.name), ['会議室B', 'ゲストエリア']);
  assert.deepEqual(rect(saved.meetingRooms[1]), resized);
  assert.deepEqual(rect(saved.meetingRooms[0]), added);
  assert.equal(saved.meetingRooms[0].audioMode, 'by-distance');
  assert.equal(saved.meetingRooms[0].bgmVolume, 'lower');
  assert.deepEqual(saved.meetingRooms[0].areaStyle, { background: 'rgba(255, 0, 0, 0.2)', borderColor: '#cc0000' });
  assert.deepEqual(saved.meetingRooms[0].bgm, { kind: 'url', url: 'https://music.example/bgm.mp3' });
  // What the screen shows after saving is what the server has.
  const shown = await canvas.locator('.mr-area').evaluateAll((els) => els.map((el) => ({ ...el.dataset })));
  assert.deepEqual(shown.map(numbers), saved.meetingRooms.map(rect));
  // R8: the entry marker sits where the server says people appear (the guest area's centre).
  const marker = await canvas.locator('.entry-marker').evaluate((el) => ({ x: parseFloat(el.style.left), y: parseFloat(el.style.top) }));
  assert.ok(Math.abs(marker.x / scale - saved.entryPosition.x) < 1 && Math.abs(marker.y / scale - saved.entryPosition.y) < 1,
    `entry marker ${JSON.stringify(marker)} vs ${JSON.stringify(saved.entryPosition)}`);
});

/** A few frames of silent MPEG-1 layer III (128 kbit/s, 44.1 kHz): an mp3 the server accepts. */
function mp3(frames = 4) {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0x00]);
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}

test('a meeting room\'s BGM is uploaded from the pencil dialog and the layout still saves after it', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl(`/rooms/${roomA}/edit/layout`));
  await page.locator('[data-testid=layout-canvas]').waitFor();
  await page.locator('.mr-list').getByRole('button', { name: '会議室「ゲストエリア」の編集' }).click();
  const dialog = page.locator('dialog[open]');
  const file = join(files, 'bgm.mp3');
  writeFileSync(file, mp3());
  await dialog.locator('input[name=bgmFile]').setInputFiles(file);
  await dialog.getByRole('button', { name: 'アップロード', exact: true }).click();
  await noticed(page, 'BGM をアップロードしました');
  assert.equal(await dialog.locator('select[name=bgmKind]').inputValue(), 'uploaded');
  await dialog.locator('select[name=bgmVolume]').selectOption('much-lower');
  await dialog.getByRole('button', { name: '変更する' }).click();
  await dialog.waitFor({ state: 'detached' });
  // The upload moved the settings' ETag on; the editor took it, so this save is not refused as stale.
  await page.locator('[data-testid=layout-apply]').click();
  await noticed(page, '変更を適用しました');
  const guest = (await settingsOf(roomA)).meetingRooms.find((m) => m.name === 'ゲストエリア');
  assert.deepEqual(guest.bgm, { kind: 'uploaded' });
  assert.equal(guest.bgmVolume, 'much-lower');
  const served = await fetch(`${baseUrl}/s/${site}/api/rooms/${roomA}/meeting-rooms/${guest.id}/bgm`, { headers: { Authorization: `Bearer ${adminToken}` } });
  assert.equal(served.status, 200);
  assert.equal(Buffer.from(await served.arrayBuffer()).length, mp3().length);
});

test('a save over someone else\'s change is refused with a Japanese explanation and a reload', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl(`/rooms/${roomA}/edit/layout`));
  await page.locator('[data-testid=layout-canvas]').waitFor();
  // Someone else saves first.
  const read = await call(`/rooms/${roomA}/settings`);
  const other = await call(`/rooms/${roomA}/settings`, { method: 'PUT', ifMatch: read.etag, body: { sound: { ...read.body.sound, voiceReach: 777 } } });
  assert.equal(other.status, 200, other.text);

  await page.locator('input[name=voiceReach]').fill('400');
  await page.locator('[data-testid=layout-apply]').click();
  const text = await alertText(page.locator('[data-testid=layout-errors]'));
  assert.match(text, /^ほかの人が先に変更しました。画面を読み込み直してからもう一度お試しください。/);
  await screenshot(page, '21-room-layout-conflict');
  await page.locator('[data-testid=reload-after-conflict]').click();
  await page.locator('input[name=voiceReach]').waitFor();
  assert.equal(await page.locator('input[name=voiceReach]').inputValue(), '777');
  assert.equal((await settingsOf(roomA)).sound.voiceReach, 777);
});

test('entry permission: domains as checkboxes, users by e-mail, unknown e-mails named', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl(`/rooms/${roomA}/edit/entry`));
  const boxes = page.locator('.domain-choices input[name=domain]');
  await boxes.first().waitFor();
  assert.deepEqual(await boxes.evaluateAll((els) => els.map((el) => [el.value, el.checked])), [['webadmin.example', false], ['partner.example', false]]);
  await page.locator('.domain-choices input[value="partner.example"]').check();
  await page.locator('textarea[name=users]').fill(`${userEmail}\nnobody@elsewhere.example`);
  await page.getByRole('button', { name: '変更を適用する' }).click();
  assert.equal(await alertText(page.locator('.entry-form')), 'このサイトに登録されていないメールアドレスがあります：nobody@elsewhere.example');
  await page.locator('textarea[name=users]').fill(userEmail);
  await page.getByRole('button', { name: '変更を適用する' }).click();
  await noticed(page, '変更を適用しました');
  const entry = (await settingsOf(roomA)).entry;
  assert.deepEqual(entry.users, [userEmail]);
  assert.deepEqual(entry.domains.filter((d) => d.checked).map((d) => d.domain), ['partner.example']);
  await screenshot(page, '22-room-entry');
});

test('a .zawa export imported into another room gives the same layout; a foreign file is refused in Japanese', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl(`/rooms/${roomA}/edit`));
  const downloading = page.waitForEvent('download');
  await page.locator('[data-testid=zawa-export]').click();
  const download = await downloading;
  assert.match(download.suggestedFilename(), /\.zawa$/);
  const exported = join(files, 'roomA.zawa');
  await download.saveAs(exported);
  assert.equal(JSON.parse(readFileSync(exported, 'utf8')).format, 'zawaroom.room');

  // A file of something else is refused, in Japanese, and changes nothing.
  const before = await settingsOf(roomB);
  const foreign = join(files, 'foreign.zawa');
  writeFileSync(foreign, JSON.stringify({ format: 'someone-else', version: 1, rooms: [] }));
  await page.goto(siteUrl(`/rooms/${roomB}/edit`));
  await page.locator('input[name=zawa]').setInputFiles(foreign);
  await page.locator('[data-testid=zawa-import]').click();
  let dialog = page.locator('dialog[open]');
  await dialog.getByRole('button', { name: '読込み' }).click();
  assert.equal(await alertText(dialog),
    'このファイルは zawaroom のルーム設定ファイル（.zawa）として読み込めません。ほかのルームから書き出したファイルを選んでください。');
  await screenshot(page, '23-zawa-foreign-refused');
  await dialog.getByRole('button', { name: 'キャンセル' }).click();
  assert.deepEqual(await settingsOf(roomB), before);

  await page.locator('input[name=zawa]').setInputFiles(exported);
  await page.locator('[data-testid=zawa-import]').click();
  dialog = page.locator('dialog[open]');
  await dialog.getByRole('button', { name: '読込み' }).click();
  await noticed(page, 'ルーム設定ファイルを読み込みました');

  const a = await settingsOf(roomA);
  const b = await settingsOf(roomB);
  const layout = (s) => ({
    sound: s.sound, scale: s.scale, background: { width: s.background.width, height: s.background.height, uploaded: s.background.uploaded },
    meetingRooms: s.meetingRooms.map(({ id, ...rest }) => rest), entryPosition: s.entryPosition,
    domains: s.entry.domains,
  });
  assert.deepEqual(layout(b), layout(a));
  // And the editor of room B draws it.
  await page.goto(siteUrl(`/rooms/${roomB}/edit/layout`));
  await page.locator('[data-testid=layout-canvas] .mr-area').nth(1).waitFor();
  assert.deepEqual(await page.locator('.mr-list .mr-row-name').allTextContents(), ['会議室B', 'ゲストエリア']);
});

test('a background image is previewed, uploaded, and becomes the room size in the editor', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl(`/rooms/${roomB}/edit/layout`));
  await page.locator('[data-testid=layout-canvas]').waitFor();
  const image = join(files, 'background.png');
  writeFileSync(image, png(1600, 900, [40, 120, 200]));
  await page.locator('input[name=background]').setInputFiles(image);
  await page.locator('[data-testid=background-preview]', { hasText: '1600 × 900 ピクセル' }).waitFor();
  await page.getByRole('button', { name: '背景画像をアップロード' }).click();
  await noticed(page, '背景画像を変更しました');
  const canvas = page.locator('[data-testid=layout-canvas]');
  assert.equal(await canvas.getAttribute('data-width'), '1600');
  assert.equal(await canvas.getAttribute('data-height'), '900');
  // The uploaded image (read with the bearer token, shown from a blob URL) is the editor's background.
  assert.match(await canvas.evaluate((el) => getComputedStyle(el).backgroundImage), /^url\("?blob:/);
  const s = await settingsOf(roomB);
  assert.deepEqual({ width: s.background.width, height: s.background.height, uploaded: s.background.uploaded }, { width: 1600, height: 900, uploaded: true });
  // Meeting rooms moved inside the smaller background, as the editor shows them.
  for (const m of s.meetingRooms) assert.ok(m.x + m.width <= 1600 && m.y + m.height <= 900, JSON.stringify(m));
  const shown = await canvas.locator('.mr-area').evaluateAll((els) => els.map((el) => ({ ...el.dataset })));
  assert.deepEqual(shown.map(numbers), s.meetingRooms.map(rect));
  await screenshot(page, '29b-room-background');
});

test('Zoom settings are saved without the secrets ever coming back; members\' Zoom e-mails are verified', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);

  // Before anything is set, "今すぐ同期" explains in Japanese.
  await page.goto(siteUrl('/admin/zoom-status'));
  await page.locator('[data-testid=zoom-sync-now]').click();
  assert.equal(await alertText(page.locator('.zoom-status')), 'Zoom 連携が無効になっています。Zoom 連携設定で有効にしてください。');

  await page.goto(siteUrl('/admin/zoom'));
  const form = page.locator('form.zoom-settings');
  await form.waitFor();
  assert.equal((await page.locator('[data-testid=client-secret-state]').textContent()).trim(), '未設定');
  // On without credentials: refused.
  await form.locator('input[name=enabled]').check();
  await form.getByRole('button', { name: '変更を保存' }).click();
  assert.equal(await alertText(form), 'Zoom アプリの情報（Account ID・Client ID・Client Secret）が設定されていません。');

  await form.locator('input[name=accountId]').fill(zoom.account);
  await form.locator('input[name=clientId]').fill(zoom.client);
  await form.locator('input[name=clientSecret]').fill(zoom.secret);
  await form.locator('input[name=webhookSecretToken]').fill('whsec-e2e-browser');
  await form.getByRole('button', { name: '変更を保存' }).click();
  await noticed(page, '保存しました');
  assert.equal((await page.locator('[data-testid=client-secret-state]').textContent()).trim(), '設定済み');
  assert.equal((await page.locator('[data-testid=webhook-secret-state]').textContent()).trim(), '設定済み');
  assert.equal(await form.locator('input[name=clientSecret]').inputValue(), '');

  const read = await call('/admin/zoom');
  assert.equal(read.body.clientSecretSet, true);
  assert.equal(read.body.enabled, true);
  assert.ok(!read.text.includes(zoom.secret) && !read.text.includes('whsec-e2e-browser'), `a secret came back: ${read.text}`);
  await page.reload();
  await form.waitFor();
  const html = await page.content();
  assert.ok(!html.includes(zoom.secret) && !html.includes('whsec-e2e-browser'), 'a secret is in the page');
  assert.equal(await form.locator('input[name=clientSecret]').inputValue(), '');
  await screenshot(page, '24-zoom-settings');

  // Z2: the member's Zoom e-mail, checked with Zoom.
  await page.goto(siteUrl('/admin/zoom-members'));
  const row = page.locator(`tr[data-email="${userEmail}"]`);
  await row.waitFor();
  await row.locator('input[name=zoomEnabled]').check();
  await row.locator('input[name=zoomEmail]').fill(zoom.user);
  await page.locator('[data-testid=zoom-members-save]').click();
  await noticed(page, 'Zoom 設定を保存しました');
  await page.locator(`tr[data-email="${userEmail}"] [data-verified=true]`).waitFor();
  assert.equal((await page.locator(`tr[data-email="${userEmail}"] [data-verified]`).textContent()).trim(), '確認済み');
  await screenshot(page, '25-zoom-members');
});

function tomorrow() {
  const d = new Date();
  d.setDate(d.getDate() + 1);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

test('a member creates a "Zoom 会議" entry in my schedule, the sync links it, and its join URL shows', async (t) => {
  const { page } = await person(t);
  await logIn(page, userEmail);
  await page.locator('[data-testid=my-schedule]').click();
  await page.locator('[data-testid=calendar]').waitFor();
  await page.locator('[data-testid=schedule-new]').click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('input[name=title]').fill('週次定例');
  const day = tomorrow();
  await dialog.locator('input[name=date]').fill(day);
  await dialog.locator('input[name=startTime]').fill('10:00');
  await dialog.locator('input[name=endDate]').fill(day);
  await dialog.locator('input[name=endTime]').fill('11:00');
  await dialog.locator('select[name=locationKind]').selectOption({ label: 'Zoom 会議' });
  await dialog.locator('textarea[name=attendees]').fill(adminEmail);
  await dialog.getByRole('button', { name: '作成' }).click();
  await dialog.waitFor({ state: 'detached' });
  await noticed(page, '予定を保存しました');

  const userToken = await tokenFor(userEmail);
  const from = `${day}T00:00:00${offset()}`;
  const to = `${day}T23:59:59${offset()}`;
  const listed = await call(`/schedules?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: userToken });
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.body.length, 1);
  assert.equal(listed.body[0].title, '週次定例');
  assert.equal(listed.body[0].location, 'Zoom 会議');
  assert.deepEqual(listed.body[0].attendees, [adminEmail]);

  // The site admin runs the sync now (Z7, Z9): the audit shows the meeting created.
  const admin = await person(t);
  await logIn(admin.page, adminEmail);
  await admin.page.goto(siteUrl('/admin/zoom-status'));
  await admin.page.locator('[data-testid=zoom-sync-now]').click();
  await noticed(admin.page, '同期しました（作成 1');
  await admin.page.locator('table.audit td', { hasText: 'ミーティングの作成' }).first().waitFor();
  await screenshot(admin.page, '26-zoom-status');

  // The member sees the entry linked, with its join URL.
  await page.goto(siteUrl(`/schedule?view=week&date=${day}`));
  const chip = page.locator('.entry-chip', { hasText: '週次定例' });
  await chip.locator('[data-zoom-state=linked]').waitFor();
  await chip.click();
  const details = page.locator('dialog[open] [data-testid=entry-zoom]');
  await details.waitFor();
  const joinUrl = await details.locator('a.join-url').getAttribute('href');
  assert.match(joinUrl, /^https?:\/\//);
  await screenshot(page, '27-schedule-entry-zoom');
  await page.locator('dialog[open]').getByRole('button', { name: 'キャンセル' }).click();
  await page.goto(siteUrl(`/schedule?view=month&date=${day}`));
  await page.locator('.calendar-month .entry-chip', { hasText: '週次定例' }).waitFor();
  await screenshot(page, '28-schedule-month');
});

function offset() {
  const minutes = -new Date().getTimezoneOffset();
  const pad = (n) => String(Math.trunc(Math.abs(n))).padStart(2, '0');
  return `${minutes >= 0 ? '+' : '-'}${pad(minutes / 60)}:${pad(minutes % 60)}`;
}

test('an iCalendar file is imported with the counts shown, and importing it again changes nothing', async (t) => {
  const { page } = await person(t);
  await logIn(page, userEmail);
  await page.goto(siteUrl('/schedule'));
  const ics = join(files, 'calendar.ics');
  writeFileSync(ics, [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//e2e//EN',
    'BEGIN:VEVENT', 'UID:e2e-import-1@example', 'DTSTAMP:20261101T000000Z', 'DTSTART:20261215T010000Z', 'DTEND:20261215T020000Z', 'SUMMARY:取り込んだ予定', 'END:VEVENT',
    'END:VCALENDAR', '',
  ].join('\r\n'));
  await page.locator('input[name=importFile]').setInputFiles(ics);
  await page.getByRole('button', { name: 'ファイルを取り込む' }).click();
  await page.locator('[data-testid=import-result]', { hasText: '作成 1 件・更新 0 件・変更なし 0 件・取り込めなかったもの 0 件' }).waitFor();
  await page.getByRole('button', { name: 'ファイルを取り込む' }).click();
  await page.locator('[data-testid=import-result]', { hasText: '作成 0 件・更新 0 件・変更なし 1 件・取り込めなかったもの 0 件' }).waitFor();
  await screenshot(page, '29-schedule-import');

  // A subscribed feed URL: two entries; a URL that is not one is refused before anything is sent.
  await page.locator('input[name=feedUrl]').fill('not a url');
  await page.getByRole('button', { name: 'URL から取り込む' }).click();
  assert.equal(await alertText(page.locator('.schedule-import')), 'http:// または https:// で始まる URL を入力してください。');
  await page.locator('input[name=feedUrl]').fill(process.env.ZAWAROOM_FEED_URL);
  await page.getByRole('button', { name: 'URL から取り込む' }).click();
  await page.locator('[data-testid=import-result]', { hasText: '作成 2 件・更新 0 件・変更なし 0 件・取り込めなかったもの 0 件' }).waitFor();
});

test('a B2C user\'s first login goes to the B2C sign-up with PKCE, and the code comes back to the site', async (t) => {
  // The fake B2C tenant of AdminBrowserTests; the browser never leaves for it: the requests are answered here.
  const { page } = await person(t, { ignoreConsole: true });
  const authorizeRequests = [];
  const tokenRequests = [];
  await page.context().route('https://b2c.e2e.example/**', async (route) => {
    const request = route.request();
    if (request.url().includes('/oauth2/v2.0/authorize')) {
      authorizeRequests.push(request.url());
      return route.fulfill({ status: 200, contentType: 'text/html', body: '<html><body><h1>B2C sign-up (stand-in)</h1></body></html>' });
    }
    tokenRequests.push({ url: request.url(), body: request.postData() });
    return route.fulfill({ status: 200, contentType: 'application/json', headers: { 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify({ id_token: 'e2e.not-a-real.token' }) });
  });

  await page.goto(siteUrl('/login'));
  const signUp = page.locator('[data-testid=b2c-signup]');
  await signUp.waitFor();
  assert.equal((await signUp.textContent()).trim(), 'はじめての方（zawaroom アカウントの初回登録）');
  await screenshot(page, '30-login-b2c-signup');
  await signUp.click();
  await page.getByRole('heading', { name: 'B2C sign-up (stand-in)' }).waitFor();

  assert.equal(authorizeRequests.length, 1);
  const authorize = new URL(authorizeRequests[0]);
  assert.equal(authorize.origin + authorize.pathname, 'https://b2c.e2e.example/zawaroom-e2e.onmicrosoft.com/B2C_1_susi/oauth2/v2.0/authorize');
  const q = authorize.searchParams;
  assert.equal(q.get('client_id'), 'e2e-b2c-client');
  assert.equal(q.get('response_type'), 'code');
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.equal(q.get('redirect_uri'), siteUrl('/auth/callback'));
  assert.ok(q.get('state') && q.get('code_challenge'));

  // Back from B2C with a code: the browser exchanges it with its PKCE verifier.
  await page.goto(siteUrl(`/auth/callback?code=e2e-code&state=${encodeURIComponent(q.get('state'))}`));
  await page.waitForURL((url) => !url.pathname.endsWith('/auth/callback'));
  assert.equal(tokenRequests.length, 1);
  const form = new URLSearchParams(tokenRequests[0].body);
  assert.equal(form.get('grant_type'), 'authorization_code');
  assert.equal(form.get('code'), 'e2e-code');
  assert.equal(form.get('client_id'), 'e2e-b2c-client');
  assert.equal(createHash('sha256').update(form.get('code_verifier')).digest('base64url'), q.get('code_challenge'));

  // A forged answer (wrong state) is refused in Japanese.
  await page.goto(siteUrl('/auth/callback?code=x&state=forged'));
  assert.equal(await alertText(page), 'ログインの途中の情報が見つかりません。もう一度ログインしてください。');
});

test('a repeating entry: the simple picker writes the RRULE and reads it back', async (t) => {
  const { page } = await person(t);
  await logIn(page, userEmail);
  await page.goto(siteUrl('/schedule'));
  await page.locator('[data-testid=schedule-new]').click();
  const dialog = page.locator('dialog[open]');
  await dialog.locator('input[name=title]').fill('朝会');
  const day = tomorrow();
  await dialog.locator('input[name=date]').fill(day);
  await dialog.locator('input[name=startTime]').fill('09:00');
  await dialog.locator('input[name=endDate]').fill(day);
  await dialog.locator('input[name=endTime]').fill('09:15');
  await dialog.locator('select[name=frequency]').selectOption('weekdays');
  await dialog.locator('select[name=repeatEnd]').selectOption('count');
  await dialog.locator('input[name=count]').fill('20');
  await dialog.getByRole('button', { name: '作成' }).click();
  await dialog.waitFor({ state: 'detached' });

  const userToken = await tokenFor(userEmail);
  const from = `${day}T00:00:00${offset()}`;
  const to = `${day}T23:59:59${offset()}`;
  const listed = (await call(`/schedules?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, { token: userToken })).body;
  const entry = listed.find((e) => e.title === '朝会');
  assert.ok(entry, JSON.stringify(listed));
  assert.equal(entry.recurrence, 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=20');

  await page.goto(siteUrl(`/schedule?view=week&date=${day}`));
  await page.locator('.entry-chip', { hasText: '朝会' }).first().click();
  const edit = page.locator('dialog[open]');
  assert.equal(await edit.locator('select[name=frequency]').inputValue(), 'weekdays');
  assert.equal(await edit.locator('select[name=repeatEnd]').inputValue(), 'count');
  assert.equal(await edit.locator('input[name=count]').inputValue(), '20');
});

test('usage logs: the site admin and a room admin export CSV with progress and download it (G2)', async (t) => {
  // The member becomes room admin of room B: the room's log is theirs to export too.
  const read = await call(`/rooms/${roomB}`);
  const patched = await call(`/rooms/${roomB}`, { method: 'PATCH', ifMatch: read.etag, body: { roomAdmins: [userEmail] } });
  assert.equal(patched.status, 200, patched.text);

  async function exportAndDownload(page, scope, name) {
    await scope.locator('[data-testid=log-export-start]').click();
    await scope.locator('[data-testid=log-export-status][data-state=done]').waitFor();
    const downloading = page.waitForEvent('download');
    await scope.locator('[data-testid=log-export-download]').click();
    const download = await downloading;
    assert.match(download.suggestedFilename(), /\.csv$/);
    const file = join(files, name);
    await download.saveAs(file);
    const bytes = readFileSync(file);
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 with BOM, for Excel');
    assert.match(bytes.subarray(3).toString('utf8').split(/\r?\n/)[0], /^eventDateTime,/);
  }

  const admin = await person(t);
  await logIn(admin.page, adminEmail);
  await admin.page.goto(siteUrl('/admin/logs'));
  await admin.page.locator('select[name=spaceId]').selectOption({ label: '本社' });
  await exportAndDownload(admin.page, admin.page.locator('form.log-export'), 'site-log.csv');
  await screenshot(admin.page, '31-admin-log-export');

  const user = await person(t);
  await logIn(user.page, userEmail);
  await user.page.locator(`.room-card[data-room-id="${roomB}"]`).getByRole('link', { name: 'ルームのログ出力' }).click();
  const section = user.page.locator('#room-logs');
  await section.waitFor();
  await exportAndDownload(user.page, section, 'room-log.csv');
  await screenshot(user.page, '32-room-log-export');
});
