// SPDX-License-Identifier: LGPL-2.1-or-later
// Acceptance: every way an update can fail ends with a clear error, exit 1 and a stable code in the
// `--json` output ({error: {code}}), and loses nothing: the state file stays byte-identical where
// cairn must not touch it, the deployments stay as they were, the repository stays consistent.
import { mkdir, readFile, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { STATE_FORMAT_VERSION } from '../../src/state';
import { adminStatus, fsck } from '../helpers/device';
import { run } from '../helpers/exec';
import type { RequestRecord } from '../helpers/server';
import { describe, jsonOf, type CairnResult } from './cli';
import {
  defaultCommit,
  deployments,
  hookRuns,
  makeBench,
  stateFile,
  statusOf,
  tracingHook,
  type Bench,
} from './fixtures';

const MB = 1_000_000;

function errorCode(result: CairnResult): string | undefined {
  return jsonOf<{ error?: { code?: string } }>(result).error?.code;
}

/** Asserts exit 1 with `{error: {code}}` on stdout. */
function assertFails(t: ExecutionContext, result: CairnResult, code: string, what: string): void {
  t.is(result.code, 1, `${what}: ${describe(result)}`);
  t.is(errorCode(result), code, `${what}: ${describe(result)}`);
}

/** Object and delta downloads (commit objects travel while planning: they do not count). */
function isContent(record: RequestRecord): boolean {
  return /\.(filez|dirtree|dirmeta)$|\/deltas\//.test(record.path);
}

/**
 * Bytes the server sent more than once: per file, everything sent beyond the file's size. Files are
 * static, so a perfect resume sends each byte once whatever the number of requests.
 */
async function resentBytes(bench: Bench): Promise<number> {
  const sent = new Map<string, number>();
  for (const record of bench.server.log) {
    if (record.method === 'GET') sent.set(record.path, (sent.get(record.path) ?? 0) + record.bytesSent);
  }
  let resent = 0;
  for (const [urlPath, bytes] of sent) {
    const size = (await readFile(path.join(bench.stream.repoPath, urlPath)).catch(() => Buffer.alloc(0)))
      .length;
    resent += Math.max(0, bytes - size);
  }
  return resent;
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const contentBytes = (bench: Bench) =>
  bench.server.log.filter(isContent).reduce((sum, record) => sum + record.bytesSent, 0);

test('a state file from a newer cairn is refused by every command and left untouched', async (t) => {
  const bench = await makeBench(t, [{ version: '1' }, { version: '2' }]);
  const file = stateFile(bench.device);
  await mkdir(path.dirname(file), { recursive: true });
  const future = `${JSON.stringify({ formatVersion: 99, writtenBy: 'cairn 99.0', steps: [], future: { x: 1 } })}\n`;
  await writeFile(file, future);
  const before = await adminStatus(bench.device);
  for (const command of ['update', 'check', 'fetch', 'deploy', 'boot-hooks', 'status']) {
    const result = await bench.cli(['--json', command]);
    assertFails(t, result, 'state-too-new', command);
    const { message } = jsonOf<{ error: { message: string } }>(result).error;
    t.regex(message, /\b99\b/, `${command}: the message names the file's version`);
    t.regex(
      message,
      new RegExp(`\\b${STATE_FORMAT_VERSION}\\b`),
      `${command}: and the version this cairn knows`,
    );
  }
  t.is(await readFile(file, 'utf8'), future);
  t.is(await adminStatus(bench.device), before);
});

for (const [name, damage] of [
  ['garbage', (file: string) => writeFile(file, Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x7b]))],
  ['truncated JSON', async (file: string) => truncate(file, Math.floor((await readFile(file)).length / 2))],
] as const) {
  test(`a corrupt state file (${name}) is refused and left untouched`, async (t) => {
    const bench = await makeBench(t, [{ version: '1' }, { version: '2' }]);
    const check = await bench.cli(['check']); // writes a real state file to damage
    t.is(check.code, 0, describe(check));
    const file = stateFile(bench.device);
    await damage(file);
    const damaged = await readFile(file);
    const before = await adminStatus(bench.device);
    for (const command of ['update', 'boot-hooks', 'status']) {
      assertFails(t, await bench.cli(['--json', command]), 'state-corrupt', command);
    }
    t.deepEqual(await readFile(file), damaged);
    t.is(await adminStatus(bench.device), before);
  });
}

