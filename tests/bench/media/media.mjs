// Voice in one meeting room, peer to peer (mesh) against the SFU (Janus): per-browser CPU, uplink
// bitrate and time to first audio, for N talkers. Starts Janus on loopback (generated config, free
// ports) and the built app (functions/bin/Debug/net10.0) with it, one headless chromium process per
// talker (fake microphone, small window, audio only), and prints a Markdown table. See README.md.
//
//   dotnet build functions && node tests/bench/media/media.mjs [--talkers 2,4,8,12] [--seconds 10]
//
// ZAWAROOM_BENCH_LOGS=<dir> keeps the app's and Janus's output there (to see why a run went wrong).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { appendFileSync, mkdtempSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unprivilegedChromium } from '../../e2e/unprivileged.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const { chromium } = createRequire(join(root, 'tests', 'e2e', 'package.json'))('playwright-core');
const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const talkerCounts = arg('--talkers', '2,4,8,12').split(',').map(Number);
const seconds = Number(arg('--seconds', '10'));
const modes = arg('--modes', 'mesh,sfu').split(',');
// How long a page may go without a word before the app drops it (Zawaroom:Live:HeartbeatTimeout, the
// hub's client timeout too; 30 s in production). A dozen browsers on two cores starve a page's main
// thread for longer than 30 s at times: it is dropped, re-enters and every peer renegotiates, and the
// room never settles. The bench measures media, not that timeout, so it gives 120 s (--heartbeat-timeout 30 for the default).
const heartbeatTimeout = Number(arg('--heartbeat-timeout', '120'));
const appDir = join(root, 'functions');
const appDll = join(appDir, 'bin', 'Debug', 'net10.0', 'Zawaroom.Functions.dll');
if (!existsSync(appDll) || !existsSync(join(appDir, 'wwwroot', 'index.html'))) {
  console.error('Build the app first (dotnet build functions): the app or functions/wwwroot is missing.');
  process.exit(1);
}
const freePort = () => new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const logs = process.env.ZAWAROOM_BENCH_LOGS;
if (logs) mkdirSync(logs, { recursive: true });
const output = (name) => (logs ? ['ignore', openSync(join(logs, `${name}.log`), 'a'), openSync(join(logs, `${name}.log`), 'a')] : 'ignore');
// The whole run is bounded: a joiner gets this long to hear everyone already there, the room as long again to settle.
const joinTimeoutMs = Number(arg('--join-timeout', '60')) * 1000;

// --- Janus, as tests/Zawaroom.Tests/Media/MediaServers.cs starts it
const janusDir = mkdtempSync(join(tmpdir(), 'zawaroom-media-bench-'));
const [httpPort, wsPort] = [await freePort(), await freePort()];
// 12 talkers through the SFU hold 12 × 12 connections to Janus (one publishes, eleven subscribe), one port each.
// Below Linux's ephemeral ports (32768-60999, where chromium's own sockets are), so a connection to Janus is told by its port.
const rtpFrom = 20000 + Math.floor(Math.random() * 10000);
const lib = '/usr/lib/x86_64-linux-gnu/janus';
const disable = (kind, keep = []) => (existsSync(`${lib}/${kind}`) ? readdirSync(`${lib}/${kind}`).filter((f) => f.endsWith('.so') && !keep.includes(f)) : []).join(',');
const adminKey = `bench-admin-${process.pid}`;
const tokenSecret = `bench-token-${process.pid}`;
writeFileSync(join(janusDir, 'janus.jcfg'), `general: { configs_folder = "${janusDir}" plugins_folder = "${lib}/plugins" transports_folder = "${lib}/transports"
  events_folder = "${lib}/events" loggers_folder = "${lib}/loggers" debug_level = ${logs ? 4 : 2} token_auth = true token_auth_secret = "${tokenSecret}" admin_secret = "x${process.pid}" }
media: { rtp_port_range = "${rtpFrom}-${rtpFrom + 1000}" }
nat: { ice_enforce_list = "lo" }
plugins: { disable = "${disable('plugins', ['libjanus_videoroom.so'])}" }
transports: { disable = "${disable('transports', ['libjanus_http.so', 'libjanus_websockets.so'])}" }
loggers: { disable = "${disable('loggers')}" }
events: { broadcast = false disable = "${disable('events')}" }
`);
writeFileSync(join(janusDir, 'janus.transport.http.jcfg'), `general: { json = "compact" base_path = "/janus" http = true port = ${httpPort} ip = "127.0.0.1" https = false }\nadmin: { admin_http = false }\n`);
writeFileSync(join(janusDir, 'janus.transport.websockets.jcfg'), `general: { json = "compact" ws = true ws_port = ${wsPort} ws_ip = "127.0.0.1" wss = false }\nadmin: { admin_ws = false }\n`);
writeFileSync(join(janusDir, 'janus.plugin.videoroom.jcfg'), `general: { admin_key = "${adminKey}" }\n`);
const janus = spawn('/usr/bin/janus', ['-F', janusDir, '-C', join(janusDir, 'janus.jcfg'), '-o'], { stdio: output('janus') });

