// The web app in a real browser: log in, spaces and rooms, the trash, the admin menu, the
// languages, and what a plain user can (not) do. Run by dotnet test (E2e/BrowserTests.cs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { adminEmail, api, launch, logIn, personPage, screenshot, site, siteUrl, tokenFor, userEmail } from './lib.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A fresh browser context for one person; fails the test on any script error in the page. */
const person = (t) => personPage(browser, t);

/** Waits for the page's inline error box and returns its text. */
async function errorText(scope) {
  const box = scope.locator('.error[role=alert]').first();
  await box.waitFor();
  return (await box.textContent()).trim();
}

function assertNotRaw(text) {
  assert.ok(!/[{}]|"code"|problem|https?:\/\//.test(text), `an error is shown raw: ${text}`);
}

test('the login page shows the enabled providers in order and logs in with the local login', async (t) => {
  const { page } = await person(t);
  await page.goto(siteUrl('/'));
  await page.waitForURL(/\/s\/[^/]+\/login/);
  const items = page.locator('[data-testid=login-providers] > li');
  await items.first().waitFor();
  const labels = await items.evaluateAll((lis) => lis.map((li) => li.querySelector('a.provider')?.textContent ?? `form:${li.querySelector('form')?.dataset.authType}`));
  assert.deepEqual(labels, ['Microsoft アカウントでログイン', 'zawaroom アカウントでログイン', 'form:local']);
  await page.getByRole('heading', { name: 'ログイン', exact: true }).waitFor();
  await screenshot(page, '01-login');

  // An unknown e-mail is refused in Japanese, from the problem's code.
  await page.locator('form.local-login input[name=email]').fill('nobody@elsewhere.example');
  await page.locator('form.local-login button[type=submit]').click();
  const refused = await errorText(page.locator('form.local-login'));
  assert.equal(refused, 'このサイトに登録されていません。サイト管理者に登録を依頼してください。');

  await page.locator('form.local-login input[name=email]').fill(adminEmail);
  await page.locator('form.local-login button[type=submit]').click();
  await page.getByRole('heading', { name: 'スペース' }).waitFor();
  assert.equal(new URL(page.url()).pathname, `/s/${site}/`);
  await page.locator('[data-testid=admin-menu]').waitFor();
});

test('a site admin creates a space and a room, sees its card, edits it, deletes it and restores it from the trash', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);

  await page.getByRole('button', { name: 'スペースの新規作成' }).click();
  let dialog = page.locator('dialog[open]');
  await dialog.locator('input[name=name]').fill('本社');
  await dialog.getByRole('button', { name: 'スペースの新規作成' }).click();
  await page.locator('.space-tab.selected', { hasText: '本社' }).waitFor();

  await page.getByRole('button', { name: 'ルームの新規作成' }).click();
  dialog = page.locator('dialog[open]');
  // An empty name is refused before anything is sent.
  await dialog.getByRole('button', { name: 'ルームの新規作成' }).click();
  assert.equal(await errorText(dialog), 'ルーム名を入力してください。');
  await dialog.locator('input[name=name]').fill('会議室A');
  await dialog.locator('textarea[name=description]').fill('定例会議に使う部屋');
  await dialog.getByRole('button', { name: 'ルームの新規作成' }).click();
  const card = page.locator('.room-card', { hasText: '会議室A' });
  await card.waitFor();
  assert.equal((await card.locator('.room-description').textContent()).trim(), '定例会議に使う部屋');
  assert.equal((await card.locator('.occupancy').textContent()).trim(), '入室者なし');
  assert.equal((await page.locator('.space-tab.selected .badge').textContent()).trim(), '1');
  await screenshot(page, '02-room-select-admin');

  // Rename the space through its "︙" menu.
  await page.getByRole('button', { name: '「本社」の操作' }).click();
  await page.getByRole('menuitem', { name: '名前の変更' }).click();
  dialog = page.locator('dialog[open]');
  await dialog.locator('input[name=name]').fill('東京本社');
  await dialog.getByRole('button', { name: '変更を保存' }).click();
  await page.locator('.space-tab.selected', { hasText: '東京本社' }).waitFor();

  // Edit the room (general settings) and see the card follow.
  await card.getByRole('link', { name: '編集' }).click();
  await page.getByRole('heading', { name: /ルーム編集/ }).waitFor();
  await page.locator('textarea[name=description]').fill('週次の定例会議');
  await page.locator('textarea[name=roomAdmins]').fill(userEmail);
  await page.getByRole('button', { name: '変更を適用する' }).click();
  await page.getByRole('status').filter({ hasText: '変更を適用しました' }).waitFor();
  await screenshot(page, '03-room-edit');
  // A room admin that is not a member is refused by name, in Japanese.
  await page.locator('textarea[name=roomAdmins]').fill('ghost@nowhere.example');
  await page.getByRole('button', { name: '変更を適用する' }).click();
  const unknown = await errorText(page.locator('form.settings-form'));
  assert.equal(unknown, 'このサイトに登録されていないメールアドレスがあります：ghost@nowhere.example');
  await page.getByRole('link', { name: /ルーム選択/ }).click();
  await card.locator('.room-description', { hasText: '週次の定例会議' }).waitFor();

  // The room page names the room.
  await card.getByRole('link', { name: '入室' }).click();
  await page.getByRole('heading', { name: '会議室A' }).waitFor();
  await screenshot(page, '04-room');
  await page.getByRole('link', { name: /ルーム選択に戻る/ }).click();

  // Delete asks first, then the room goes to the trash, and comes back from there.
  await card.getByRole('button', { name: '削除' }).click();
  dialog = page.locator('dialog[open]');
  await dialog.getByText('ルーム「会議室A」を削除しますか？').waitFor();
  await dialog.getByRole('button', { name: '削除する' }).click();
  await card.waitFor({ state: 'detached' });
  await page.getByRole('link', { name: 'ごみ箱' }).click();
  const trashed = page.locator('.trash tr', { hasText: '会議室A' });
  await trashed.waitFor();
  assert.ok((await trashed.textContent()).includes('東京本社'));
  await screenshot(page, '05-trash');
  await trashed.getByRole('button', { name: '元に戻す' }).click();
  await page.getByText('ごみ箱は空です。').waitFor();
  await page.getByRole('link', { name: /ルーム選択/ }).click();
  await page.locator('.room-card', { hasText: '会議室A' }).waitFor();
});