test('a failing checkpoint hook keeps the device on the checkpoint, retried up to max-retries', async (t) => {
  const bench = await makeBench(
    t,
    [
      { version: '1' },
      { version: '2', checkpoint: true, hooks: { '10-broken': tracingHook('broken', 3) } },
      { version: '3' },
    ],
    { config: '[hooks]\nmax-retries=1\n' },
  );
  const [, v2, v3] = bench.commits;
  const deploy = await bench.cli(['update']);
  t.is(deploy.code, 4, describe(deploy));
  t.is(await defaultCommit(bench.device), v2);
  const onCheckpoint = await adminStatus(bench.device);

  // First boot: the hook fails; one retry is left, so the device waits for the next boot.
  assertFails(t, await bench.cli(['--json', 'boot-hooks']), 'hook-failed', 'boot-hooks, boot 1');
  let status = await statusOf(bench.cli);
  t.is(status.state, 'reboot-required');
  t.is(status.lastError?.code, 'hook-failed');
  t.deepEqual(
    status.hooks.map((h) => [h.name, h.status, h.exitCode]),
    [['10-broken', 'failed', 3]],
  );
  const waiting = await bench.cli(['--json', 'update']);
  t.is(waiting.code, 4, `update with a retry left: ${describe(waiting)}`);

  // Second boot: fails again; the retries are used up and the device is blocked on v2.
  assertFails(t, await bench.cli(['--json', 'boot-hooks']), 'hook-failed', 'boot-hooks, boot 2');
  assertFails(t, await bench.cli(['--json', 'update']), 'hook-failed', 'update after the last retry');
  assertFails(t, await bench.cli(['--json', 'check']), 'hook-failed', 'check after the last retry');
  const third = await bench.cli(['boot-hooks']);
  t.is(third.code, 1, `boot-hooks gives up: ${describe(third)}`);
  status = await statusOf(bench.cli);
  t.is(status.state, 'hooks-failed');
  t.is(status.current.commit, v2);
  t.is(status.lastError?.code, 'hook-failed');

  t.is(await hookRuns(bench.device, 'broken'), 2, 'the hook ran on the first boot and on the one retry');
  t.is(await adminStatus(bench.device), onCheckpoint, 'nothing newer was deployed');
  t.false((await deployments(bench.device)).some((d) => d.startsWith(v3)));
});

test('a hook that outlives hooks.timeout is killed and reported as hook-timeout', async (t) => {
  const sleeper = `#!/bin/sh\necho "sleeper $CAIRN_TO_COMMIT" >> "$CAIRN_VAR/hooks.log"\nsleep 30\n`;
  const bench = await makeBench(
    t,
    [
      { version: '1' },
      { version: '2', checkpoint: true, hooks: { '10-sleeper': sleeper } },
      { version: '3' },
    ],
    { config: '[hooks]\ntimeout=1s\nmax-retries=1\n' },
  );
  const [, v2] = bench.commits;
  t.is((await bench.cli(['update'])).code, 4);
  const onCheckpoint = await adminStatus(bench.device);
  const started = Date.now();
  assertFails(t, await bench.cli(['--json', 'boot-hooks']), 'hook-timeout', 'boot-hooks');
  const seconds = (Date.now() - started) / 1000;
  t.true(seconds < 15, `the hook was stopped after ${seconds} s, not after its 30 s`);
  const status = await statusOf(bench.cli);
  t.is(status.current.commit, v2);
  t.is(status.lastError?.code, 'hook-timeout');
  t.is((await bench.cli(['update'])).code, 4, 'a retry is left: wait for the next boot');
  t.is(await adminStatus(bench.device), onCheckpoint);
});

test('a step larger than the free space fails with no-space before downloading anything', async (t) => {
  const bench = await makeBench(
    t,
    [
      { version: '1' },
      { version: '2', payload: [{ path: 'usr/share/bench/big.bin', size: 12 * MB, random: true }] },
    ],
    {
      mountDevice: async (sysroot) => {
        await mkdir(sysroot, { recursive: true });
        await run('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', sysroot]);
        // Registered after makeTempDir's removal, so it runs before it (teardowns run in reverse).
        t.teardown(() => run('umount', ['--lazy', sysroot]).then(() => undefined));
      },
    },
  );
  const before = await adminStatus(bench.device);
  const result = await bench.cli(['--json', 'update']);
  assertFails(t, result, 'no-space', 'update');
  t.deepEqual(
    bench.server.log.filter(isContent).map((r) => r.path),
    [],
    'no file object or delta was requested',
  );
  t.is(await adminStatus(bench.device), before);
  t.is((await statusOf(bench.cli)).lastError?.code, 'no-space');
  await t.notThrowsAsync(fsck(bench.device.repoPath));
});

