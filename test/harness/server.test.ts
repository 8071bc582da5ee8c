// SPDX-License-Identifier: LGPL-2.1-or-later
import { mkdir, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { seededBytes } from '../helpers/os-tree';
import { type FaultPlan, RepoServer } from '../helpers/server';
import { makeTempDir } from '../helpers/tmp';
import { get } from './http-client';

const SMALL = seededBytes('small', 1000);
const MEDIUM = seededBytes('medium', 30_000);
const BIG = seededBytes('big', 200_000);

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A served directory with a few files of known content, and a secret file just outside it. */
async function serve(t: ExecutionContext, faults?: FaultPlan): Promise<RepoServer> {
  const dir = await makeTempDir(t);
  const root = path.join(dir, 'root');
  await mkdir(path.join(root, 'objects', 'ab'), { recursive: true });
  await writeFile(path.join(root, 'small'), SMALL);
  await writeFile(path.join(root, 'medium'), MEDIUM);
  await writeFile(path.join(root, 'objects', 'ab', 'big.file'), BIG);
  await writeFile(path.join(dir, 'secret'), 'outside the root');
  const server = await RepoServer.start(root, faults);
  t.teardown(() => server.close());
  return server;
}

test('serves files with validators, HEAD, 404, 405 and no directory listing', async (t) => {
  const server = await serve(t);
  const full = await get(`${server.url}/objects/ab/big.file`);
  t.is(full.status, 200);
  t.true(full.body.equals(BIG));
  t.is(full.headers['content-length'], String(BIG.length));
  t.is(full.headers['accept-ranges'], 'bytes');
  t.regex(full.headers.etag ?? '', /^"[^"]+"$/);
  t.truthy(full.headers['last-modified']);

  const head = await get(`${server.url}/small`, { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.body.length, 0);
  t.is(head.headers['content-length'], String(SMALL.length));
  t.is(head.headers.etag, (await get(`${server.url}/small`)).headers.etag);

  t.is((await get(`${server.url}/missing`)).status, 404);
  t.is((await get(`${server.url}/objects`)).status, 404);
  t.is((await get(`${server.url}/objects/`)).status, 404);
  t.is((await get(`${server.url}/small`, { method: 'POST' })).status, 405);
});

test('refuses path traversal', async (t) => {
  const server = await serve(t);
  for (const p of ['/../secret', '/objects/../../secret', '/%2e%2e/secret', '/..%2fsecret', '/small%00']) {
    const reply = await get(`${server.url}${p}`);
    t.is(reply.status, 404, p);
    t.false(reply.body.toString().includes('outside the root'), p);
  }
});

test('serves single byte ranges and refuses unsatisfiable ones', async (t) => {
  const server = await serve(t);
  const url = `${server.url}/medium`;
  const mid = await get(url, { headers: { Range: 'bytes=100-199' } });
  t.is(mid.status, 206);
  t.true(mid.body.equals(MEDIUM.subarray(100, 200)));
  t.is(mid.headers['content-range'], `bytes 100-199/${MEDIUM.length}`);
  t.is(mid.headers['content-length'], '100');

  const open = await get(url, { headers: { Range: 'bytes=29000-' } });
  t.is(open.status, 206);
  t.true(open.body.equals(MEDIUM.subarray(29_000)));

  const suffix = await get(url, { headers: { Range: 'bytes=-10' } });
  t.true(suffix.body.equals(MEDIUM.subarray(MEDIUM.length - 10)));

  const clamped = await get(url, { headers: { Range: 'bytes=29990-40000' } });
  t.is(clamped.headers['content-range'], `bytes 29990-29999/${MEDIUM.length}`);
  t.true(clamped.body.equals(MEDIUM.subarray(29_990)));

  const beyond = await get(url, { headers: { Range: `bytes=${MEDIUM.length}-` } });
  t.is(beyond.status, 416);
  t.is(beyond.headers['content-range'], `bytes */${MEDIUM.length}`);

  const multi = await get(url, { headers: { Range: 'bytes=0-1,5-6' } });
  t.is(multi.status, 200, 'multiple ranges are answered with the whole file');
  t.true(multi.body.equals(MEDIUM));
});

test('honours If-None-Match, If-Modified-Since and If-Range', async (t) => {
  const server = await serve(t);
  const url = `${server.url}/medium`;
  const first = await get(url);
  const etag = String(first.headers.etag);
  const lastModified = String(first.headers['last-modified']);

  const byTag = await get(url, { headers: { 'If-None-Match': etag } });
  t.is(byTag.status, 304);
  t.is(byTag.body.length, 0);
  t.is((await get(url, { headers: { 'If-None-Match': '"other"' } })).status, 200);
  t.is((await get(url, { headers: { 'If-Modified-Since': lastModified } })).status, 304);
  t.is((await get(url, { headers: { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' } })).status, 200);

  const sameRange = await get(url, { headers: { Range: 'bytes=0-9', 'If-Range': etag } });
  t.is(sameRange.status, 206);
  const staleRange = await get(url, { headers: { Range: 'bytes=0-9', 'If-Range': '"stale"' } });
  t.is(staleRange.status, 200);
  t.true(staleRange.body.equals(MEDIUM));
});

test('noRange ignores Range and does not advertise ranges', async (t) => {
  const server = await serve(t, { noRange: true });
  const reply = await get(`${server.url}/medium`, { headers: { Range: 'bytes=100-199' } });
  t.is(reply.status, 200);
  t.true(reply.body.equals(MEDIUM));
  t.is(reply.headers['accept-ranges'], undefined);
  t.is(reply.headers['content-range'], undefined);
});

test('cutAfterBytes cuts every response after N body bytes', async (t) => {
  const server = await serve(t, { cutAfterBytes: 10_000 });
  const cut = await get(`${server.url}/medium`);
  t.is(cut.status, 200);
  t.not(cut.error, null);
  t.true(cut.body.equals(MEDIUM.subarray(0, 10_000)));
  const whole = await get(`${server.url}/small`);
  t.is(whole.error, null, 'responses shorter than N are not cut');
  t.true(whole.body.equals(SMALL));
  const ranged = await get(`${server.url}/medium`, { headers: { Range: 'bytes=25000-' } });
  t.is(ranged.error, null);
  t.true(ranged.body.equals(MEDIUM.subarray(25_000)));

  const records = server.log.filter((r) => r.path === '/medium');
  server.faults = { cutAfterBytes: 0 };
  const immediate = await get(`${server.url}/small`);
  t.is(immediate.body.length, 0);
  t.not(immediate.error, null);
  t.deepEqual(
    records.map((r) => [r.bytesSent, r.aborted]),
    [
      [10_000, true],
      [5_000, false],
    ],
  );
});

test('cutEveryBytes cuts the link each time the total crosses a multiple of N', async (t) => {
  const server = await serve(t, { cutEveryBytes: 50_000 });
  const url = `${server.url}/medium`; // 30000 bytes
  const sizes: number[] = [];
  for (let i = 0; i < 4; i++) {
    const reply = await get(url);
    sizes.push(reply.body.length);
    t.is(reply.error === null, reply.body.length === MEDIUM.length);
    t.true(reply.body.equals(MEDIUM.subarray(0, reply.body.length)));
  }
  // Link position: 30000, 50000 (cut), 80000, 100000 (cut).
  t.deepEqual(sizes, [30_000, 20_000, 30_000, 20_000]);
  t.is(server.bytesServed, 100_000);
});

test('cutEveryBytes counts bytes across parallel connections', async (t) => {
  const every = 149_999;
  const server = await serve(t, { cutEveryBytes: every });
  const replies = await Promise.all([1, 2, 3].map(() => get(`${server.url}/objects/ab/big.file`)));
  const total = replies.reduce((sum, r) => sum + r.body.length, 0);
  const cut = replies.filter((r) => r.error !== null);
  t.is(server.bytesServed, total);
  // Three 200 kB bodies cross the link boundary at least twice; each crossing costs one connection.
  t.true(cut.length >= 2);
  t.is(cut.length, Math.floor(total / every));
  t.true(cut.every((r) => r.body.length < BIG.length && r.body.equals(BIG.subarray(0, r.body.length))));
});

test('statusRules inject statuses on every Nth matching request, at most `times` times', async (t) => {
  const server = await serve(t, {
    statusRules: [
      { path: /^\/medium$/, status: 503, everyNth: 3 },
      { path: /^\/small$/, status: 500, times: 2 },
    ],
  });
  const medium: number[] = [];
  const small: number[] = [];
  for (let i = 0; i < 6; i++) {
    medium.push((await get(`${server.url}/medium`)).status);
    small.push((await get(`${server.url}/small`)).status);
  }
  t.deepEqual(medium, [200, 200, 503, 200, 200, 503]);
  t.deepEqual(small, [500, 500, 200, 200, 200, 200]);
  t.is((await get(`${server.url}/objects/ab/big.file`)).status, 200);

  server.faults = { statusRules: [{ path: /big/, status: 404, everyNth: 2, times: 1 }] };
  const big = [];
  for (let i = 0; i < 5; i++) big.push((await get(`${server.url}/objects/ab/big.file`)).status);
  t.deepEqual(big, [200, 404, 200, 200, 200]);
});

test('stall stops sending on matching paths without closing, until close()', async (t) => {
  const server = await serve(t, { stallAfterBytes: 5_000, stallPaths: /^\/objects\// });
  const stalled = await get(`${server.url}/objects/ab/big.file`, { idleTimeoutMs: 400 });
  t.is(stalled.error, 'idle timeout');
  t.is(stalled.body.length, 5_000);
  t.true(stalled.body.equals(BIG.subarray(0, 5_000)));
  const other = await get(`${server.url}/medium`, { idleTimeoutMs: 2_000 });
  t.is(other.error, null, 'paths that do not match are served in full');
  t.true(other.body.equals(MEDIUM));

  // A stalled response holds its connection open until the server closes.
  const pending = get(`${server.url}/objects/ab/big.file`);
  await until(
    () => server.log.filter((r) => r.path.startsWith('/objects/') && r.bytesSent === 5_000).length === 2,
  );
  const closeStarted = performance.now();
  await server.close();
  const reply = await pending;
  t.not(reply.error, null);
  t.is(reply.body.length, 5_000);
  t.true(performance.now() - closeStarted < 2_000);
});

test('bandwidth cap paces the body, shared by all connections', async (t) => {
  // Lower bounds are what the cap guarantees; upper bounds only catch a runaway (test machines are busy).
  const server = await serve(t, { bandwidthBytesPerSec: 400_000 });
  const capped = await get(`${server.url}/objects/ab/big.file`); // 200 kB: about 500 ms
  t.true(capped.body.equals(BIG));
  t.true(capped.durationMs >= 400 && capped.durationMs < 10_000, `capped took ${capped.durationMs} ms`);

  const started = performance.now();
  const both = await Promise.all([
    get(`${server.url}/objects/ab/big.file`),
    get(`${server.url}/objects/ab/big.file`),
  ]);
  const elapsed = performance.now() - started;
  t.true(both.every((r) => r.body.equals(BIG)));
  t.true(elapsed >= 850 && elapsed < 15_000, `two parallel downloads took ${elapsed} ms`);
});

test('latency delays the start of every response', async (t) => {
  const server = await serve(t, { latencyMs: 250 });
  const ok = await get(`${server.url}/small`);
  const missing = await get(`${server.url}/missing`);
  t.true(ok.durationMs >= 240, `took ${ok.durationMs} ms`);
  t.true(missing.durationMs >= 240, `took ${missing.durationMs} ms`);
  t.is(missing.status, 404);
});

test('wrongContentLength announces more than it sends, truncatePaths sends half', async (t) => {
  const server = await serve(t, { wrongContentLength: /medium/, truncatePaths: /small/ });
  const wrong = await get(`${server.url}/medium`);
  t.true(Number(wrong.headers['content-length']) > MEDIUM.length);
  t.true(wrong.body.equals(MEDIUM));
  t.not(wrong.error, null);

  const truncated = await get(`${server.url}/small`);
  t.is(truncated.headers['content-length'], String(SMALL.length));
  t.true(truncated.body.equals(SMALL.subarray(0, SMALL.length / 2)));
  t.not(truncated.error, null);

  const oneByte = await get(`${server.url}/small`, { headers: { Range: 'bytes=0-0' } });
  t.is(oneByte.body.length, 0, 'half of one byte is nothing');
  t.not(oneByte.error, null);

  const fine = await get(`${server.url}/objects/ab/big.file`);
  t.is(fine.error, null);
});

test('counters and the log follow body bytes; resetCounters zeroes them', async (t) => {
  const server = await serve(t);
  await get(`${server.url}/small`);
  await get(`${server.url}/medium`, { headers: { Range: 'bytes=0-99' } });
  await get(`${server.url}/medium`, { method: 'HEAD' });
  t.is(server.requests, 3);
  t.is(server.bytesServed, SMALL.length + 100);
  t.deepEqual(
    server.log.map((r) => [r.method, r.path, r.status, r.range, r.bytesSent, r.aborted]),
    [
      ['GET', '/small', 200, null, SMALL.length, false],
      ['GET', '/medium', 206, 'bytes=0-99', 100, false],
      ['HEAD', '/medium', 200, null, 0, false],
    ],
  );
  t.true(server.log.every((r) => r.startedAt > 0 && r.durationMs >= 0));
  server.resetCounters();
  t.is(server.requests, 0);
  t.is(server.bytesServed, 0);
  t.is(server.log.length, 0);
});

test('close() destroys idle keep-alive connections', async (t) => {
  const server = await serve(t);
  const agent = new http.Agent({ keepAlive: true });
  t.teardown(() => agent.destroy());
  await get(`${server.url}/small`, { agent });
  const started = performance.now();
  await server.close();
  t.true(performance.now() - started < 1_000);
  const after = await get(`${server.url}/small`);
  t.is(after.status, 0, 'nothing listens after close');
  t.not(after.error, null);
});