test('the admin menu shows the site, reorders login providers and manages members', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.locator('[data-testid=admin-menu]').click();
  await page.getByRole('heading', { name: 'サイト情報を確認する' }).waitFor();
  assert.ok((await page.locator('dl.readonly').textContent()).includes(`https://${site}.zawaroom.com/`));

  // The site link button (S3) appears on the room-select screen once shown.
  await page.locator('input[name=showSiteLink]').check();
  await page.locator('input[name=siteLinkName]').fill('サポート');
  await page.locator('input[name=siteLinkUrl]').fill('https://support.example/');
  await page.getByRole('button', { name: '変更を保存' }).click();
  await page.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
  await screenshot(page, '06-admin-site');
  const link = page.locator('a.site-link');
  await link.waitFor();
  assert.equal(await link.getAttribute('href'), 'https://support.example/');

  // Login providers: zawaroom account first, Microsoft hidden; the login page follows.
  await page.getByRole('link', { name: 'ログインプロバイダー情報' }).click();
  const b2c = page.locator('tr[data-provider-id=aad-b2c]');
  await b2c.getByRole('button', { name: '上へ' }).click();
  await page.locator('tr[data-provider-id=aad] input[type=checkbox]').uncheck();
  await page.locator('tr[data-provider-id=aad-b2c] input.provider-name').fill('zawaroom アカウント');
  // The site save's notice may still be showing: clear it, so the wait below sees this save's own.
  await page.evaluate(() => document.querySelectorAll('.notice').forEach((n) => n.remove()));
  await page.getByRole('button', { name: '変更を保存' }).click();
  await page.getByRole('status').filter({ hasText: '保存しました' }).waitFor();
  await screenshot(page, '07-admin-login-providers');
  const options = await api('/login-options');
  assert.deepEqual(options.body.providers.map((p) => p.name), ['zawaroom アカウント', 'ローカルログイン（開発用）']);
  // Back as it was, so other tests see the default order.
  await page.locator('tr[data-provider-id=aad] input[type=checkbox]').check();
  await page.locator('tr[data-provider-id=aad]').getByRole('button', { name: '上へ' }).click();
  await page.locator('tr[data-provider-id=aad-b2c] input.provider-name').fill('zawaroom アカウントでログイン');
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/api/admin/login-providers') && r.request().method() === 'PUT' && r.ok()),
    page.getByRole('button', { name: '変更を保存' }).click(),
  ]);
  const restored = await api('/login-options');
  assert.deepEqual(restored.body.providers.map((p) => p.name), ['Microsoft アカウントでログイン', 'zawaroom アカウントでログイン', 'ローカルログイン（開発用）']);

  // Members: add, grant, revoke, the last admin is kept (with a Japanese message), delete.
  await page.getByRole('link', { name: 'メンバー管理' }).click();
  const counts = page.locator('[data-testid=member-counts]');
  const before = await counts.textContent();
  const newcomer = `newcomer@${site}.example`;
  await page.locator('form.add-member select[name=authType]').selectOption('aad-b2c');
  await page.locator('form.add-member input[name=email]').fill(newcomer);
  await page.locator('form.add-member input[name=name]').fill('新人 一郎');
  await page.getByRole('button', { name: 'メンバー追加' }).click();
  const row = page.locator(`tr[data-email="${newcomer}"]`);
  await row.waitFor();
  assert.ok((await row.textContent()).includes('aad-b2c'));
  assert.notEqual(await counts.textContent(), before);
  // Search narrows the list; an empty search shows everyone again.
  await page.locator('input[name=search]').fill('新人');
  await page.getByRole('button', { name: '検索', exact: true }).click();
  await page.locator(`tr[data-email="${adminEmail}"]`).waitFor({ state: 'detached' });
  assert.equal(await page.locator('.members-table tbody tr').count(), 1);
  await page.locator('input[name=search]').fill('');
  await page.getByRole('button', { name: '検索', exact: true }).click();
  await page.locator(`tr[data-email="${adminEmail}"]`).waitFor();

  await row.locator('input[type=checkbox]').check();
  await page.getByRole('button', { name: 'サイト管理権限の付与' }).click();
  await row.locator('.role', { hasText: 'サイト管理者' }).waitFor();
  await row.locator('input[type=checkbox]').check();
  await page.getByRole('button', { name: 'サイト管理権限の削除' }).click();
  await row.locator('.role', { hasText: '利用者' }).waitFor();

  await page.locator(`tr[data-email="${adminEmail}"] input[type=checkbox]`).check();
  await page.getByRole('button', { name: 'サイト管理権限の削除' }).click();
  const last = await errorText(page.locator('section.members'));
  assert.equal(last, 'サイト管理者は常に最低 1 名必要です。最後のサイト管理者は削除できません。');
  assertNotRaw(last);
  await page.locator(`tr[data-email="${adminEmail}"] input[type=checkbox]`).uncheck();
  await screenshot(page, '08-admin-members');

  await row.locator('input[type=checkbox]').check();
  await page.getByRole('button', { name: 'メンバー削除' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByText('選択した 1 人のメンバーを削除しますか？').waitFor();
  await dialog.getByRole('button', { name: '削除する' }).click();
  await row.waitFor({ state: 'detached' });
});