// --- the app: the SFU for "whole room" meeting rooms only (threshold out of reach), so one room of each kind
const port = await freePort();
const data = mkdtempSync(join(tmpdir(), 'zawaroom-media-bench-data-'));
const base = `http://127.0.0.1:${port}`;
const server = spawn('dotnet', [appDll], {
  cwd: appDir, stdio: output('app'),
  env: {
    ...process.env, ASPNETCORE_URLS: base, ASPNETCORE_ENVIRONMENT: 'Development', Zawaroom__DataDirectory: data,
    Zawaroom__OperatorKey: 'bench', Zawaroom__SeedDemo: 'false', Zawaroom__Auth__LocalLogin: 'true', Logging__LogLevel__Default: 'Warning',
    Zawaroom__Media__JanusUrl: `http://127.0.0.1:${httpPort}/janus`, Zawaroom__Media__JanusPublicUrl: `ws://127.0.0.1:${wsPort}`,
    Zawaroom__Media__JanusAdminKey: adminKey, Zawaroom__Media__JanusTokenSecret: tokenSecret, Zawaroom__Media__SfuThreshold: '1000',
    Zawaroom__Live__HeartbeatTimeout: new Date(heartbeatTimeout * 1000).toISOString().slice(11, 19),
  },
});

// Stopped early (Ctrl-C): the browsers end with their pipe; the app, Janus and their folders go too.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.kill();
    janus.kill();
    rmSync(data, { recursive: true, force: true });
    rmSync(janusDir, { recursive: true, force: true });
    console.log(`stopped; load average at end: ${loadAverage()}`);
    process.exit(130);
  });
}

/** Every process's parent, chromium process type (`--type=`: renderer, gpu-process, utility; none for the browser) and CPU seconds so far (user + system, from /proc). */
function processTable() {
  const table = new Map();
  for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const type = /--type=([a-z-]+)/.exec(readFileSync(`/proc/${p}/cmdline`, 'utf8'))?.[1] ?? 'browser';
      table.set(Number(p), { ppid: Number(fields[1]), type, cpu: (Number(fields[11]) + Number(fields[12])) / 100 }); // USER_HZ
    } catch { /* gone */ }
  }
  return table;
}

