// Render cost of the live room with 1,000 avatars, in Debian's headless chromium.
// Starts the built app (functions/bin/Debug/net10.0, content root functions/) on a free loopback port with its own data
// directory, creates a site, enters a room in the browser, adds N people that are not really there
// (window.zawaroomLive.benchPeople: they walk a little every 100 ms, like server ticks), and counts
// the frames the canvas draws for a few seconds: zoomed out (the entry scale, everyone on screen) and
// zoomed in (most culled). Prints a Markdown table.
//
//   dotnet build functions && node tests/bench/web/render.mjs [--people 1000] [--seconds 10]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { mkdtempSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const { chromium } = createRequire(join(root, 'tests', 'e2e', 'package.json'))('playwright-core');
const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const people = Number(arg('--people', '1000'));
const seconds = Number(arg('--seconds', '10'));
// The app runs from functions/ (its content root: appsettings.json and the built web app in wwwroot/).
const appDir = join(root, 'functions');
const appDll = join(appDir, 'bin', 'Debug', 'net10.0', 'Zawaroom.Functions.dll');
if (!existsSync(appDll) || !existsSync(join(appDir, 'wwwroot', 'index.html'))) {
  console.error('Build the app first (dotnet build functions): the app or functions/wwwroot is missing.');
  process.exit(1);
}

const port = await new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const data = mkdtempSync(join(tmpdir(), 'zawaroom-web-bench-'));
const base = `http://127.0.0.1:${port}`;
const server = spawn('dotnet', [appDll], {
  cwd: appDir, stdio: 'ignore',
  env: {
    ...process.env, ASPNETCORE_URLS: base, ASPNETCORE_ENVIRONMENT: 'Development', Zawaroom__DataDirectory: data,
    Zawaroom__OperatorKey: 'bench', Zawaroom__SeedDemo: 'false', Zawaroom__Auth__LocalLogin: 'true', Logging__LogLevel__Default: 'Warning',
  },
});
let browser;
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 120) throw new Error('the app did not start');
    await new Promise((r) => setTimeout(r, 500));
  }
  const call = async (path, { method = 'GET', token, body } = {}) => {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
  };
  await call('/operator/api/sites', { method: 'POST', token: 'bench', body: { subdomain: 'bench', adminEmail: 'admin@bench.example', adminAuthType: 'aad', maxUsersCount: 10 } });
  const { token } = await call('/s/bench/api/auth/local', { method: 'POST', body: { email: 'admin@bench.example' } });
  const space = await call('/s/bench/api/spaces', { method: 'POST', token, body: { name: 'bench' } });
  const room = await call(`/s/bench/api/spaces/${space.id}/rooms`, { method: 'POST', token, body: { name: 'bench' } });

  browser = await chromium.launch({
    executablePath: process.env.ZAWAROOM_CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
  });
  console.log(`live-room render benchmark: ${people} avatars moving every 100 ms, ${seconds} s per case, 1280x800 window, headless chromium without GPU`);
  console.log('| renderer | case | scale | avatars drawn | fps |');
  console.log('|---|---|---:|---:|---:|');
  for (const renderer of ['auto', 'webgl']) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.addInitScript(([t, r]) => {
      localStorage.setItem('zawaroom.token.' + location.host + '/s/bench', t);
      if (r !== 'auto') localStorage.setItem('zawaroom.renderer', r);
    }, [token, renderer]);
    await page.goto(`${base}/s/bench/rooms/${room.id}`);
    await page.locator('.live-room[data-state=live]').waitFor({ timeout: 30000 });
    await page.waitForFunction(() => window.zawaroomLive?.stats().frames > 0, null, { timeout: 30000 });
    await page.evaluate((n) => window.zawaroomLive.benchPeople(n), people);
    const measure = async (name) => {
      await page.waitForTimeout(1000);
      const before = await page.evaluate(() => window.zawaroomLive.stats());
      const t0 = Date.now();
      await page.waitForTimeout(seconds * 1000);
      const after = await page.evaluate(() => window.zawaroomLive.stats());
      const fps = (after.frames - before.frames) / ((Date.now() - t0) / 1000);
      console.log(`| ${after.renderer} | ${name} | ${after.scale.toFixed(2)} | ${after.drawnAvatars} | ${fps.toFixed(1)} |`);
    };
    await measure('entry scale (whole room)');
    const canvas = page.locator('canvas.room-canvas');
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 12; i++) await page.mouse.wheel(0, -400);
    await measure('zoomed in (culled)');
    await context.close();
  }
} finally {
  await browser?.close();
  server.kill();
  rmSync(data, { recursive: true, force: true });
}
