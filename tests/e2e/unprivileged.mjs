// Chromium raises its audio threads to real-time and its media and IPC threads to nice -8 where it may
// (as root, as on CI), above the app, Janus and its own pages' main threads: a handful of browsers on two
// cores then starve the pages' SignalR connections (dropped for silence, re-entered, over and over).
// A person's browser runs unprivileged, where it may not; so do the tests' and benches' (setpriv drops
// CAP_SYS_NICE: everything at the same priority).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A path to launch instead of chromiumPath: the same browser without the right to raise its priority. */
export function unprivilegedChromium(chromiumPath) {
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/setpriv')) return chromiumPath;
  const wrapper = join(mkdtempSync(join(tmpdir(), 'zawaroom-chromium-')), 'chromium');
  writeFileSync(wrapper, `#!/bin/sh\nexec setpriv --bounding-set -sys_nice ${chromiumPath} "$@"\n`, { mode: 0o755 });
  return wrapper;
}
