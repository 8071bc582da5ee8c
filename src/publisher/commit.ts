// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn repo commit`: `ostree commit` plus the checkpoint keys of DESIGN.md §2, with
// `cairn.previous-checkpoint` always computed from the parent.
import { stat } from 'node:fs/promises';
import { CairnError } from '../errors';
import {
  CHECKPOINT,
  CHECKPOINT_REASON,
  CHECKPOINT_TARGET,
  PREVIOUS_CHECKPOINT,
  VERSION,
} from '../metadata/keys';
import { openCommitReader } from './commit-reader';
import { nearestCheckpoint, readExisting } from './history';
import { type GpgSigning, ostreeCommit } from './ostree-commit';
import { assertRepo, keepRefName, resolveRef, setRef } from './repo-refs';
import { assertChecksum, assertRefName, parseKeyValue, parseTimestamp } from './validate';

/** Keys only cairn writes: a publisher sets them through the dedicated options. */
export const RESERVED_KEYS: readonly string[] = [
  CHECKPOINT,
  CHECKPOINT_REASON,
  PREVIOUS_CHECKPOINT,
  CHECKPOINT_TARGET,
  VERSION,
];

export interface CommitOptions {
  repo: string;
  branch: string;
  /** Directory to commit. */
  tree: string;
  subject?: string;
  body?: string;
  version?: string;
  checkpoint?: boolean;
  reason?: string;
  /** A commit checksum, 'none' for a root commit; default: the branch's tip (none if it has none). */
  parent?: string;
  /** `KEY=VALUE` string metadata. */
  metadataStrings?: string[];
  gpg?: GpgSigning;
  /** ISO 8601. */
  timestamp?: string;
}

export interface CommitResult {
  checksum: string;
  branch: string;
  parent: string | null;
  checkpoint: boolean;
  previousCheckpoint: string | null;
  /** The ref pinning this checkpoint against pruning, null for plain commits. */
  keepRef: string | null;
}

export async function publishCommit(opts: CommitOptions): Promise<CommitResult> {
  assertRefName(opts.branch, 'branch');
  if (opts.reason !== undefined && !opts.checkpoint)
    throw new CairnError('bad-usage', '--reason needs --checkpoint');
  const strings = (opts.metadataStrings ?? []).map(parseKeyValue);
  for (const [key] of strings) {
    if (RESERVED_KEYS.includes(key)) {
      throw new CairnError('bad-usage', `metadata key ${key} is written by cairn; use the dedicated option`);
    }
  }
  const timestamp = opts.timestamp === undefined ? undefined : parseTimestamp(opts.timestamp);
  await assertRepo(opts.repo);
  const isDir = await stat(opts.tree).then(
    (st) => st.isDirectory(),
    () => false,
  );
  if (!isDir) throw new CairnError('not-found', `tree directory ${opts.tree} does not exist`);

  const reader = openCommitReader(opts.repo);
  const parent = await resolveParent(opts.repo, opts.branch, opts.parent);
  if (parent !== null) await readExisting(reader, parent);
  const previousCheckpoint = await nearestCheckpoint(reader, parent);
  const checkpoint = opts.checkpoint === true;

  if (opts.version !== undefined) strings.push([VERSION, opts.version]);
  if (checkpoint && opts.reason !== undefined) strings.push([CHECKPOINT_REASON, opts.reason]);
  // Always written: '' says "no older checkpoint", so planners need not walk the parents to know.
  strings.push([PREVIOUS_CHECKPOINT, previousCheckpoint ?? '']);
  const checksum = await ostreeCommit({
    repo: opts.repo,
    branch: opts.branch,
    tree: `dir=${opts.tree}`,
    parent,
    subject: opts.subject,
    body: opts.body,
    checkpoint,
    strings,
    gpg: opts.gpg,
    timestamp,
  });
  const keepRef = checkpoint ? keepRefName(opts.branch, checksum) : null;
  if (keepRef !== null) await setRef(opts.repo, keepRef, checksum);
  return { checksum, branch: opts.branch, parent, checkpoint, previousCheckpoint, keepRef };
}

async function resolveParent(
  repo: string,
  branch: string,
  parent: string | undefined,
): Promise<string | null> {
  if (parent === 'none') return null;
  if (parent !== undefined) {
    assertChecksum(parent, 'parent');
    return parent;
  }
  return resolveRef(repo, branch);
}