/** CPU seconds of a process and its descendants, in all and by chromium process type. */
function cpuByType(table, pid) {
  const byType = { total: 0 };
  const queue = [pid];
  while (queue.length) {
    const p = queue.pop();
    const info = table.get(p);
    if (info) { byType.total += info.cpu; byType[info.type] = (byType[info.type] ?? 0) + info.cpu; }
    for (const [child, c] of table) if (c.ppid === p) queue.push(child);
  }
  return byType;
}
const cpuOfTree = (table, pid) => cpuByType(table, pid).total;
/** CPU seconds so far of each thread of the processes in the trees of these pids, by process type and thread name (ZAWAROOM_BENCH_THREADS=1: where the CPU goes). */
function threadTable(table, pids) {
  const out = new Map();
  const queue = [...pids];
  while (queue.length) {
    const p = queue.pop();
    for (const [child, c] of table) if (c.ppid === p) queue.push(child);
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const stat = readFileSync(`/proc/${p}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replace(/\d+$/, '');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const key = `${table.get(p)?.type ?? '?'}: ${name}`;
        out.set(key, (out.get(key) ?? 0) + (Number(fields[11]) + Number(fields[12])) / 100);
      }
    } catch { /* gone */ }
  }
  return out;
}
/** CPU seconds between two tables, by type (a process that ended in between counts what it used before it ended as nothing). */
const cpuDelta = (t0, t1, pid) => {
  const [a, b] = [cpuByType(t0, pid), cpuByType(t1, pid)];
  return Object.fromEntries(Object.keys(b).map((k) => [k, Math.max(0, b[k] - (a[k] ?? 0))]));
};

/** Chromium main processes this script started (Playwright talks to them over a pipe). */
const chromiumPids = () => [...processTable()].filter(([pid, info]) => {
  if (info.ppid !== process.pid) return false;
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--remote-debugging-pipe'); } catch { return false; }
}).map(([pid]) => pid);

// In the page: every RTCPeerConnection the app makes, and per path (a connection to Janus — its
// selected remote candidate has a port of Janus's RTP range — or to another browser) the audio sent (payload, and everything on the wire),
// the open connections and the remote audio streams with packets. Totals stay counted after a
// connection closes, so differences over time are what was sent in between.
const record = () => {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Original { constructor(c) { super(c); window.__pcs.push(this); } };
};
const statsScript = async (janusPorts) => {
  window.__last ??= new Map();
  const paths = { sfu: { sent: 0, wire: 0, open: 0, inbound: {} }, p2p: { sent: 0, wire: 0, open: 0, inbound: {} } };
  await Promise.all((window.__pcs ?? []).map(async (pc, i) => {
    if (pc.connectionState !== 'closed') {
      let sent = 0, wire = 0;
      const inbound = {};
      const report = await pc.getStats();
      const pair = [...report.values()].find((r) => r.type === 'transport' && r.selectedCandidatePairId);
      const remote = pair && report.get(report.get(pair.selectedCandidatePairId)?.remoteCandidateId);
      const path = remote && remote.port >= janusPorts[0] && remote.port <= janusPorts[1] ? 'sfu' : window.__last.get(pc)?.path ?? 'p2p';
      report.forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'audio') sent += r.bytesSent ?? 0;
        if (r.type === 'transport') wire += r.bytesSent ?? 0;
        if (r.type === 'inbound-rtp' && r.kind === 'audio' && (r.packetsReceived ?? 0) > 0) inbound[`${i}:${r.ssrc}`] = r.packetsReceived;
      });
      window.__last.set(pc, { path, sent, wire });
      paths[path].open++;
      Object.assign(paths[path].inbound, inbound);
    }
  }));
  for (const [pc, last] of window.__last) { paths[last.path].sent += last.sent; paths[last.path].wire += last.wire; void pc; }
  return paths;
};

// Unprivileged, as a person's browser runs: see tests/e2e/unprivileged.mjs.
const unprivileged = unprivilegedChromium(process.env.ZAWAROOM_CHROMIUM ?? '/usr/bin/chromium');

const browsers = [];
/** The i-th talker's browser: its own chromium process, launched the first time it is needed. */
async function browserFor(i) {
  while (browsers.length <= i) {
    const before = new Set(chromiumPids());
    const browser = await chromium.launch({
      executablePath: unprivileged, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
        '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection', '--disable-extensions', '--disable-component-update'],
    });
    const pid = chromiumPids().find((p) => !before.has(p));
    if (!pid) throw new Error('could not tell which process the new chromium is');
    browsers.push({ browser, pid });
  }
  return browsers[i];
}

/** A promise's value, or null when it fails or takes more than 10 s (a starved or hung page: no wait is endless). */
const bounded = (promise, ms = 10000) => Promise.race([promise, sleep(ms).then(() => null)]).catch(() => null);
const pct = (cpuSeconds, elapsed) => (cpuSeconds / elapsed * 100).toFixed(0);
const spread = (values) => {
  const v = values.filter((t) => t !== null).sort((a, b) => a - b);
  return v.length ? `${v[Math.floor(v.length / 2)].toFixed(1)} / ${v.at(-1).toFixed(1)}` : '–';
};

let failed = false;
try {
  for (let i = 0; ; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not up yet */ }
    if (i > 240) throw new Error('the app did not start');
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
  const emails = Array.from({ length: max }, (_, i) => `t${String(i + 1).padStart(2, '0')}@bench.example`);
  for (const email of emails) await call('/s/bench/api/admin/members', { method: 'POST', token: admin, body: { email, authType: 'aad' } }).catch(() => {});
  const tokens = [];
  for (const email of emails) tokens.push((await call('/s/bench/api/auth/local', { method: 'POST', body: { email } })).json.token);
  const space = (await call('/s/bench/api/spaces', { method: 'POST', token: admin, body: { name: 'bench' } })).json;

  console.log(`media benchmark: N talkers (fake microphones) in one meeting room, each in its own headless chromium process; they enter one after the other, ${seconds} s measured once everyone hears everyone. Load average at start: ${loadAverage()}`);
  console.log('');
  console.log('| talkers | mode | connections per browser | CPU per browser (% of one core, mean / max) | of which page / GPU / browser and services (%) | Janus CPU (%) | app CPU (%) | uplink per browser, audio payload (kbit/s) | uplink per browser, on the wire (kbit/s) | first voice (median / max, s) | all voices (median / max, s) | heard everyone | load (1 min) |');
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|');
  for (const n of talkerCounts) {
    for (const mode of modes) {
      const path = mode === 'sfu' ? 'sfu' : 'p2p';
      const room = (await call(`/s/bench/api/spaces/${space.id}/rooms`, { method: 'POST', token: admin, body: { name: `${mode}-${n}` } })).json;
      const settings = await call(`/s/bench/api/rooms/${room.id}/settings`, { token: admin });
      // Mesh: a "by distance" meeting room (everyone at one point: in reach, far below the threshold); SFU: "whole room".
      await call(`/s/bench/api/rooms/${room.id}/settings`, {
        method: 'PUT', token: admin, headers: { 'If-Match': settings.etag },
        body: { meetingRooms: [{ id: 'm', name: 'M', x: 1000, y: 800, width: 500, height: 500, audioMode: mode === 'sfu' ? 'whole-room' : 'by-distance', bgmVolume: 'normal' }], entryPosition: { x: 1200, y: 1000 } },
      });
      const talkers = [];
      const errors = [];
      // A page too starved (or hung) to answer in 10 s counts as hearing no one this time, so no wait is endless.
      const stats = (t) => bounded(t.page.evaluate(statsScript, [rtpFrom, rtpFrom + 1000]));
      const heard = (s) => (s ? Object.keys(s[path].inbound).length : 0);
      try {
        for (let i = 0; i < n; i++) {
          const { browser, pid } = await browserFor(i);
          const context = await browser.newContext({ viewport: { width: 480, height: 360 } });
          await context.addInitScript(record);
          const page = await context.newPage();
          page.on('pageerror', (e) => errors.push(`t${i + 1}: ${e.message}`));
          if (logs) page.on('console', (m) => appendFileSync(join(logs, `${mode}-${n}-t${i + 1}.log`), `${new Date().toISOString()} ${m.type()} ${m.text()}\n`));
          await page.addInitScript((t) => localStorage.setItem('zawaroom.token.' + location.host + '/s/bench', t), tokens[i]);
          const t = { page, context, pid, firstVoice: null, allVoices: null };
          talkers.push(t);
          // Time to first audio of a newcomer: from opening the room until audio arrives (first voice) and
          // until it arrives from all i already there (all voices), on the mode's path. The next one enters
          // once everyone hears everyone so far, so each newcomer walks into a settled room of talkers.
          const opened = Date.now();
          await page.goto(`${base}/s/bench/rooms/${room.id}`);
          const until = opened + joinTimeoutMs;
          while (Date.now() < until) {
            const s = await stats(t);
            const count = heard(s);
            if (t.firstVoice === null && count >= 1) t.firstVoice = (Date.now() - opened) / 1000;
            // The first one has no one to hear: ready once it sends (SFU: published to Janus; mesh: nothing to wait for).
            if (i === 0 ? (path === 'p2p' || (s?.sfu.sent ?? 0) > 0) : count >= i) { if (i > 0) t.allVoices = (Date.now() - opened) / 1000; break; }
            await sleep(200);
          }
          console.error(`  ${mode} ${n}: t${i + 1} in, first voice ${t.firstVoice ?? '–'} s, all voices ${t.allVoices ?? (i ? 'not within the limit' : '–')} s (load ${loadAverage().split(' ')[0]})`);
          const settled = Date.now() + joinTimeoutMs;
          while (Date.now() < settled && (await Promise.all(talkers.map(stats))).some((s) => heard(s) < i)) await sleep(250);
        }
        // Steady state: through the SFU the passing peer connections (made while Janus was being joined) have ended.
        const quiet = Date.now() + 15000;
        while (path === 'sfu' && Date.now() < quiet && (await Promise.all(talkers.map(stats))).some((s) => (s?.p2p.open ?? 0) > 0)) await sleep(250);

        const threads0 = process.env.ZAWAROOM_BENCH_THREADS ? threadTable(processTable(), talkers.map((t) => t.pid)) : null;
        const table0 = processTable();
        const before = await Promise.all(talkers.map(stats));
        const t0 = Date.now();
        await sleep(seconds * 1000);
        const table1 = processTable();
        if (threads0) {
          const threads1 = threadTable(table1, talkers.map((t) => t.pid));
          const top = [...threads1].map(([k, v]) => [k, v - (threads0.get(k) ?? 0)]).sort((a, b) => b[1] - a[1]).slice(0, 15);
          console.error(`  threads (${n} ${mode}, % of one core per browser): ${top.map(([k, v]) => `${k} ${(v / n / seconds * 100).toFixed(1)}`).join(' · ')}`);
        }
        const after = await Promise.all(talkers.map(stats));
        const elapsed = (Date.now() - t0) / 1000;
        const load = loadAverage().split(' ')[0];

        const cpuParts = talkers.map((t) => cpuDelta(table0, table1, t.pid));
        const cpu = cpuParts.map((c) => c.total);
        const part = (...types) => pct(cpuParts.reduce((a, c) => a + types.reduce((b, k) => b + (c[k] ?? 0), 0), 0) / n, elapsed);
        const janusCpu = cpuOfTree(table1, janus.pid) - cpuOfTree(table0, janus.pid);
        const appCpu = cpuOfTree(table1, server.pid) - cpuOfTree(table0, server.pid);
        // Uplink over the pages that answered both times (a starved page may not: see "did not answer").
        const answered = talkers.filter((_, i) => after[i] && before[i]).length;
        const sum = (f) => talkers.reduce((a, _, i) => a + (after[i] && before[i] ? f(after[i]) - f(before[i]) : 0), 0);
        const payload = answered ? sum((s) => s.sfu.sent + s.p2p.sent) / answered * 8 / elapsed / 1000 : Number.NaN;
        const wire = answered ? sum((s) => s.sfu.wire + s.p2p.wire) / answered * 8 / elapsed / 1000 : Number.NaN;
        // Heard everyone: audio kept arriving from all n-1 others during the measured seconds.
        const hearsAll = talkers.filter((_, i) => {
          const a = after[i]?.[path].inbound ?? {}, b = before[i]?.[path].inbound ?? {};
          return Object.keys(a).filter((k) => a[k] > (b[k] ?? 0)).length >= n - 1;
        }).length;
        if (logs) {
          const detail = await Promise.all(talkers.map((t) => bounded(t.page.evaluate(() => window.__pcs.map((pc) => ({ state: pc.connectionState, path: window.__last.get(pc)?.path }))))));
          writeFileSync(join(logs, `${mode}-${n}-stats.json`), JSON.stringify({ before, after, detail }, null, 1));
        }
        const connections = after.map((s) => (s ? s.sfu.open + s.p2p.open : 0));
        const conn = Math.min(...connections) === Math.max(...connections) ? `${connections[0]}` : `${Math.min(...connections)}–${Math.max(...connections)}`;
        console.log(`| ${n} | ${mode} | ${conn} | ${pct(cpu.reduce((a, c) => a + c, 0) / n, elapsed)} / ${pct(Math.max(...cpu), elapsed)} | ${part('renderer')} / ${part('gpu-process')} / ${part('browser', 'utility', 'zygote')} | ${pct(janusCpu, elapsed)} | ${pct(appCpu, elapsed)} | ${payload.toFixed(0)} | ${wire.toFixed(0)} | ${spread(talkers.map((t) => t.firstVoice))} | ${spread(talkers.map((t) => t.allVoices))} | ${hearsAll} of ${n}${answered < n ? ` (${n - answered} did not answer getStats within 10 s)` : ''} | ${load} |`);
        if (hearsAll < n) failed = true;
        if (errors.length) console.error(`  script errors (${errors.length}): ${[...new Set(errors)].slice(0, 3).join(' · ')}`);
      } catch (error) {
        // One row gone wrong (a page that would not open, a browser that died) is reported, and the run goes on.
        console.log(`| ${n} | ${mode} | not measured: ${String(error?.message ?? error).split('\n')[0]} (${talkers.length} of ${n} had entered) |`);
        failed = true;
      } finally {
        await Promise.all(talkers.map((t) => bounded(t.context.close(), 30000)));
        await sleep(2000); // let the app see them leave before the next room fills
      }
    }
  }
  console.log('');
  console.log(`Load average at end: ${loadAverage()}`);
} finally {
  for (const { browser } of browsers) await browser.close().catch(() => {});
  server.kill();
  janus.kill();
  rmSync(data, { recursive: true, force: true });
  rmSync(janusDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
