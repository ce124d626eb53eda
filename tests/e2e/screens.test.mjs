// The screens a new user meets outside the live room (issue 14): my schedule (week time grid, month,
// the weekly weekday), Zoom status that tells the truth with Zoom down, errors with the server's
// reason, plain admin labels, meeting-room style controls, the favicon, toasts clear of Send, and
// the English locale. Run by dotnet test (E2e/ScreensBrowserTests.cs), which starts the app and the
// Zoom stand-in and runs this in Asia/Tokyo, the site's timezone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { adminEmail, api, baseUrl, launch, logIn, screenshot as fullScreenshot, screenshots, siteUrl, tokenFor, userEmail } from './lib.mjs';

const secondEmail = process.env.ZAWAROOM_SECOND;
const roomId = process.env.ZAWAROOM_ROOM;
const zoomControl = process.env.ZAWAROOM_ZOOM_CONTROL;

let browser;
before(async () => {
  assert.ok(secondEmail && roomId && zoomControl, 'set by ScreensBrowserTests');
  browser = await launch();
});
after(async () => { await browser?.close(); });

/** One person's browser, in the site's timezone; fails the test on any script error in the page. */
async function person(t, { locale = 'ja', height = 800, ignoreConsole = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height }, locale: locale === 'ja' ? 'ja-JP' : 'en-GB', timezoneId: 'Asia/Tokyo' });
  if (locale === 'en') await context.addInitScript(() => localStorage.setItem('zawaroom.locale', 'en'));
  const page = await context.newPage();
  page.setDefaultTimeout(45000);
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (!ignoreConsole && message.type() === 'error' && !message.text().includes('status of 4')) problems.push(`console error: ${message.text()}`); });
  t.after(async () => {
    await context.close();
    assert.deepEqual(problems, [], 'the page had script errors');
  });
  return page;
}

async function screenshot(page, name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await fullScreenshot(page, name);
}

const pad = (n) => String(n).padStart(2, '0');
const isoDay = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
const addDays = (d, n) => new Date(d.getFullYear(), d.getMonth(), d.getDate() + n);
const today = new Date(new Date().getFullYear(), new Date().getMonth(), new Date().getDate());
// The next Thursday (1-7 days ahead: inside the Zoom window), and the Tuesday of its week as the dialog's day.
const thursday = addDays(today, ((4 - today.getDay() + 7) % 7) || 7);
const tuesday = addDays(thursday, -2);

const call = async (path, token, options = {}) => api(path, { token, ...options });
const zoom = async (state) => { const r = await fetch(`${zoomControl}/control/${state}`, { method: 'POST' }); assert.equal(r.status, 204); };
const entriesOf = async (token, from, to) =>
  (await call(`/schedules?from=${encodeURIComponent(`${isoDay(from)}T00:00:00+09:00`)}&to=${encodeURIComponent(`${isoDay(to)}T00:00:00+09:00`)}`, token)).body;

async function noticed(page, text) {
  await page.locator('.notice', { hasText: text }).first().waitFor();
}

async function alertText(scope) {
  const box = scope.locator('.error[role=alert]').first();
  await box.waitFor();
  return (await box.textContent()).trim();
}

