// Voice in one meeting room, peer to peer (mesh) against the SFU (Janus): per-browser CPU, uplink
// bitrate and time to first audio, for N talkers. Starts Janus on loopback (generated config, free
// ports) and the built app (functions/bin/Debug/net10.0) with it, one headless chromium per talker
// (fake microphone), and prints a Markdown table.
//
//   dotnet build functions && node tests/bench/media/media.mjs [--talkers 2,4,8,12] [--seconds 10]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { mkdtempSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const { chromium } = createRequire(join(root, 'tests', 'e2e', 'package.json'))('playwright-core');
const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const talkerCounts = arg('--talkers', '2,4,8,12').split(',').map(Number);
const seconds = Number(arg('--seconds', '10'));
const appDir = join(root, 'functions');
const appDll = join(appDir, 'bin', 'Debug', 'net10.0', 'Zawaroom.Functions.dll');
if (!existsSync(appDll) || !existsSync(join(appDir, 'wwwroot', 'index.html'))) {
  console.error('Build the app first (dotnet build functions): the app or functions/wwwroot is missing.');
  process.exit(1);
}
const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const clockTicks = 100; // USER_HZ

// --- Janus, as tests/Zawaroom.Tests/Media/MediaServers.cs starts it
const janusDir = mkdtempSync(join(tmpdir(), 'zawaroom-media-bench-'));
const [httpPort, wsPort] = [await freePort(), await freePort()];
const rtpFrom = 33000 + Math.floor(Math.random() * 25000);
const lib = '/usr/lib/x86_64-linux-gnu/janus';
const disable = (kind, keep = []) => (existsSync(`${lib}/${kind}`) ? readdirSync(`${lib}/${kind}`).filter((f) => f.endsWith('.so') && !keep.includes(f)) : []).join(',');
const adminKey = `bench-admin-${process.pid}`;
const tokenSecret = `bench-token-${process.pid}`;
writeFileSync(join(janusDir, 'janus.jcfg'), `general: { configs_folder = "${janusDir}" plugins_folder = "${lib}/plugins" transports_folder = "${lib}/transports"
  events_folder = "${lib}/events" loggers_folder = "${lib}/loggers" debug_level = 2 token_auth = true token_auth_secret = "${tokenSecret}" admin_secret = "x${process.pid}" }
media: { rtp_port_range = "${rtpFrom}-${rtpFrom + 400}" }
nat: { ice_enforce_list = "lo" }
plugins: { disable = "${disable('plugins', ['libjanus_videoroom.so'])}" }
transports: { disable = "${disable('transports', ['libjanus_http.so', 'libjanus_websockets.so'])}" }
loggers: { disable = "${disable('loggers')}" }
events: { broadcast = false disable = "${disable('events')}" }
`);
writeFileSync(join(janusDir, 'janus.transport.http.jcfg'), `general: { json = "compact" base_path = "/janus" http = true port = ${httpPort} ip = "127.0.0.1" https = false }\nadmin: { admin_http = false }\n`);
writeFileSync(join(janusDir, 'janus.transport.websockets.jcfg'), `general: { json = "compact" ws = true ws_port = ${wsPort} ws_ip = "127.0.0.1" wss = false }\nadmin: { admin_ws = false }\n`);
writeFileSync(join(janusDir, 'janus.plugin.videoroom.jcfg'), `general: { admin_key = "${adminKey}" }\n`);
const janus = spawn('/usr/bin/janus', ['-F', janusDir, '-C', join(janusDir, 'janus.jcfg'), '-o'], { stdio: 'ignore' });

// --- the app: the SFU for "whole room" meeting rooms only (threshold out of reach), so one room of each kind
const port = await freePort();
const data = mkdtempSync(join(tmpdir(), 'zawaroom-media-bench-data-'));
const base = `http://127.0.0.1:${port}`;
const server = spawn('dotnet', [appDll], {
  cwd: appDir, stdio: 'ignore',
  env: {
    ...process.env, ASPNETCORE_URLS: base, ASPNETCORE_ENVIRONMENT: 'Development', Zawaroom__DataDirectory: data,
    Zawaroom__OperatorKey: 'bench', Zawaroom__SeedDemo: 'false', Zawaroom__Auth__LocalLogin: 'true', Logging__LogLevel__Default: 'Warning',
    Zawaroom__Media__JanusUrl: `http://127.0.0.1:${httpPort}/janus`, Zawaroom__Media__JanusPublicUrl: `ws://127.0.0.1:${wsPort}`,
    Zawaroom__Media__JanusAdminKey: adminKey, Zawaroom__Media__JanusTokenSecret: tokenSecret, Zawaroom__Media__SfuThreshold: '1000',
  },
});

/** CPU seconds of a process and its descendants (from /proc). */
function cpuOfTree(pid) {
  const parents = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(p), { ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / clockTicks });
    } catch { /* gone */ }
  }
  let total = 0;
  const queue = [pid];
  while (queue.length) {
    const p = queue.pop();
    total += parents.get(p)?.cpu ?? 0;
    for (const [child, info] of parents) if (info.ppid === p) queue.push(child);
  }
  return total;
}

const statsScript = async () => {
  let sent = 0, flowing = 0;
  for (const pc of window.__pcs ?? []) {
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'outbound-rtp' && r.kind === 'audio') sent += r.bytesSent ?? 0;
      if (r.type === 'inbound-rtp' && r.kind === 'audio' && (r.packetsReceived ?? 0) > 0) flowing++;
    });
  }
  return { sent, flowing };
};
const record = () => {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Original { constructor(c) { super(c); window.__pcs.push(this); } };
};

