// SPDX-License-Identifier: LGPL-2.1-or-later
// Pulls through the binding from a real HTTP server: progress, cancellation and resumption,
// concurrency and event-loop responsiveness.
import test from 'ava';
import * as path from 'node:path';

import { AbortError, OstreeError, isAbortError } from '../../src/binding';
import type { PullProgress } from '../../src/binding';
import { fsck } from '../helpers/device';
import { clientRepo, randomPayload, servedStream } from './fixtures';

const MB = 1024 * 1024;

test('progress snapshots arrive and the last one counts every body byte the server sent', async (t) => {
  const { dir, server, commit } = await servedStream(t, { payload: randomPayload(6, 256 * 1024, 'progress') });
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  server.resetCounters();
  const events: PullProgress[] = [];
  await repo.pull('origin', { refs: ['os/stable'], progressIntervalMs: 0, onProgress: (p) => events.push(p) });
  t.is(repo.resolveRev('origin:os/stable'), commit);
  t.true(events.length >= 2, `only ${events.length} progress events`);
  const last = events[events.length - 1];
  t.is(last.bytesTransferred, BigInt(server.bytesServed));
  t.true(last.fetched >= 6 && last.fetched === last.requested, `${last.fetched}/${last.requested}`);
  t.true(last.metadataFetched > 0);
  t.is(last.outstandingFetches, 0);
  t.false(last.caughtError);
  t.true(last.startTime > 0n);
  t.is(typeof last.status, 'string');
  for (let i = 1; i < events.length; i++) t.true(events[i].bytesTransferred >= events[i - 1].bytesTransferred);
});

test('progressIntervalMs rate-limits snapshots', async (t) => {
  const { dir, server } = await servedStream(t, {
    payload: randomPayload(8, 128 * 1024, 'rate'),
    faults: { bandwidthBytesPerSec: 2 * MB },
  });
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  const times: number[] = [];
  await repo.pull('origin', { refs: ['os/stable'], progressIntervalMs: 250, onProgress: () => times.push(Date.now()) });
  // All but the final snapshot are at least the interval apart (with slack for delivery jitter).
  for (let i = 1; i < times.length - 1; i++) t.true(times[i] - times[i - 1] >= 200, `${times[i] - times[i - 1]} ms`);
  t.true(times.length >= 1);
});

test('an aborted pull rejects with AbortError, leaves a clean repo, and a second pull resumes', async (t) => {
  const files = 10;
  const { dir, server, commit } = await servedStream(t, {
    payload: randomPayload(files, 512 * 1024, 'abort'),
    faults: { bandwidthBytesPerSec: 2 * MB },
  });
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  const controller = new AbortController();
  const err = await t.throwsAsync(
    repo.pull('origin', {
      refs: ['os/stable'],
      progressIntervalMs: 50,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesTransferred > BigInt(2 * MB)) controller.abort();
      },
    }),
  );
  t.true(isAbortError(err));
  t.true(err instanceof AbortError);
  t.is((err as AbortError).code, 'ABORT_ERR');
  const cause = (err as Error).cause as OstreeError;
  t.true(cause instanceof OstreeError);
  t.is(cause.code, 'G_IO_ERROR_CANCELLED');
  t.regex(err?.stack ?? '', /pull\.test/);
  t.is(repo.resolveRev('origin:os/stable', true), null);
  await fsck(repo.path);

  server.faults = {};
  server.resetCounters();
  await repo.pull('origin', { refs: ['os/stable'] });
  t.is(repo.resolveRev('origin:os/stable'), commit);
  await fsck(repo.path);
  const contentRequests = server.log.filter((r) => r.path.endsWith('.filez')).length;
  // The tree has the payload plus a handful of small OS files; the payload alone is `files` objects.
  t.true(contentRequests < files, `second pull fetched ${contentRequests} content objects`);
});

test('a pull whose signal is already aborted rejects with AbortError', async (t) => {
  const { dir, server } = await servedStream(t);
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  await t.throwsAsync(repo.pull('origin', { refs: ['os/stable'], signal: AbortSignal.abort() }), {
    instanceOf: AbortError,
  });
});

test('a progress callback that throws cancels the pull with its own error', async (t) => {
  const { dir, server } = await servedStream(t, {
    payload: randomPayload(4, 512 * 1024, 'throw'),
    faults: { bandwidthBytesPerSec: 2 * MB },
  });
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  const boom = new Error('boom');
  const err = await t.throwsAsync(
    repo.pull('origin', {
      refs: ['os/stable'],
      onProgress: () => {
        throw boom;
      },
    }),
  );
  t.is(err, boom);
});

test('a pull from a remote that does not answer is an OstreeError, not a crash', async (t) => {
  const { dir, server } = await servedStream(t);
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  await t.throwsAsync(repo.pull('origin', { refs: ['os/none'] }), { instanceOf: OstreeError });
  await t.throwsAsync(repo.pull('nowhere', { refs: ['os/stable'] }), { instanceOf: OstreeError });
  t.throws(() => repo.pull('origin', { refs: [] }) as unknown as void, { instanceOf: TypeError });
});

test('commit-metadata-only pull leaves a partial commit', async (t) => {
  const { dir, server, commit } = await servedStream(t, { payload: randomPayload(2, 64 * 1024, 'meta') });
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  await repo.pull('origin', { refs: ['os/stable'], commitMetadataOnly: true });
  const info = repo.loadCommit(commit);
  t.true(info.partial);
  t.is(info.metadata.version, '1');
  t.is(server.log.filter((r) => r.path.endsWith('.filez')).length, 0);
});

test('two pulls run concurrently and the event loop keeps ticking', async (t) => {
  const bandwidth = 1 * MB;
  const [a, b] = await Promise.all([
    servedStream(t, { payload: randomPayload(3, 512 * 1024, 'conc-a'), faults: { bandwidthBytesPerSec: bandwidth } }),
    servedStream(t, { payload: randomPayload(3, 512 * 1024, 'conc-b'), faults: { bandwidthBytesPerSec: bandwidth } }),
  ]);
  const repoA = clientRepo(path.join(a.dir, 'client'), a.server.url);
  const repoB = clientRepo(path.join(b.dir, 'client'), b.server.url);
  a.server.resetCounters();
  b.server.resetCounters();
  let maxDelay = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxDelay = Math.max(maxDelay, now - last - 10);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    await Promise.all([repoA.pull('origin', { refs: ['os/stable'] }), repoB.pull('origin', { refs: ['os/stable'] })]);
  } finally {
    clearInterval(timer);
  }
  const wall = performance.now() - started;
  // Each server's link alone needs bytes/bandwidth; pulls run one after the other would need the sum.
  const minA = (a.server.bytesServed / bandwidth) * 1000;
  const minB = (b.server.bytesServed / bandwidth) * 1000;
  t.true(wall >= Math.max(minA, minB) * 0.9, `wall ${wall} ms`);
  t.true(wall < (minA + minB) * 0.8, `wall ${wall} ms, serial would be ${minA + minB} ms`);
  t.true(maxDelay < 50, `event loop delayed ${maxDelay} ms`);
});
