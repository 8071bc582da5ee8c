// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn repo rename-ref`: ends ref A with a checkpoint commit (A's tree, or a new tree given with
// `tree`, e.g. one that ships a migration hook) that carries `eos.checkpoint-target=B`, then points
// the new ref B at that same commit. Devices on A stop there,
// boot it, and follow B (eos-updater reads the same key, so devices with the old updater do too).
import { stat } from 'node:fs/promises';
import { CairnError } from '../errors';
import { CHECKPOINT_REASON, CHECKPOINT_TARGET, PREVIOUS_CHECKPOINT, VERSION } from '../metadata/keys';
import { openCommitReader } from './commit-reader';
import { nearestCheckpoint, readExisting } from './history';
import { type GpgSigning, ostreeCommit } from './ostree-commit';
import { assertRepo, keepRefName, resolveRef, setRef } from './repo-refs';
import { assertRefName, parseTimestamp } from './validate';

export interface RenameRefOptions {
  repo: string;
  from: string;
  to: string;
  reason?: string;
  /** Default: the version of A's tip. */
  version?: string;
  /** Directory to commit; default: the tree of A's tip, unchanged. */
  tree?: string;
  /** Move B even when it exists. */
  force?: boolean;
  gpg?: GpgSigning;
  /** ISO 8601. */
  timestamp?: string;
}

export interface RenameRefResult {
  checksum: string;
  from: string;
  to: string;
  /** A's tip before the rename: the rename commit's parent. */
  parent: string;
  previousCheckpoint: string | null;
  keepRef: string;
}

export async function renameRef(opts: RenameRefOptions): Promise<RenameRefResult> {
  assertRefName(opts.from, 'source ref');
  assertRefName(opts.to, 'target ref');
  if (opts.from === opts.to) throw new CairnError('bad-usage', 'a ref cannot be renamed to itself');
  const timestamp = opts.timestamp === undefined ? undefined : parseTimestamp(opts.timestamp);
  await assertRepo(opts.repo);
  if (
    opts.tree !== undefined &&
    !(await stat(opts.tree).then(
      (st) => st.isDirectory(),
      () => false,
    ))
  ) {
    throw new CairnError('not-found', `tree directory ${opts.tree} does not exist`);
  }
  const parent = await resolveRef(opts.repo, opts.from);
  if (parent === null) throw new CairnError('not-found', `ref ${opts.from} does not exist`);
  if (!opts.force && (await resolveRef(opts.repo, opts.to)) !== null) {
    throw new CairnError('bad-usage', `ref ${opts.to} already exists (use --force to move it)`);
  }

  const reader = openCommitReader(opts.repo);
  const tip = await readExisting(reader, parent);
  const previousCheckpoint = await nearestCheckpoint(reader, parent);
  const version = opts.version ?? tip.version;
  const strings: [string, string][] = [
    [CHECKPOINT_TARGET, opts.to],
    [CHECKPOINT_REASON, opts.reason ?? `The ${opts.from} release stream continues as ${opts.to}`],
  ];
  if (version !== null) strings.push([VERSION, version]);
  // Always written: '' says "no older checkpoint", so planners need not walk the parents to know.
  strings.push([PREVIOUS_CHECKPOINT, previousCheckpoint ?? '']);

  const checksum = await ostreeCommit({
    repo: opts.repo,
    branch: opts.from,
    // Bound to both names: libostree refuses a pulled commit whose ref binding lacks the pulled ref.
    bindRefs: [opts.to],
    tree: opts.tree === undefined ? `ref=${parent}` : `dir=${opts.tree}`,
    parent,
    subject: `Rename ${opts.from} to ${opts.to}`,
    checkpoint: true,
    strings,
    gpg: opts.gpg,
    timestamp,
  });
  const keepRef = keepRefName(opts.from, checksum);
  await setRef(opts.repo, keepRef, checksum);
  await setRef(opts.repo, opts.to, checksum);
  return { checksum, from: opts.from, to: opts.to, parent, previousCheckpoint, keepRef };
}