const browsers = [];
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 120) throw new Error('the app did not start');
    await sleep(500);
  }
  const call = async (path, { method = 'GET', token, body, headers = {} } = {}) => {
    const h = { 'Content-Type': 'application/json', ...headers };
    if (token) h.Authorization = `Bearer ${token}`;
    const r = await fetch(base + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return { json: r.status === 204 ? null : await r.json(), etag: r.headers.get('etag') };
  };
  const max = Math.max(...talkerCounts);
  await call('/operator/api/sites', { method: 'POST', token: 'bench', body: { subdomain: 'bench', adminEmail: 'admin@bench.example', adminAuthType: 'aad', maxUsersCount: max + 10 } });
  const admin = (await call('/s/bench/api/auth/local', { method: 'POST', body: { email: 'admin@bench.example' } })).json.token;
  const emails = Array.from({ length: max }, (_, i) => `t${i + 1}@bench.example`);
  for (const email of emails) await call('/s/bench/api/admin/members', { method: 'POST', token: admin, body: { email, authType: 'aad' } }).catch(() => {});
  const tokens = [];
  for (const email of emails) tokens.push((await call('/s/bench/api/auth/local', { method: 'POST', body: { email } })).json.token);
  const space = (await call('/s/bench/api/spaces', { method: 'POST', token: admin, body: { name: 'bench' } })).json;

  console.log(`media benchmark: N talkers (fake microphones) in one meeting room, each in its own headless chromium; ${seconds} s measured after everyone hears everyone; load average at start ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  console.log('| talkers | mode | CPU per browser (% of one core) | uplink per browser (kbit/s) | time to first audio (median / max, s) | heard everyone |');
  console.log('|---:|---|---:|---:|---:|---|');
  for (const n of talkerCounts) {
    for (const mode of ['mesh', 'sfu']) {
      const room = (await call(`/s/bench/api/spaces/${space.id}/rooms`, { method: 'POST', token: admin, body: { name: `${mode}-${n}` } })).json;
      const settings = await call(`/s/bench/api/rooms/${room.id}/settings`, { token: admin });
      // Mesh: a "by distance" meeting room (everyone in reach, far below the threshold); SFU: "whole room".
      await call(`/s/bench/api/rooms/${room.id}/settings`, {
        method: 'PUT', token: admin, headers: { 'If-Match': settings.etag },
        body: { meetingRooms: [{ id: 'm', name: 'M', x: 1000, y: 800, width: 500, height: 500, audioMode: mode === 'sfu' ? 'whole-room' : 'by-distance', bgmVolume: 'normal' }], entryPosition: { x: 1200, y: 1000 } },
      });
      const pages = [];
      const started = Date.now();
      for (let i = 0; i < n; i++) {
        const browser = await chromium.launch({
          executablePath: process.env.ZAWAROOM_CHROMIUM ?? '/usr/bin/chromium', headless: true,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
            '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection'],
        });
        browsers.push(browser);
        const context = await browser.newContext({ viewport: { width: 1024, height: 700 } });
        await context.addInitScript(record);
        const page = await context.newPage();
        await page.addInitScript((t) => localStorage.setItem('zawaroom.token.' + location.host + '/s/bench', t), tokens[i]);
        await page.goto(`${base}/s/bench/rooms/${room.id}`);
        pages.push({ page, browser, pid: null, firstAudio: null, enteredAt: Date.now() });
      }
      // The browser's main process: the one whose parent is this node process, newest first.
      const deadline = Date.now() + 120000;
      while (Date.now() < deadline && pages.some((p) => p.firstAudio === null)) {
        for (const p of pages) {
          if (p.firstAudio !== null) continue;
          const s = await p.page.evaluate(statsScript).catch(() => ({ flowing: 0 }));
          if (s.flowing >= n - 1) p.firstAudio = (Date.now() - p.enteredAt) / 1000;
        }
        await sleep(250);
      }
      const tree = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
        try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--remote-debugging-pipe') && Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === process.pid; } catch { return false; }
      });
      const cpu0 = tree.map(cpuOfTree);
      const sent0 = await Promise.all(pages.map((p) => p.page.evaluate(statsScript)));
      const t0 = Date.now();
      await sleep(seconds * 1000);
      const cpu1 = tree.map(cpuOfTree);
      const sent1 = await Promise.all(pages.map((p) => p.page.evaluate(statsScript)));
      const elapsed = (Date.now() - t0) / 1000;
      const cpuPct = cpu1.reduce((a, c, i) => a + (c - cpu0[i]), 0) / Math.max(1, tree.length) / elapsed * 100;
      const uplink = sent1.reduce((a, s, i) => a + (s.sent - sent0[i].sent), 0) / pages.length * 8 / elapsed / 1000;
      const times = pages.map((p) => p.firstAudio).filter((t) => t !== null).sort((a, b) => a - b);
      const median = times.length ? times[Math.floor(times.length / 2)] : NaN;
      console.log(`| ${n} | ${mode} | ${cpuPct.toFixed(0)} | ${uplink.toFixed(0)} | ${median.toFixed(1)} / ${(times.at(-1) ?? NaN).toFixed(1)} | ${times.length} of ${n} |`);
      for (const b of browsers.splice(0)) await b.close();
      void started;
    }
  }
} finally {
  for (const b of browsers) await b.close().catch(() => {});
  server.kill();
  janus.kill();
  rmSync(data, { recursive: true, force: true });
  rmSync(janusDir, { recursive: true, force: true });
}
