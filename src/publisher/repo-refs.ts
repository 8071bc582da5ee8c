// SPDX-License-Identifier: LGPL-2.1-or-later
// Refs of the server repository, read and written through the ostree CLI.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CairnError } from '../errors';
import { OstreeCliError, runOstree } from './ostree-cli';

/**
 * Refs under this prefix only pin commits against `ostree prune` (see prune.ts); they are not release
 * streams and the index skips them: `cairn/checkpoints/<ref>/<commit>` for each checkpoint and
 * `cairn/history/<ref>/<commit>` for the commits a walk to a checkpoint must cross (commits without
 * `cairn.previous-checkpoint`, made by plain `ostree commit`).
 */
export const KEEP_REF_PREFIX = 'cairn/';

export function keepRefName(ref: string, checksum: string): string {
  return `${KEEP_REF_PREFIX}checkpoints/${ref}/${checksum}`;
}

export function historyKeepRefName(ref: string, checksum: string): string {
  return `${KEEP_REF_PREFIX}history/${ref}/${checksum}`;
}

export function isKeepRef(ref: string): boolean {
  return ref.startsWith(KEEP_REF_PREFIX);
}

/** Refuses a path that is not an OSTree repository with 'not-found'. */
export async function assertRepo(repo: string): Promise<void> {
  const present = await Promise.all(
    ['config', 'objects'].map((entry) =>
      stat(join(repo, entry)).then(
        () => true,
        () => false,
      ),
    ),
  );
  if (!present.every(Boolean)) throw new CairnError('not-found', `no OSTree repository at ${repo}`);
}

/** The checksum a local ref points to, or null when there is no such ref. */
export async function resolveRef(repo: string, ref: string): Promise<string | null> {
  try {
    return (await runOstree(repo, ['rev-parse'], [ref])).trim();
  } catch (err) {
    if (err instanceof OstreeCliError && /not found/.test(err.stderr)) return null;
    throw err;
  }
}

/** Every local ref (remote refs `remote:ref` left out) with its checksum, sorted by name. */
export async function listRefs(repo: string): Promise<Map<string, string>> {
  const names = (await runOstree(repo, ['refs']))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.includes(':'))
    .sort();
  const checksums = await Promise.all(names.map((name) => resolveRef(repo, name)));
  const refs = new Map<string, string>();
  names.forEach((name, i) => {
    const checksum = checksums[i];
    if (checksum) refs.set(name, checksum);
  });
  return refs;
}

/** Points ref at checksum, creating or moving it. */
export async function setRef(repo: string, ref: string, checksum: string): Promise<void> {
  await runOstree(repo, ['refs'], ['--force', `--create=${ref}`, checksum]);
}