test('English labels and errors after switching the language', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.locator('select.locale').selectOption('en');
  await page.getByRole('heading', { name: 'Spaces' }).waitFor();
  await page.locator('[data-testid=admin-menu]', { hasText: 'Admin menu' }).waitFor();
  await page.locator('[data-testid=admin-menu]').click();
  await page.getByRole('link', { name: 'Members' }).click();
  await page.locator('form.add-member input[name=email]').fill(userEmail);
  await page.getByRole('button', { name: 'Add member' }).click();
  const exists = await errorText(page.locator('section.members'));
  assert.equal(exists, 'This e-mail is registered already.');
  await screenshot(page, '09-english-members');
  // The choice stays after a reload.
  await page.reload();
  await page.getByRole('heading', { name: 'Members' }).waitFor();
});

test('a user sees no admin menu, and the API refuses the admin calls anyway', async (t) => {
  // Arranged through the API: a space with two rooms; the user administers one of them.
  const admin = await tokenFor(adminEmail);
  const space = (await api('/spaces', { method: 'POST', token: admin, body: { name: '営業部' } })).body;
  const own = (await api(`/spaces/${space.id}/rooms`, { method: 'POST', token: admin, body: { name: '営業ルーム' } })).body;
  await api(`/spaces/${space.id}/rooms`, { method: 'POST', token: admin, body: { name: '役員室' } });
  const patched = await api(`/rooms/${own.id}`, { method: 'PATCH', token: admin, body: { roomAdmins: [userEmail] } });
  assert.equal(patched.status, 200);

  const { page } = await person(t);
  await logIn(page, userEmail);
  await page.locator('.space-tab', { hasText: '営業部' }).locator('a').click();
  const ownCard = page.locator('.room-card', { hasText: '営業ルーム' });
  const otherCard = page.locator('.room-card', { hasText: '役員室' });
  await ownCard.waitFor();
  await otherCard.waitFor();
  assert.equal(await page.locator('[data-testid=admin-menu]').count(), 0, 'a user sees the admin menu');
  assert.equal(await page.getByRole('button', { name: 'スペースの新規作成' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'ルームの新規作成' }).count(), 0);
  assert.equal(await page.locator('.space-tab .more').count(), 0);
  // A room admin edits and deletes their own room only.
  assert.equal(await ownCard.getByRole('link', { name: '編集' }).count(), 1);
  assert.equal(await ownCard.getByRole('button', { name: '削除' }).count(), 1);
  assert.equal(await otherCard.getByRole('link', { name: '編集' }).count(), 0);
  assert.equal(await otherCard.getByRole('button', { name: '削除' }).count(), 0);
  await screenshot(page, '10-room-select-user');

  // Typing the admin URL shows a refusal, not the admin screens.
  await page.goto(siteUrl('/admin/members'));
  await page.locator('[data-testid=admin-refused]').waitFor();
  assert.equal(await page.locator('section.members').count(), 0);

  // And the API refuses the admin calls with the user's own token, whatever the UI shows.
  const token = await page.evaluate(() => Object.entries(localStorage).find(([key]) => key.startsWith('zawaroom.token.'))?.[1]);
  assert.ok(token, 'the app keeps the login token');
  const other = (await api(`/spaces/${space.id}/rooms`, { token })).body.find((r) => r.name === '役員室');
  const calls = [
    ['GET', '/admin/site'],
    ['PATCH', '/admin/site', { showSiteLink: false }],
    ['GET', '/admin/login-providers'],
    ['GET', '/admin/members'],
    ['POST', '/admin/members', { email: 'intruder@x.example', authType: 'aad' }],
    ['POST', '/admin/members/grant-site-admin', { emails: [userEmail] }],
    ['POST', '/spaces', { name: '乗っ取り' }],
    ['PATCH', `/spaces/${space.id}`, { name: '乗っ取り' }],
    ['DELETE', `/spaces/${space.id}`],
    ['POST', `/spaces/${space.id}/rooms`, { name: '乗っ取り' }],
    ['DELETE', `/rooms/${other.id}`],
    ['GET', '/trash'],
  ];
  for (const [method, path, body] of calls) {
    const response = await api(path, { method, token, body });
    assert.equal(response.status, 403, `${method} ${path} answered ${response.status}`);
    assert.equal(response.body.code, 'forbidden');
    assert.match(response.contentType, /application\/problem\+json/);
  }
  const me = await api('/me', { token });
  assert.equal(me.body.role, 'user');
});

