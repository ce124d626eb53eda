// Shared set-up of the browser tests: Debian's chromium through playwright-core, the app under
// test (its URL and site come from the environment, set by tests/Zawaroom.Tests/E2e/BrowserTests.cs),
// direct API calls for arranging data, and screenshots for a reviewer.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { unprivilegedChromium } from './unprivileged.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests through dotnet test (BrowserTests), which starts the app.`);
  return value;
}

export const baseUrl = required('ZAWAROOM_BASE_URL').replace(/\/$/, '');
export const site = required('ZAWAROOM_SITE');
export const adminEmail = required('ZAWAROOM_ADMIN');
export const userEmail = required('ZAWAROOM_USER');
export const chromiumPath = process.env.ZAWAROOM_CHROMIUM ?? '/usr/bin/chromium';
export const screenshots = join(here, 'screenshots');
mkdirSync(screenshots, { recursive: true });

/** The URL of a path inside the site, as a person would type it: /s/{sub}/... */
export const siteUrl = (path = '/') => `${baseUrl}/s/${site}${path}`;

const launchPath = unprivilegedChromium(chromiumPath);

export function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: launchPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage', ...extraArgs],
  });
}

/** Chromium flags for the live room: fake camera and microphone, granted without a prompt. */
export const mediaArgs = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required'];

export async function newPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'ja-JP' });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`); });
  return { context, page, problems };
}

/** A fresh browser context for one person in test t; fails t on any script error in the page (refused 4xx calls aside). */
export async function personPage(browser, t) {
  const session = await newPage(browser);
  t.after(async () => {
    await session.context.close();
    assert.deepEqual(session.problems.filter((p) => !p.includes('status of 4')), [], 'the page had script errors');
  });
  return session;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
}

/** Logs in through the login page's local login form. */
export async function logIn(page, email) {
  await page.goto(siteUrl('/'));
  await page.waitForURL(/\/login/);
  await page.locator('form.local-login input[name=email]').fill(email);
  await page.locator('form.local-login button[type=submit]').click();
  await page.locator('section.spaces').waitFor();
}

/**
 * Opens a live room by its URL and waits until the connection is live and the canvas is on the page;
 * with `rendered`, also until the canvas has drawn what there is so far (for reading its camera or items).
 */
export async function enterRoom(page, roomId, { rendered = false } = {}) {
  await page.goto(siteUrl(`/rooms/${roomId}`));
  await page.locator('.live-room[data-state=live]').waitFor();
  await page.locator('.live-room canvas.room-canvas').waitFor();
  // Drawn, and everything so far on the canvas (the room draws on demand: nothing while idle).
  if (rendered) await page.waitForFunction(() => { const s = window.zawaroomLive?.stats(); return s?.frames > 0 && !s.drawing; });
}

/** Calls the site API directly, as any client could (not through the UI). */
export async function api(path, { method = 'GET', token, body } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${baseUrl}/s/${site}/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : null };
}

export async function tokenFor(email) {
  const { status, body } = await api('/auth/local', { method: 'POST', body: { email } });
  if (status !== 200) throw new Error(`local login of ${email} failed: ${status} ${JSON.stringify(body)}`);
  return body.token;
}
