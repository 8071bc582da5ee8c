// SPDX-License-Identifier: LGPL-2.1-or-later
// close() ends everything the relay started: upstream requests, client sockets, watchdog and backoff
// timers, the listening socket. Alone in its file so other tests' handles do not blur the count.
import test from 'ava';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ResumeRelay } from '../../src/fetch';
import { RepoServer } from '../helpers/server';
import { makeTempDir } from '../helpers/tmp';
import { MB, cachedBytes, get, waitFor, writeObject } from './fixtures';

function relayHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (/TCP|Timeout|Timer/.test(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

test('close() leaves no sockets or timers behind, even mid-download and mid-backoff', async (t) => {
  const dir = await makeTempDir(t, 'cairn-fetch-');
  const root = path.join(dir, 'repo');
  const [stalled, failing] = await Promise.all([writeObject(root, 2 * MB), writeObject(root, 1000)]);
  const server = await RepoServer.start(dir, {
    stallAfterBytes: MB,
    statusRules: [{ path: new RegExp(failing.path), status: 503 }],
  });
  const before = relayHandles();

  const relay = await ResumeRelay.start({
    upstreamUrl: `${server.url}/repo`,
    cacheDir: path.join(dir, 'cache'),
    backoff: { initialMs: 60000, maxMs: 60000 },
  });
  const downloads = [
    get(relay.url + stalled.path).catch(() => null),
    get(relay.url + failing.path).catch(() => null),
  ];
  await waitFor('a stalled download and a retry waiting', async () => {
    return (await cachedBytes(path.join(dir, 'cache'))) >= MB && relay.stats.attempts >= 2;
  });
  await relay.close();
  await Promise.all(downloads);
  await server.close();

  // Destroyed sockets release their handles a few ticks later; nothing may stay.
  const leftovers = () =>
    Object.entries(relayHandles()).filter(([kind, count]) => count > (before[kind] ?? 0));
  for (let i = 0; i < 50 && leftovers().length > 0; i++) await delay(20);
  t.deepEqual(leftovers(), [], `before: ${JSON.stringify(before)}`);
});