/** v1 and a v2 that adds one incompressible file of `size` bytes; served at `bandwidth` bytes/s. */
async function slowStep(t: ExecutionContext, size: number, bandwidth: number): Promise<Bench> {
  const bench = await makeBench(t, [
    { version: '1' },
    { version: '2', payload: [{ path: 'usr/share/bench/big.bin', size, random: true }] },
  ]);
  bench.server.faults = { bandwidthBytesPerSec: bandwidth };
  return bench;
}

test('cancel mid-fetch: exit 1 (cancelled), nothing deployed, and the next update resumes', async (t) => {
  const size = 3 * MB;
  const bench = await slowStep(t, size, 0.5 * MB);
  const before = await adminStatus(bench.device);
  const update = bench.cli.start(['--json', 'update']);
  await waitFor('the download to be under way', () => contentBytes(bench) > 0.2 * size);
  const cancel = await bench.cli(['cancel']);
  t.is(cancel.code, 0, describe(cancel));
  const cancelledAt = Date.now();
  const cancelled = await update.done;
  const latency = Date.now() - cancelledAt;
  t.true(latency < 5000, `update stopped ${latency} ms after the cancel`);
  assertFails(t, cancelled, 'cancelled', 'the cancelled update');
  const firstBytes = contentBytes(bench);
  t.true(firstBytes < size, `cancelled mid-fetch, after ${firstBytes} of ${size} bytes`);
  await t.notThrowsAsync(fsck(bench.device.repoPath));
  t.is(await adminStatus(bench.device), before);
  t.is((await statusOf(bench.cli)).lastError?.code, 'cancelled');

  bench.server.faults = {};
  const again = await bench.cli(['update']);
  t.is(again.code, 4, describe(again));
  t.is(await defaultCommit(bench.device), bench.commits[1]);
  const resent = await resentBytes(bench);
  t.log(
    `first run ${firstBytes} bytes, second ${contentBytes(bench) - firstBytes}, resent ${resent} of ${size}`,
  );
  t.true(resent <= 0.05 * size, `resent ${resent} bytes of a ${size}-byte step`);
  await t.notThrowsAsync(fsck(bench.device.repoPath));
});

test('kill -9 mid-fetch, then update again: at most 5% of the step is downloaded twice', async (t) => {
  // Large enough that the bytes in the socket buffers when the process dies stay well under 5%.
  const size = 6 * MB;
  const bench = await slowStep(t, size, 2 * MB);
  const before = await adminStatus(bench.device);
  const update = bench.cli.start(['update']);
  await waitFor('the download to be under way', () => contentBytes(bench) > 0.4 * size);
  update.child.kill('SIGKILL');
  const killed = await update.done;
  t.is(killed.signal, 'SIGKILL');
  const firstBytes = contentBytes(bench);
  t.is(await adminStatus(bench.device), before);

  bench.server.faults = {};
  const again = await bench.cli(['update']);
  t.is(again.code, 4, describe(again));
  t.is(await defaultCommit(bench.device), bench.commits[1]);
  const resent = await resentBytes(bench);
  t.log(
    `killed after ${firstBytes} bytes; restart fetched ${contentBytes(bench) - firstBytes}; ` +
      `downloaded twice: ${resent} bytes = ${((100 * resent) / size).toFixed(2)}% of the ${size}-byte step`,
  );
  t.true(resent <= 0.05 * size);
  await t.notThrowsAsync(fsck(bench.device.repoPath));
});

test('bad usage exits 2', async (t) => {
  const bench = await makeBench(t, [{ version: '1' }]);
  for (const args of [
    ['update', '--no-such-option'],
    ['frobnicate'],
    ['fetch', '--max-download-attempts', '0'],
  ]) {
    const result = await bench.cli(args);
    t.is(result.code, 2, `${args.join(' ')}: ${describe(result)}`);
    t.not(result.stderr.trim(), '', `${args.join(' ')} says what is wrong`);
  }
});

test('update on an up-to-date device exits 3 and changes nothing', async (t) => {
  const bench = await makeBench(t, [{ version: '1' }]);
  const before = await adminStatus(bench.device);
  const update = await bench.cli(['--json', 'update']);
  t.is(update.code, 3, describe(update));
  t.is(jsonOf<{ state: string }>(update).state, 'up-to-date');
  t.is((await bench.cli(['check'])).code, 3);
  t.is(await adminStatus(bench.device), before);
});
