// Voice through the SFU and TURN in real browsers with fake devices (run by
// tests/Zawaroom.Tests/E2e/MediaBrowserTests.cs, which starts Janus and coturn on loopback):
// six people in a "whole room" meeting room each receive five remote audio tracks through Janus
// (getStats: the selected remote candidate is Janus's, in its RTP port range), someone outside
// receives none, and walking out stops one's tracks within 2 s. Or, with ZAWAROOM_MEDIA_CASE=relay,
// two people on the open floor connect with iceTransportPolicy "relay" through coturn.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, logIn, mediaArgs, newPage, screenshot, siteUrl } from './lib.mjs';

const roomId = process.env.ZAWAROOM_ROOM;
const people = (process.env.ZAWAROOM_PEOPLE ?? '').split(',').filter(Boolean);
const outsider = process.env.ZAWAROOM_OUTSIDER;
const mediaCase = process.env.ZAWAROOM_MEDIA_CASE ?? 'sfu';
const [rtpFrom, rtpTo] = (process.env.ZAWAROOM_JANUS_RTP ?? '0-0').split('-').map(Number);
const turnPort = Number(process.env.ZAWAROOM_TURN_PORT ?? 0);
if (!roomId || people.length === 0) throw new Error('ZAWAROOM_ROOM and ZAWAROOM_PEOPLE are set by MediaBrowserTests');

let browser;
before(async () => { browser = await launch([...mediaArgs, '--allow-loopback-in-peer-connection']); });
after(async () => { await browser?.close(); });

/** Every RTCPeerConnection the page makes, kept for getStats (the app's code is untouched). */
const recordConnections = () => {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Original {
    constructor(config) { super(config); window.__pcs.push(this); }
  };
};

/** Per open connection: its state, the selected remote candidate, and the audio packets received. */
const connectionStats = async () => {
  const out = [];
  for (const pc of window.__pcs) {
    if (pc.connectionState === 'closed') continue;
    const stats = await pc.getStats();
    const byId = new Map();
    stats.forEach((r) => byId.set(r.id, r));
    let pair = null;
    let audioPackets = 0;
    let audioTracks = 0;
    stats.forEach((r) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = byId.get(r.selectedCandidatePairId);
      if (r.type === 'inbound-rtp' && r.kind === 'audio') { audioTracks++; audioPackets += r.packetsReceived ?? 0; }
    });
    const remote = pair ? byId.get(pair.remoteCandidateId) : null;
    const local = pair ? byId.get(pair.localCandidateId) : null;
    out.push({ state: pc.connectionState, remotePort: remote?.port ?? null, remoteType: remote?.candidateType ?? null,
      localType: local?.candidateType ?? null, relayProtocol: local?.relayProtocol ?? null, audioTracks, audioPackets });
  }
  return out;
};

async function person(t, email) {
  const session = await newPage(browser);
  await session.context.addInitScript(recordConnections);
  // Seven rooms with live media share two cores: everything is slower than in the other browser tests.
  session.page.setDefaultTimeout(60000);
  session.page.setDefaultNavigationTimeout(60000);
  t.after(async () => { await session.context.close(); });
  await logIn(session.page, email);
  await session.page.goto(siteUrl(`/rooms/${roomId}`));
  // Several rooms with live media share two cores here: entering may take a while.
  await session.page.locator('.live-room[data-state=live]').waitFor({ timeout: 60000 });
  return session;
}

const viaJanus = (c) => c.remotePort >= rtpFrom && c.remotePort <= rtpTo;

/** Remote audio tracks that receive packets through Janus (two samples, so the count is of flowing audio). */
async function sfuAudio(page) {
  const first = await page.evaluate(connectionStats);
  await page.waitForTimeout(300);
  const second = await page.evaluate(connectionStats);
  // Audio that arrived: on a loaded machine packets come in bursts, so any received packet counts.
  void first;
  const flowing = second.filter((c) => c.state === 'connected' && c.audioTracks > 0 && c.audioPackets > 0);
  return { janus: flowing.filter(viaJanus).length, direct: flowing.filter((c) => !viaJanus(c)).length, all: second };
}