test('a weekly entry made on a Thursday from a click on Tuesday\'s 10:00 is saved as a Thursday series, every occurrence on a Thursday', async (t) => {
  const page = await person(t, { height: 640 });
  await logIn(page, userEmail);
  await page.goto(siteUrl(`/schedule?view=week&date=${isoDay(tuesday)}`));
  const column = page.locator(`.week-column[data-date="${isoDay(tuesday)}"]`);
  await column.waitFor();

  // A click on the week's time grid creates an entry on that day, at that hour.
  await column.click({ position: { x: 20, y: 10 * 44 + 10 } });
  const dialog = page.locator('dialog[open]');
  assert.equal(await dialog.locator('input[name=date]').inputValue(), isoDay(tuesday));
  assert.equal(await dialog.locator('input[name=startTime]').inputValue(), '10:00');
  const submit = dialog.locator('[data-testid=entry-submit]');
  assert.equal((await submit.textContent()).trim(), '作成');

  await dialog.locator('input[name=title]').fill('木曜定例');
  await dialog.locator('select[name=frequency]').selectOption('weekly');
  const checkedDays = () => dialog.locator('input[name=byday]:checked').evaluateAll((boxes) => boxes.map((b) => b.value));
  assert.deepEqual(await checkedDays(), ['TU']);
  // The start moves to Thursday: the weekly day and the end date follow it.
  await dialog.locator('input[name=date]').fill(isoDay(thursday));
  assert.deepEqual(await checkedDays(), ['TH']);
  assert.equal(await dialog.locator('input[name=endDate]').inputValue(), isoDay(thursday));
  await dialog.locator('select[name=locationKind]').selectOption({ label: 'Zoom 会議' });
  await dialog.locator('select[name=repeatEnd]').selectOption('count');
  await dialog.locator('input[name=count]').fill('4');

  // The dialog is taller than the window: its actions stay in view without scrolling.
  const inView = await submit.evaluate((b) => { const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; });
  assert.ok(inView, 'the 作成 button is visible at the bottom of the dialog');
  const scrolls = await dialog.evaluate((d) => d.scrollHeight > d.clientHeight);
  assert.ok(scrolls, 'the dialog is long enough to need the sticky actions');
  // What the window shows (a full-page shot would stretch the window the modal sizes itself to).
  await page.screenshot({ path: join(screenshots, '50-schedule-entry-dialog.png') });
  await submit.click();
  await dialog.waitFor({ state: 'detached' });
  await noticed(page, '予定を保存しました');

  const token = await tokenFor(userEmail);
  const occurrences = (await entriesOf(token, today, addDays(thursday, 35))).filter((e) => e.title === '木曜定例');
  assert.equal(occurrences.length, 4, JSON.stringify(occurrences));
  assert.ok(occurrences.every((e) => new Date(e.start).getDay() === 4), `all on Thursdays: ${occurrences.map((e) => e.start)}`);
  assert.ok(occurrences[0].start.startsWith(`${isoDay(thursday)}T10:00:00`), `the first occurrence is the start: ${occurrences[0].start}`);
  assert.match(occurrences[0].recurrence, /BYDAY=TH(;|$)/);
});

test('the week view is a time grid: the entry sits in Thursday\'s column at 10:00; "今すぐ同期" makes it one Zoom meeting', async (t) => {
  const admin = await person(t);
  await logIn(admin, adminEmail);
  await admin.goto(siteUrl('/admin/zoom-status'));
  await admin.locator('[data-testid=zoom-sync-now]').click();
  await noticed(admin, '作成 1');
  // The record names the entry by its title and the operation in Japanese.
  const row = admin.locator('table.audit tbody tr[data-operation=create]').first();
  await row.waitFor();
  const cells = await row.locator('td').allTextContents();
  assert.equal(cells[1], 'ミーティングの作成');
  assert.equal(cells[2], '木曜定例');
  assert.equal(cells[4], '成功');
  await screenshot(admin, '51-zoom-status');

  const page = await person(t);
  await logIn(page, userEmail);
  await page.goto(siteUrl(`/schedule?view=week&date=${isoDay(thursday)}`));
  const chip = page.locator(`.week-column[data-date="${isoDay(thursday)}"] .entry-chip[data-title="木曜定例"]`);
  await chip.locator('[data-zoom-state=linked]').waitFor();
  const top = await chip.evaluate((el) => el.offsetTop);
  assert.equal(top, 10 * 44, 'the entry starts at the 10:00 line');
  // Scrolled to the working day on opening.
  assert.ok(await page.locator('[data-testid=week-body]').evaluate((el) => el.scrollTop > 0));
  await screenshot(page, '52-schedule-week');
});

