// SPDX-License-Identifier: LGPL-2.1-or-later
// Pulls through the binding from a real HTTP server: progress, cancellation and resumption,
// concurrency and event-loop responsiveness.
//
// Serial on purpose: every in-flight pull occupies one libuv threadpool thread (4 by default), and the
// RepoServer in this same process needs free threads to read the files it serves.
import test from 'ava';
import * as path from 'node:path';

import { AbortError, OstreeError, isAbortError } from '../../src/binding';
import type { PullProgress } from '../../src/binding';
import { fsck } from '../helpers/device';
import { clientRepo, randomPayload, servedStream } from './fixtures';

const MB = 1024 * 1024;

// libostree fetches these with a separate fetcher before the pull's progress-tracked one starts.
const BOOTSTRAP = new Set(['/config', '/summary', '/summary.sig']);

test.serial(
  'progress snapshots arrive and the last one counts every body byte the server sent',
  async (t) => {
    const { dir, server, commit } = await servedStream(t, {
      payload: randomPayload(6, 256 * 1024, 'progress'),
      faults: { bandwidthBytesPerSec: 1 * MB },
    });
    const repo = clientRepo(path.join(dir, 'client'), server.url);
    server.resetCounters();
    const events: PullProgress[] = [];
    await repo.pull('origin', {
      refs: ['os/stable'],
      progressIntervalMs: 0,
      onProgress: (p) => events.push(p),
    });
    t.is(repo.resolveRev('origin:os/stable'), commit);
    // libostree updates its counters once a second; a ~1.5 s pull gives at least one update plus the final one.
    t.true(events.length >= 2, `only ${events.length} progress events`);
    const last = events[events.length - 1];
    const objectBytes = server.log
      .filter((r) => !BOOTSTRAP.has(r.path))
      .reduce((sum, r) => sum + r.bytesSent, 0);
    t.is(last.bytesTransferred, BigInt(objectBytes));
    const bootstrapBytes = server.log
      .filter((r) => BOOTSTRAP.has(r.path))
      .reduce((sum, r) => sum + r.bytesSent, 0);
    t.is(last.bytesTransferred + BigInt(bootstrapBytes), BigInt(server.bytesServed));
    t.true(last.fetched >= 6 && last.fetched === last.requested, `${last.fetched}/${last.requested}`);
    t.true(last.metadataFetched > 0);
    t.is(last.outstandingFetches, 0);
    t.false(last.caughtError);
    t.true(last.startTime > 0n);
    t.is(typeof last.status, 'string');
    for (let i = 1; i < events.length; i++)
      t.true(events[i].bytesTransferred >= events[i - 1].bytesTransferred);
  },
);

test.serial('progressIntervalMs rate-limits snapshots', async (t) => {
  const { dir, server } = await servedStream(t, {
    payload: randomPayload(8, 256 * 1024, 'rate'),
    faults: { bandwidthBytesPerSec: 1 * MB },
  });
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  const times: number[] = [];
  await repo.pull('origin', {
    refs: ['os/stable'],
    progressIntervalMs: 1500,
    onProgress: () => times.push(Date.now()),
  });
  // A ~2 s pull updates about once a second; with a 1.5 s interval all but the final snapshot are
  // at least that far apart (some slack for delivery jitter).
  for (let i = 1; i < times.length - 1; i++)
    t.true(times[i] - times[i - 1] >= 1400, `${times[i] - times[i - 1]} ms`);
  t.true(times.length >= 1 && times.length <= 3, `${times.length} snapshots`);
});

test.serial(
  'an aborted pull rejects with AbortError, leaves a clean repo, and a second pull resumes',
  async (t) => {
    // Many small objects over a slow link: by the first progress update (libostree updates once a
    // second) some objects are complete and many are not.
    const files = 40;
    const { dir, server, commit } = await servedStream(t, {
      payload: randomPayload(files, 64 * 1024, 'abort'),
      faults: { bandwidthBytesPerSec: 1 * MB },
    });
    const repo = clientRepo(path.join(dir, 'client'), server.url);
    server.resetCounters();
    const controller = new AbortController();
    const err = await t.throwsAsync(
      repo.pull('origin', {
        refs: ['os/stable'],
        signal: controller.signal,
        onProgress: (p) => {
          if (p.bytesTransferred > 0n) controller.abort();
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
    const completed = new Set(
      server.log
        .filter((r) => r.path.endsWith('.filez') && r.status === 200 && !r.aborted)
        .map((r) => r.path),
    );
    t.true(
      completed.size > 0 && completed.size < files,
      `${completed.size} objects completed before the abort`,
    );

    server.faults = {};
    server.resetCounters();
    await repo.pull('origin', { refs: ['os/stable'] });
    t.is(repo.resolveRev('origin:os/stable'), commit);
    await fsck(repo.path);
    const refetched = server.log.filter((r) => completed.has(r.path)).length;
    const contentRequests = server.log.filter((r) => r.path.endsWith('.filez')).length;
    t.log(
      `${completed.size} downloaded before the abort, ${refetched} of them again, ${contentRequests} in all`,
    );
    t.true(contentRequests < files, `second pull fetched ${contentRequests} content objects`);
    // Objects whose download finished but whose write was still queued at the abort are lost (libostree
    // drops queued writes on cancel); everything written to the staging dir is reused.
    t.true(refetched < completed.size);
  },
);

test.serial('a pull whose signal is already aborted rejects with AbortError', async (t) => {
  const { dir, server } = await servedStream(t);
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  await t.throwsAsync(repo.pull('origin', { refs: ['os/stable'], signal: AbortSignal.abort() }), {
    instanceOf: AbortError,
  });
});

test.serial('a progress callback that throws cancels the pull with its own error', async (t) => {
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

test.serial('a pull from a remote that does not answer is an OstreeError, not a crash', async (t) => {
  const { dir, server } = await servedStream(t);
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  await t.throwsAsync(repo.pull('origin', { refs: ['os/none'] }), { instanceOf: OstreeError });
  await t.throwsAsync(repo.pull('nowhere', { refs: ['os/stable'] }), { instanceOf: OstreeError });
  await t.throwsAsync(repo.pull('origin', { refs: [] }), { instanceOf: TypeError, message: /options\.refs/ });
});

test.serial('commit-metadata-only pull leaves a partial commit', async (t) => {
  const { dir, server, commit } = await servedStream(t, { payload: randomPayload(2, 64 * 1024, 'meta') });
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  await repo.pull('origin', { refs: ['os/stable'], commitMetadataOnly: true });
  const info = repo.loadCommit(commit);
  t.true(info.partial);
  t.is(info.metadata.version, '1');
  t.is(server.log.filter((r) => r.path.endsWith('.filez')).length, 0);
});

test.serial('two pulls run concurrently and the event loop keeps ticking', async (t) => {
  const bandwidth = 1 * MB;
  const [a, b] = await Promise.all([
    servedStream(t, {
      payload: randomPayload(3, 512 * 1024, 'conc-a'),
      faults: { bandwidthBytesPerSec: bandwidth },
    }),
    servedStream(t, {
      payload: randomPayload(3, 512 * 1024, 'conc-b'),
      faults: { bandwidthBytesPerSec: bandwidth },
    }),
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
    await Promise.all([
      repoA.pull('origin', { refs: ['os/stable'] }),
      repoB.pull('origin', { refs: ['os/stable'] }),
    ]);
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