const roomState = (page) => page.evaluate(() => ({ ...document.querySelector('.live-room')?.dataset, me: document.querySelector('.people-list .person.me, .people-list .person')?.dataset }));

/** Where the page shows this person (the people list's row carries the position). */
const xOf = (page, email) => page.evaluate((e) => Number(document.querySelector(`.people-list .person[data-email="${e}"]`)?.dataset.x ?? NaN), email);

/** Walks left until out of the meeting room (x < 1000), and answers when that was. */
async function walkOut(page, email) {
  await page.keyboard.down('ArrowLeft');
  try {
    const until = Date.now() + 20000;
    while (!(await xOf(page, email) < 990)) {
      if (Date.now() > until) throw new Error(`${email} did not get out of the meeting room: ${JSON.stringify(await roomState(page))}`);
      await page.waitForTimeout(50);
    }
    return Date.now();
  } finally {
    await page.keyboard.up('ArrowLeft');
  }
}

async function waitFor(what, check, ms = 30000) {
  const until = Date.now() + ms;
  let last;
  while (Date.now() < until) {
    last = await check();
    if (last.ok) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${what}: ${JSON.stringify(last)}`);
}

if (mediaCase === 'sfu') {
  test('six people in a whole-room meeting room hear each other through Janus; someone outside hears none; walking out stops the tracks', async (t) => {
    // The outsider enters first and walks out of the meeting room (the entry is inside it).
    const out = { email: outsider, ...(await person(t, outsider)) };
    await walkOut(out.page, outsider);
    const inRoom = [];
    for (const email of people) inRoom.push({ email, ...(await person(t, email)) });

    for (const p of inRoom) {
      const others = people.filter((e) => e !== p.email).sort().join(' ');
      await waitFor(`${p.email} receives five remote audio tracks through Janus`, async () => {
        const a = await sfuAudio(p.page);
        const heard = ((await p.page.locator('.live-room').getAttribute('data-sfu')) ?? '').split(' ').filter(Boolean).sort().join(' ');
        return { ok: a.janus === 5 && a.direct === 0 && heard === others, heard, ...a };
      }, 120000);
      assert.equal(await p.page.locator('.live-room').getAttribute('data-media'), 'sfu');
    }
    await screenshot(inRoom[0].page, 'media-sfu-meeting-room');
    const outside = await sfuAudio(out.page);
    assert.equal(outside.janus, 0, `the outsider receives audio through Janus: ${JSON.stringify(outside)}`);
    assert.equal(outside.direct, 0, `the outsider receives audio from someone in the meeting room: ${JSON.stringify(outside)}`);

    // One walks out: within 2 s of leaving the meeting room they receive nothing through Janus any more.
    const walker = inRoom[0];
    const left = await walkOut(walker.page, walker.email);
    let janus = -1;
    while (Date.now() - left < 5000) {
      janus = (await walker.page.evaluate(connectionStats)).filter((c) => c.state === 'connected' && viaJanus(c)).length;
      if (janus === 0) break;
      await walker.page.waitForTimeout(100);
    }
    const took = Date.now() - left;
    assert.equal(janus, 0, 'the walker still has Janus connections 5 s after walking out');
    assert.ok(took <= 2000, `the walker's Janus tracks stopped ${took} ms after walking out of the meeting room`);
  });
}

if (mediaCase === 'relay') {
  test('two people connect with iceTransportPolicy relay through coturn', async (t) => {
    const a = await person(t, people[0]);
    const b = await person(t, people[1]);
    const connected = await waitFor('both hear each other through TURN', async () => {
      const stats = await Promise.all([a.page, b.page].map((p) => p.evaluate(connectionStats)));
      const relayed = stats.map((s) => s.filter((c) => c.state === 'connected' && c.localType === 'relay' && c.audioPackets > 0));
      return { ok: relayed.every((r) => r.length === 1), stats };
    });
    assert.ok(connected.stats.flat().every((c) => c.state !== 'connected' || c.localType === 'relay'), 'a connection went around TURN');
    assert.ok(turnPort > 0);
  });
}