test('deleting a space asks first, sends its rooms to the trash, and they can be restored into another space or purged', async (t) => {
  const admin = await tokenFor(adminEmail);
  const space = (await api('/spaces', { method: 'POST', token: admin, body: { name: '一時スペース' } })).body;
  const target = (await api('/spaces', { method: 'POST', token: admin, body: { name: '戻し先' } })).body;
  await api(`/spaces/${space.id}/rooms`, { method: 'POST', token: admin, body: { name: '一時ルーム' } });
  await api(`/spaces/${space.id}/rooms`, { method: 'POST', token: admin, body: { name: '消すルーム' } });

  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.locator('.space-tab', { hasText: '一時スペース' }).locator('a').click();
  await page.locator('.room-card', { hasText: '一時ルーム' }).waitFor();
  await page.getByRole('button', { name: '「一時スペース」の操作' }).click();
  await page.getByRole('menuitem', { name: '削除' }).click();
  let dialog = page.locator('dialog[open]');
  await dialog.getByText('スペース「一時スペース」を削除しますか？ このスペース配下のルーム（2 件）も一緒に削除され、ごみ箱に入ります。').waitFor();
  await screenshot(page, '11-space-delete-confirm');
  await dialog.getByRole('button', { name: '削除する' }).click();
  await page.locator('.space-tab', { hasText: '一時スペース' }).waitFor({ state: 'detached' });

  await page.goto(siteUrl('/admin/trash'));
  const row = page.locator('.trash tr', { hasText: '一時ルーム' });
  await row.waitFor();
  assert.ok((await row.textContent()).includes('（削除済み）'));
  // Its space is gone: restoring asks where to.
  await row.getByRole('button', { name: '元に戻す' }).click();
  dialog = page.locator('dialog[open]');
  await dialog.locator('select[name=spaceId]').selectOption({ label: '戻し先' });
  await dialog.getByRole('button', { name: '元に戻す' }).click();
  await row.waitFor({ state: 'detached' });
  const rooms = (await api(`/spaces/${target.id}/rooms`, { token: admin })).body;
  assert.ok(rooms.some((r) => r.name === '一時ルーム'));

  const purged = page.locator('.trash tr', { hasText: '消すルーム' });
  await purged.getByRole('button', { name: '完全に削除' }).click();
  dialog = page.locator('dialog[open]');
  await dialog.getByText('ルーム「消すルーム」を完全に削除しますか？ 元に戻すことはできません。').waitFor();
  await dialog.getByRole('button', { name: '削除する' }).click();
  await purged.waitFor({ state: 'detached' });
  assert.ok(!(await api('/trash', { token: admin })).body.some((r) => r.name === '消すルーム'));
});

