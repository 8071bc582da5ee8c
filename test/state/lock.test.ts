// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isCairnError } from '../../src/errors';
import { acquireOperationLock } from '../../src/state';
import { makeTempDir } from '../helpers/tmp';

const HOLDER = path.join(__dirname, 'helpers', 'lock-holder.js');

/** Starts a process that holds the lock of `stateDir`; resolves once it has it. */
async function startHolder(stateDir: string, purpose: string, holdMs?: number) {
  const args = [HOLDER, stateDir, purpose, ...(holdMs === undefined ? [] : [String(holdMs)])];
  const child = spawn(process.execPath, args) as ChildProcessWithoutNullStreams;
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`lock holder exited early with ${code}`)));
  });
  return child;
}

test('a second process gets busy with the holder pid; SIGKILL of the holder releases the lock', async (t) => {
  const stateDir = path.join(await makeTempDir(t, 'cairn-lock-'), 'lib', 'cairn');
  const holder = await startHolder(stateDir, 'fetch');
  t.teardown(() => holder.kill('SIGKILL'));
  const err = await t.throwsAsync(acquireOperationLock(stateDir, { wait: false }));
  t.true(isCairnError(err, 'busy'));
  t.regex(err.message, new RegExp(`fetch, pid ${holder.pid}\\b`));

  holder.kill('SIGKILL');
  await once(holder, 'exit');
  const release = await acquireOperationLock(stateDir, { wait: false });
  await release();
});

test('a waiter gets the lock when the holder releases it', async (t) => {
  const stateDir = await makeTempDir(t, 'cairn-lock-');
  const holder = await startHolder(stateDir, 'deploy', 400);
  t.teardown(() => holder.kill('SIGKILL'));
  const started = Date.now();
  const release = await acquireOperationLock(stateDir, { wait: true, pollMs: 20 });
  // The holder keeps the lock 400 ms after saying "locked"; allow for that message's delivery time.
  t.true(Date.now() - started >= 250, `the waiter got the lock after ${Date.now() - started} ms`);
  const code = holder.exitCode ?? (await once(holder, 'exit'))[0];
  t.is(code, 0);
  await release();
});

test('the lock is per state directory, and every path to the directory is the same lock', async (t) => {
  const base = await makeTempDir(t, 'cairn-lock-');
  const one = path.join(base, 'one');
  const other = path.join(base, 'other');
  const alias = path.join(base, 'alias');
  const release = await acquireOperationLock(one, { wait: false, purpose: 'check' });
  t.teardown(release);
  await fs.symlink(one, alias);
  const err = await t.throwsAsync(acquireOperationLock(alias, { wait: false }));
  t.true(isCairnError(err, 'busy'));
  t.regex(err.message, new RegExp(`check, pid ${process.pid}\\b`));
  const releaseOther = await acquireOperationLock(other, { wait: false });
  await releaseOther();
});

test('release frees the lock at once and is idempotent', async (t) => {
  const stateDir = await makeTempDir(t, 'cairn-lock-');
  const release = await acquireOperationLock(stateDir, { wait: false });
  await release();
  await release();
  const again = await acquireOperationLock(stateDir, { wait: false });
  await again();
  t.pass();
});

test('a waiter stops with cancelled when its signal aborts', async (t) => {
  const stateDir = await makeTempDir(t, 'cairn-lock-');
  const release = await acquireOperationLock(stateDir, { wait: false });
  t.teardown(release);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  const started = Date.now();
  const err = await t.throwsAsync(
    acquireOperationLock(stateDir, { wait: true, pollMs: 1000, signal: controller.signal }),
  );
  t.true(isCairnError(err, 'cancelled'));
  t.true(Date.now() - started < 900, 'the abort did not cut the poll interval short');
});