test('the month keeps its cells\' width with a long title cut by "…", and a click on a day creates an entry there', async (t) => {
  const token = await tokenFor(userEmail);
  const day = addDays(thursday, 1);
  const long = '四半期の事業計画レビューと来期の予算についての長い打ち合わせ（関係部署すべて参加・資料は事前に共有）';
  for (const [title, hour] of [[long, 9], ['朝会', 11], ['1on1', 13], ['振り返り', 15]]) {
    const start = `${isoDay(day)}T${pad(hour)}:00:00+09:00`;
    const r = await call('/schedules', token, { method: 'POST', body: { title, start, end: `${isoDay(day)}T${pad(hour)}:30:00+09:00`, allDay: false, location: '', description: '', attendees: [] } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const page = await person(t);
  await logIn(page, userEmail);
  await page.goto(siteUrl(`/schedule?view=month&date=${isoDay(day)}`));
  const cells = page.locator('.calendar-month .calendar-day');
  await cells.first().waitFor();
  const widths = await cells.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().width));
  assert.ok(Math.max(...widths) - Math.min(...widths) < 1.5, `equal widths: ${widths}`);
  const title = page.locator(`.calendar-day[data-date="${isoDay(day)}"] .entry-chip[data-title="${long}"] .entry-title`);
  const cut = await title.evaluate((el) => ({ overflow: getComputedStyle(el).textOverflow, cut: el.scrollWidth > el.clientWidth }));
  assert.deepEqual(cut, { overflow: 'ellipsis', cut: true });
  // Four entries on one day: three lines at most, the rest behind "+n".
  assert.equal((await page.locator(`.calendar-day[data-date="${isoDay(day)}"] .more-entries`).textContent()).trim(), '他 2 件');
  await screenshot(page, '53-schedule-month');

  const empty = addDays(day, 3);
  await page.locator(`.calendar-day[data-date="${isoDay(empty)}"]`).click({ position: { x: 40, y: 60 } });
  const dialog = page.locator('dialog[open]');
  assert.equal(await dialog.locator('input[name=date]').inputValue(), isoDay(empty));
  await dialog.getByRole('button', { name: 'キャンセル' }).click();
});

test('with Zoom unreachable: the run counts failures with the reason, the entry shows the error, the e-mail says why and is re-checked', async (t) => {
  const admin = await person(t);
  await logIn(admin, adminEmail);
  const userToken = await tokenFor(userEmail);
  const secondToken = await tokenFor(secondEmail);
  const start = `${isoDay(addDays(thursday, 7))}T15:00:00+09:00`;
  for (const token of [userToken, secondToken]) {
    const r = await call('/schedules', token, { method: 'POST', body: { title: '顧客との打ち合わせ', start, end: `${isoDay(addDays(thursday, 7))}T16:00:00+09:00`, allDay: false, location: 'Zoom 会議', description: '', attendees: [] } });
    assert.equal(r.status, 201);
  }
  await zoom('unreachable');
  t.after(() => zoom('reachable'));

  // The second member's Zoom e-mail is saved while Zoom is down: unverified, and the screen says why.
  await admin.goto(siteUrl('/admin/zoom-members'));
  const row = admin.locator(`tr[data-email="${secondEmail}"]`);
  await row.locator('input[name=zoomEnabled]').check();
  await row.locator('input[name=zoomEmail]').fill('kana.zoom@zoom.example');
  await admin.locator('[data-testid=zoom-members-save]').click();
  await row.locator('[data-verified=false]').waitFor();
  assert.match(await row.locator('[data-testid=verify-reason]').textContent(), /^Zoom に接続できなかったため、確認できていません（.+）$/);
  await screenshot(admin, '54-zoom-members-unreachable');

  // "今すぐ同期": not a clean run. The member check and the create both failed, each with its reason.
  await admin.goto(siteUrl('/admin/zoom-status'));
  await admin.locator('[data-testid=zoom-sync-now]').click();
  const warning = await alertText(admin.locator('.zoom-status'));
  assert.match(warning, /^同期しましたが、[2-9] 件が失敗しました/);
  assert.equal(await admin.locator('.notice', { hasText: '同期しました（' }).count(), 0, 'no "completed" toast after failures');
  assert.ok(Number(await admin.locator('.count-failed .count-value').textContent()) >= 2);
  assert.match(await admin.locator('[data-testid=zoom-outcome]').textContent(), /^完了（[2-9] 件失敗）$/);
  const results = await admin.locator('table.audit tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  assert.ok(results.some((r) => r[1] === 'メールアドレスの確認' && r[2] === secondEmail && r[4].startsWith('エラー：Zoom に接続できませんでした（')), JSON.stringify(results));
  assert.ok(results.some((r) => r[1] === 'ミーティングの作成' && r[2] === '顧客との打ち合わせ' && r[4].startsWith('エラー：Zoom に接続できませんでした（')), JSON.stringify(results));
  await screenshot(admin, '55-zoom-status-unreachable');

  // Each member's entry shows "error" with the reason.
  for (const [email, why] of [[userEmail, /^Zoom に接続できませんでした（.+）$/], [secondEmail, /^予定の持ち主の Zoom のメールアドレスが確認できていません：Zoom に接続できませんでした（.+）$/]]) {
    const page = await person(t);
    await logIn(page, email);
    await page.goto(siteUrl(`/schedule?view=week&date=${isoDay(addDays(thursday, 7))}`));
    const badge = page.locator('.entry-chip[data-title="顧客との打ち合わせ"] [data-zoom-state=error]');
    await badge.waitFor();
    assert.match(await badge.getAttribute('title'), why);
    const listed = page.locator('.zoom-entries li', { hasText: '顧客との打ち合わせ' }).locator('.danger-text');
    assert.match((await listed.textContent()).trim(), why);
  }

  // Zoom is back: "再確認" verifies the e-mail.
  await zoom('reachable');
  await admin.goto(siteUrl('/admin/zoom-members'));
  await row.locator('[data-testid=zoom-recheck]').click();
  await row.locator('[data-verified=true]').waitFor();
  await noticed(admin, '1 人のメールアドレスを Zoom で再確認しました（確認済み 1 人）');
});

test('a refused save shows the server\'s reason and no "saved" toast; labels are plain Japanese with the manual\'s field name beside them', async (t) => {
  const page = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl('/admin/site'));
  const form = page.locator('form.settings-form');
  const label = form.locator('label.field', { has: page.locator('textarea[name=allowDomainNames]') }).locator('.field-label');
  assert.equal((await label.textContent()).trim(), 'AzureAD でのログインを許可するドメインallowDomainNames');
  assert.equal((await label.locator('code.field-name').textContent()).trim(), 'allowDomainNames');
  const registerLabel = form.locator('label.field', { has: page.locator('select[name=userRegisterType]') }).locator('.field-label');
  assert.equal(await registerLabel.evaluate((el) => el.firstChild.textContent), 'ユーザーの自動登録');
  // No label starts with a raw field name.
  const labels = await page.locator('.field-label, dt, th').evaluateAll((els) => els.map((el) => el.firstChild?.textContent?.trim() ?? ''));
  assert.ok(!labels.some((l) => /^(allowDomainNames|userRegisterType|autoRegisterDomainNames|siteLinkName|siteLinkUrl|siteUrl|maxUsersCount)/.test(l)), JSON.stringify(labels));
  await screenshot(page, '56-site-info-labels');

  await form.locator('textarea[name=allowDomainNames]').fill('example.com, not_a_domain');
  await form.getByRole('button', { name: '変更を保存' }).click();
  const text = await alertText(form);
  assert.match(text, /^入力内容に誤りがあります。確認してください。（.*not_a_domain.*）$/);
  await page.waitForTimeout(500);
  assert.equal(await page.locator('.notice', { hasText: '保存しました' }).count(), 0, 'no "saved" toast after a refusal');
  await screenshot(page, '57-error-detail');
});

test('a meeting room\'s styles are set with colour and size controls; the JSON stays as the advanced field', async (t) => {
  const page = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl(`/rooms/${roomId}/edit/layout`));
  await page.locator('[data-testid=layout-canvas]').waitFor();
  await page.locator('.mr-list').getByRole('button', { name: '会議室「ゲストエリア」の編集' }).click();
  const dialog = page.locator('dialog[open]');
  assert.equal(await dialog.locator('textarea[name=areaStyle]').isVisible(), false, 'the JSON is folded away');
  await dialog.locator('input[name="nameStyle.color"]').fill('#cc0000');
  await dialog.locator('input[name="nameStyle.fontSize"]').fill('24');
  await dialog.locator('input[name="nameStyle.fontWeight"]').check();
  await dialog.locator('input[name="areaStyle.background"]').fill('#00aa55');
  await dialog.locator('input[name="areaStyle.background.alpha"]').fill('50');
  await dialog.locator('input[name="areaStyle.borderWidth"]').fill('4');
  await dialog.locator('[data-testid=area-style-json] summary').click();
  // The controls write into the JSON (a room of the default office may carry more properties already).
  const json = JSON.parse(await dialog.locator('textarea[name=areaStyle]').inputValue());
  assert.deepEqual({ background: json.background, borderWidth: json.borderWidth }, { background: 'rgba(0, 170, 85, 0.5)', borderWidth: '4px' });
  const change = dialog.getByRole('button', { name: '変更する' });
  assert.ok(await change.evaluate((b) => { const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; }), 'the dialog\'s 変更する stays in view');
  await page.screenshot({ path: join(screenshots, '58-meeting-room-style.png') });
  await dialog.getByRole('button', { name: '変更する' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.locator('[data-testid=layout-apply]').click();
  await noticed(page, '変更を適用しました');
  const token = await tokenFor(adminEmail);
  const saved = (await call(`/rooms/${roomId}/settings`, token)).body.meetingRooms.find((m) => m.name === 'ゲストエリア');
  assert.deepEqual({ color: saved.nameStyle.color, fontSize: saved.nameStyle.fontSize, fontWeight: saved.nameStyle.fontWeight }, { color: '#cc0000', fontSize: '24px', fontWeight: 'bold' });
  assert.deepEqual({ background: saved.areaStyle.background, borderWidth: saved.areaStyle.borderWidth }, { background: 'rgba(0, 170, 85, 0.5)', borderWidth: '4px' });
});

test('the app has its own favicon, and a toast in the live room does not cover the Send button', async (t) => {
  const icon = await fetch(`${baseUrl}/favicon.svg`);
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type') ?? '', /^image\/svg\+xml/);
  assert.match(await icon.text(), /^<svg /);

  // The room asks for a microphone this browser does not have; that is not what is tested here.
  const page = await person(t, { ignoreConsole: true });
  await logIn(page, userEmail);
  assert.equal(await page.locator('link[rel=icon]').getAttribute('href'), '/favicon.svg');
  await page.goto(siteUrl(`/rooms/${roomId}`));
  const send = page.locator('.chat-form button[type=submit]');
  await send.waitFor();
  await page.locator('input[type=file][accept^="image/"]').first().setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not an image') });
  const toast = page.locator('.notice', { hasText: 'ファイルの形式が正しくありません。' }).first();
  await toast.waitFor();
  const [a, b] = [await toast.boundingBox(), await send.boundingBox()];
  const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  assert.ok(!overlap, `toast ${JSON.stringify(a)} covers Send ${JSON.stringify(b)}`);
});

/** Japanese in what the page shows, other than names (people's data, and the names the product gives in Japanese). */
function japaneseIn(text, names) {
  let rest = text;
  for (const name of names) rest = rest.split(name).join('');
  return [...new Set(rest.match(/[\u3040-\u30ff\u3400-\u9fff\uff01-\uff5e]+/g) ?? [])];
}

test('in English, the main screens show no Japanese but names', async (t) => {
  const names = ['木曜定例', '顧客との打ち合わせ', '四半期の事業計画レビューと来期の予算についての長い打ち合わせ（関係部署すべて参加・資料は事前に共有）', '朝会', '振り返り',
    'ゲストエリア', 'Zoom 会議', '日本語'];
  // The login buttons' names are the site's data (the admin names them), not the app's words.
  names.push(...(await call('/login-options')).body.providers.map((p) => p.name));
  // So are the meeting rooms' names (the default office names its rooms in Japanese).
  names.push(...(await call(`/rooms/${roomId}/settings`, await tokenFor(adminEmail))).body.meetingRooms.map((m) => m.name));
  names.sort((a, b) => b.length - a.length);
  // The room asks for a microphone this browser does not have; its console error is not what is tested here.
  const page = await person(t, { locale: 'en', ignoreConsole: true });
  await logIn(page, adminEmail);
  const screens = [
    ['/', 'section.spaces'],
    [`/schedule?view=week&date=${isoDay(thursday)}`, '[data-testid=week-body]'],
    [`/schedule?view=month&date=${isoDay(thursday)}`, '.calendar-month'],
    ['/admin/site', 'form.settings-form'],
    ['/admin/login-providers', 'table'],
    ['/admin/members', 'table'],
    ['/admin/logs', 'form, section'],
    ['/admin/zoom', 'form.zoom-settings'],
    ['/admin/zoom-members', 'section.zoom-members table'],
    ['/admin/zoom-status', 'section.zoom-status'],
    [`/rooms/${roomId}/edit`, 'form, .tabs'],
    [`/rooms/${roomId}/edit/layout`, '[data-testid=layout-canvas]'],
    [`/rooms/${roomId}/edit/entry`, 'form'],
    [`/rooms/${roomId}`, '.chat-form'],
  ];
  const found = [];
  for (const [path, ready] of screens) {
    await page.goto(siteUrl(path));
    await page.locator(ready).first().waitFor();
    const shown = await page.evaluate(() => `${document.title}\n${document.body.innerText}\n${[...document.querySelectorAll('[title],[aria-label],[placeholder]')]
      .map((el) => [el.getAttribute('title'), el.getAttribute('aria-label'), el.getAttribute('placeholder')].filter(Boolean).join(' ')).join('\n')}`);
    const japanese = japaneseIn(shown, names);
    if (japanese.length > 0) found.push(`${path}: ${japanese.join(' | ')}`);
  }
  await page.goto(siteUrl(`/schedule?view=week&date=${isoDay(thursday)}`));
  await page.locator('[data-testid=week-body]').waitFor();
  await screenshot(page, '59-schedule-week-en');
  assert.deepEqual(found, [], `Japanese on English screens:\n${found.join("\n")}`);
});
