// SPDX-License-Identifier: LGPL-2.1-or-later
// Temporary directories for tests. Deployments written by libostree carry the immutable attribute, so
// removal always clears it first (chattr may fail on files that never had it: that is fine).
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { ExecutionContext, TestFn } from 'ava';
import { dir } from 'tmp-promise';

const execFileAsync = promisify(execFile);

/** chattr -R -i, then rm -rf. Never fails because of a missing directory. */
export async function removeTree(dir: string): Promise<void> {
  try {
    await execFileAsync('chattr', ['-R', '-f', '-i', dir]);
  } catch {
    // Not every filesystem supports attributes, and chattr exits non-zero on any file it skips.
  }
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** A fresh directory that is removed when the test (or hook) finishes, whatever its outcome. */
export async function makeTempDir(t: ExecutionContext, prefix = 'cairn-test'): Promise<string> {
  const made = await dir({ prefix, unsafeCleanup: true });
  t.teardown(() => removeTree(made.path));
  return made.path;
}

/**
 * A directory shared by all tests of one file, made on first use and removed in `test.after.always`.
 * Call at the top level. For fixtures built in `test.before` hooks (which run concurrently).
 */
export function lazySharedTempDir<Context>(
  test: TestFn<Context>,
  prefix = 'cairn-shared',
): () => Promise<string> {
  let made: Promise<string> | undefined;
  test.after.always(async () => {
    if (made !== undefined) await removeTree(await made);
  });
  return () => {
    made ??= dir({ prefix, unsafeCleanup: true }).then((d) => d.path);
    return made;
  };
}

/**
 * A directory shared by all tests of one file (for costly fixtures such as a release stream): made in a
 * `test.before` hook, removed in `test.after.always`. Call at the top level; use the getter in tests.
 */
export function useSharedTempDir<Context>(test: TestFn<Context>, prefix = 'cairn-shared'): () => string {
  const lazy = lazySharedTempDir(test, prefix);
  let shared: string | undefined;
  test.before(async () => {
    shared = await lazy();
  });
  return () => {
    if (shared === undefined) throw new Error('the shared temporary directory is made in test.before');
    return shared;
  };
}