test('a change made meanwhile by someone else is not overwritten (If-Match) and the user is told why', async (t) => {
  const admin = await tokenFor(adminEmail);
  const space = (await api('/spaces', { method: 'POST', token: admin, body: { name: '競合テスト' } })).body;
  const room = (await api(`/spaces/${space.id}/rooms`, { method: 'POST', token: admin, body: { name: '共有ルーム' } })).body;

  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.goto(siteUrl(`/rooms/${room.id}/edit`));
  await page.locator('textarea[name=description]').fill('わたしの説明');
  // Meanwhile another admin renames the room.
  assert.equal((await api(`/rooms/${room.id}`, { method: 'PATCH', token: admin, body: { name: '改名されたルーム' } })).status, 200);
  await page.getByRole('button', { name: '変更を適用する' }).click();
  assert.equal(await errorText(page.locator('form.settings-form')), 'ほかの人が先に変更しました。画面を読み込み直してからもう一度お試しください。');
  const now = (await api(`/rooms/${room.id}`, { token: admin })).body;
  assert.equal(now.name, '改名されたルーム');
  assert.equal(now.description, '');
});

test('an expired or forged login goes back to the login page, then to the page asked for', async (t) => {
  const { page } = await person(t);
  await page.goto(siteUrl('/login'));
  await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith('zawaroom.token.')) ?? `zawaroom.token.${location.host}${location.pathname.replace(/\/login$/, '')}`;
    localStorage.setItem(key, 'not-a-token');
  });
  await page.goto(siteUrl('/admin/members'));
  await page.waitForURL(/\/login\?next=/);
  await page.locator('form.local-login input[name=email]').fill(adminEmail);
  await page.locator('form.local-login button[type=submit]').click();
  await page.locator('section.members').waitFor();
  assert.equal(new URL(page.url()).pathname, `/s/${site}/admin/members`);
});

test('a room card shows who is inside, and an occupied room is not deleted (with the reason in Japanese)', async (t) => {
  const { page } = await person(t);
  await logIn(page, adminEmail);
  await page.locator('.space-tab', { hasText: '在室テスト' }).locator('a').click();
  const card = page.locator('.room-card', { hasText: '満室ルーム' });
  await card.waitFor();
  assert.equal((await card.locator('.occupancy').textContent()).trim(), '2 人が入室中');
  assert.deepEqual(await card.locator('.person-chip').allTextContents(), ['佐藤', '鈴木']);
  await card.getByRole('button', { name: '削除' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.getByRole('button', { name: '削除する' }).click();
  assert.equal(await errorText(dialog), 'ルームに入室しているユーザーがいるため、編集・削除できません。');
  await screenshot(page, '12-occupied-room-refused');
  await dialog.getByRole('button', { name: 'キャンセル' }).click();
  await card.waitFor();
});
