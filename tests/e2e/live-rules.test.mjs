// The rules the live room's browser code decides by (static-web/src/live/model.ts), checked in node:
// the R6 scale, the L3 hearing rule and voice volume, the L4 sequence gate, hub error codes.
// model.ts (with the settings shapes it uses) is compiled with the web app's own TypeScript into a temporary folder first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const web = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'static-web');
const out = mkdtempSync(join(tmpdir(), 'zawaroom-live-rules-'));
execFileSync(join(web, 'node_modules', '.bin', 'tsc'), ['--ignoreConfig', join(web, 'src', 'live', 'model.ts'), '--rootDir', join(web, 'src'), '--outDir', out,
  '--module', 'esnext', '--target', 'es2022', '--lib', 'es2023,dom', '--skipLibCheck'], { stdio: 'inherit' });
const m = await import(pathToFileURL(join(out, 'live', 'model.js')).href);
rmSync(out, { recursive: true, force: true });

const room = { width: 4800, height: 2750 };
const meeting = (id, audioMode, x = 0, y = 0) => ({ id, name: id, x, y, width: 1000, height: 1000, nameStyle: {}, areaStyle: {}, audioMode, bgmVolume: 'normal' });

test('R6: the minimum scale fits the height or width within 40-150 %, or is fixed within 30-100 %', () => {
  assert.equal(m.minimumScale({ mode: 'fit-height' }, { width: 1280, height: 800 }, room), 0.4);
  assert.equal(m.minimumScale({ mode: 'fit-height' }, { width: 1280, height: 2200 }, room), 0.8);
  assert.equal(m.minimumScale({ mode: 'fit-width' }, { width: 2400, height: 800 }, room), 0.5);
  assert.equal(m.minimumScale({ mode: 'fit-width' }, { width: 9600, height: 800 }, room), 1.5);
  assert.equal(m.minimumScale({ mode: 'fixed', percent: 20 }, { width: 1280, height: 800 }, room), 0.3);
  assert.equal(m.minimumScale({ mode: 'fixed', percent: 120 }, { width: 1280, height: 800 }, room), 1);
});

test('R6: the entry scale is fitted like the minimum or fixed within 30-150 %, never below the minimum', () => {
  const view = { width: 1280, height: 800 };
  assert.equal(m.entryScale({ minimum: { mode: 'fit-height' }, entry: { mode: 'fit-height' } }, view, room), 0.4);
  assert.equal(m.entryScale({ minimum: { mode: 'fit-height' }, entry: { mode: 'fixed', percent: 150 } }, view, room), 1.5);
  assert.equal(m.entryScale({ minimum: { mode: 'fixed', percent: 60 }, entry: { mode: 'fixed', percent: 30 } }, view, room), 0.6);
  assert.ok(m.maximumScale(0.4) >= 2);
});

test('L3: people outside meeting rooms hear each other within the larger reach', () => {
  const a = { x: 100, y: 100, reach: 300 };
  assert.equal(m.canHear(a, { x: 350, y: 100, reach: 100 }, []), true);
  assert.equal(m.canHear(a, { x: 500, y: 100, reach: 100 }, []), false);
  assert.equal(m.canHear(a, { x: 500, y: 100, reach: 450 }, []), true);
  assert.equal(m.canHear(a, { x: 440, y: 100, reach: 100 }, [], 1.15), true, 'slack widens the reach');
});

test('L3: nobody outside a meeting room hears inside it; inside, the audio mode decides', () => {
  const rooms = [meeting('whole', 'whole-room'), meeting('dist', 'by-distance', 2000), meeting('mute', 'none', 0, 1500)];
  const at = (x, y, meetingRoomId = null) => ({ x, y, reach: 300, meetingRoomId });
  assert.equal(m.canHear(at(10, 10, 'whole'), at(30, 10)), false, 'one inside, one outside');
  assert.equal(m.canHear(at(10, 10, 'whole'), at(30, 10), rooms), false);
  assert.equal(m.canHear(at(10, 10, 'whole'), at(990, 990, 'whole'), rooms), true, 'whole room: any distance');
  assert.equal(m.canHear(at(2010, 10, 'dist'), at(2200, 10, 'dist'), rooms), true);
  assert.equal(m.canHear(at(2010, 10, 'dist'), at(2900, 10, 'dist'), rooms), false, 'by distance: beyond reach');
  assert.equal(m.canHear(at(10, 1510, 'mute'), at(20, 1510, 'mute'), rooms), false, 'no audio');
  assert.equal(m.canHear(at(990, 10, 'whole'), at(2010, 10, 'dist'), rooms), false, 'different meeting rooms');
});

test('L3: the volume follows distance only in a by-distance meeting room', () => {
  const rooms = [meeting('whole', 'whole-room'), meeting('dist', 'by-distance', 2000)];
  const at = (x, meetingRoomId = null) => ({ x, y: 10, reach: 300, meetingRoomId });
  assert.equal(m.voiceGain(at(10, 'whole'), at(900, 'whole'), rooms), 1);
  assert.equal(m.voiceGain(at(3000), at(3200), rooms), 1);
  const near = m.voiceGain(at(2010, 'dist'), at(2050, 'dist'), rooms);
  const far = m.voiceGain(at(2010, 'dist'), at(2280, 'dist'), rooms);
  assert.ok(near > far && far > 0, `${near} > ${far} > 0`);
  assert.equal(m.voiceGain(at(2010, 'dist'), at(2900, 'dist'), rooms), 0);
});

test('L4: pushes apply once and in order; a gap holds them until the fresh snapshot', () => {
  const gate = new m.SeqGate();
  const applied = [];
  const offer = (seq) => gate.offer(seq, () => applied.push(seq));
  assert.equal(offer(undefined), 'applied', 'a server without seq: everything applies');
  gate.reset(5);
  assert.equal(offer(6), 'applied');
  assert.equal(offer(6), 'skipped', 'a duplicate is ignored');
  assert.equal(offer(4), 'skipped', 'already in the snapshot');
  assert.equal(offer(8), 'gap', 'seq 7 is missing: ask for a snapshot once');
  assert.equal(offer(9), 'held');
  assert.deepEqual(applied, [undefined, 6]);
  gate.reset(8); // the snapshot reflects up to 8: 8 is dropped, 9 follows it
  assert.deepEqual(applied, [undefined, 6, 9]);
  assert.equal(offer(10), 'applied');
  assert.equal(gate.last, 10);
  gate.clear();
  assert.equal(offer(3), 'applied', 'after a reconnect the first push sets the sequence');
});

test('hub errors become codes, never raw text', () => {
  assert.equal(m.hubErrorCode(new Error("An unexpected error occurred invoking 'SetStatus' on the server. HubException: validation: A status has 1 to 50 characters.")), 'validation');
  assert.equal(m.hubErrorCode(new Error("An unexpected error occurred invoking 'Signal' on the server. HubException: not-audible: too far")), 'not-audible');
  assert.equal(m.hubErrorCode(new Error("Failed to invoke 'Heartbeat' due to an error on the server. HubException: Method does not exist.")), 'unsupported');
  assert.equal(m.hubErrorCode(new Error('Cannot send data if the connection is not in the \'Connected\' State.')), 'network');
  assert.equal(m.hubErrorCode(new Error('boom')), 'unknown');
});

test('avatars show initials', () => {
  assert.equal(m.initials('佐藤 花子', 'sato@x.example'), '佐花');
  assert.equal(m.initials('Bob Smith', 'bob@x.example'), 'BS');
  assert.equal(m.initials('', 'carol@x.example'), 'CA');
});
