// SPDX-License-Identifier: LGPL-2.1-or-later
// The relay finishes files on a bad link: cuts, servers without Range, 5xx bursts, stalls, and it
// gives up with 502 once attempts stop making progress.
import test, { type ExecutionContext } from 'ava';
import path from 'node:path';
import { ResumeRelay, type ResumeRelayOptions } from '../../src/fetch';
import { RepoServer } from '../helpers/server';
import { makeTempDir } from '../helpers/tmp';
import { MB, cachedBytes, get, getWithRetries, writeObject } from './fixtures';

async function setup(t: ExecutionContext, relayOptions: Partial<ResumeRelayOptions> = {}) {
  const dir = await makeTempDir(t, 'cairn-fetch-');
  const root = path.join(dir, 'repo');
  const server = await RepoServer.start(dir);
  t.teardown(() => server.close());
  const logs: string[] = [];
  const relay = await ResumeRelay.start({
    upstreamUrl: `${server.url}/repo`,
    cacheDir: path.join(dir, 'cache'),
    backoff: { initialMs: 5, maxMs: 20 },
    log: (message) => logs.push(message),
    ...relayOptions,
  });
  t.teardown(() => relay.close());
  return { root, server, relay, logs, cacheDir: path.join(dir, 'cache') };
}

test('a 4 MB object completes over a link that cuts every 1 MB, with little refetching', async (t) => {
  const { root, server, relay } = await setup(t);
  const object = await writeObject(root, 4 * MB);
  server.faults = { cutEveryBytes: MB };
  const fetched = await get(relay.url + object.path);
  t.is(fetched.status, 200);
  t.false(fetched.cut);
  t.true(fetched.body.equals(object.body));
  t.true(server.bytesServed <= 1.15 * object.body.length, `upstream sent ${server.bytesServed} bytes`);
  t.true(relay.stats.resumes >= 3);
  const resumed = server.log.filter((r) => r.range !== null && r.status === 206);
  t.true(resumed.length >= 3, 'continued with Range requests');
  t.is(relay.stats.servedBytes, object.body.length);
});

test('a server that ignores Range: the file starts over, then later files stream straight through', async (t) => {
  const { root, server, relay, cacheDir } = await setup(t);
  const [a, b, c] = await Promise.all([2, 2, 2].map((size) => writeObject(root, size * MB)));
  // Rare cuts: the link drops once in the middle of b and once in the middle of c.
  server.faults = { noRange: true, cutEveryBytes: 3 * MB };
  t.true((await get(relay.url + a.path)).body.equals(a.body));
  const fetchedB = await get(relay.url + b.path);
  t.true(fetchedB.body.equals(b.body), 'b completes after starting over');
  t.true(
    server.log.some((r) => r.path.endsWith(b.path) && r.range !== null && r.status === 200),
    'the relay asked for a range and got the whole file',
  );
  // c is cut once in pass-through; the client (libostree) retries it by itself.
  const fetchedC = await getWithRetries(relay.url + c.path, 3);
  t.true(fetchedC.body.equals(c.body));
  t.is(fetchedC.tries, 2, 'the cut reached the client');
  t.true(
    server.log.filter((r) => r.path.endsWith(c.path)).every((r) => r.range === null),
    'no Range requests once the server is known to ignore them',
  );
  t.is(await cachedBytes(cacheDir), a.body.length + b.body.length, 'c was not cached');
});

test('bursts of 5xx are retried inside the relay', async (t) => {
  const { root, server, relay } = await setup(t, { maxAttempts: 5 });
  const object = await writeObject(root, 300 * 1024);
  server.faults = { statusRules: [{ path: /objects/, status: 503, times: 3 }] };
  const fetched = await get(relay.url + object.path);
  t.is(fetched.status, 200);
  t.true(fetched.body.equals(object.body));
  t.is(relay.stats.attempts, 4);
  t.is(server.requests, 4);
});

// Serial: a busy event loop (other tests of this file) could delay chunks past the short stall timeout.
test.serial('a stalled transfer is aborted by the watchdog and resumed at its offset', async (t) => {
  const { root, server, relay, logs } = await setup(t, { stallTimeoutMs: 400 });
  const object = await writeObject(root, 2 * MB);
  // Every response stops after 700 KB without closing the connection.
  server.faults = { stallAfterBytes: 700 * 1024 };
  const fetched = await get(relay.url + object.path);
  t.true(fetched.body.equals(object.body));
  t.true(relay.stats.resumes >= 2);
  t.true(server.log.some((r) => r.range === `bytes=${700 * 1024}-` && r.status === 206));
  t.true(server.bytesServed < 1.4 * object.body.length, `upstream sent ${server.bytesServed} bytes`);
  t.true(logs.some((line) => line.includes('stalled')));
});

test('attempts without progress are limited: 502 after maxAttempts', async (t) => {
  const { root, server, relay } = await setup(t, { maxAttempts: 3 });
  const object = await writeObject(root, 1000);
  server.faults = { statusRules: [{ path: /objects/, status: 500 }] };
  const fetched = await get(relay.url + object.path);
  t.is(fetched.status, 502);
  t.is(relay.stats.attempts, 3);
  t.is(server.log.filter((r) => r.path.endsWith(object.path)).length, 3);
});

test('a mutable file gets the same retry budget and 502', async (t) => {
  const { server, relay } = await setup(t, { maxAttempts: 2 });
  server.faults = { statusRules: [{ path: /summary/, status: 503 }] };
  const fetched = await get(relay.url + 'summary');
  t.is(fetched.status, 502);
  t.is(server.requests, 2);
});

test('cuts that keep bringing new bytes never exhaust the retry budget', async (t) => {
  const { root, server, relay } = await setup(t, { maxAttempts: 2 });
  const object = await writeObject(root, 3 * MB);
  server.faults = { cutAfterBytes: 256 * 1024 };
  const fetched = await get(relay.url + object.path);
  t.true(fetched.body.equals(object.body));
  t.true(relay.stats.attempts >= 12);
});

test('a missing object is a 404 for libostree, not a retry', async (t) => {
  const { server, relay } = await setup(t);
  const fetched = await get(relay.url + `objects/ab/${'c'.repeat(62)}.filez`);
  t.is(fetched.status, 404);
  t.is(server.requests, 1);
});
