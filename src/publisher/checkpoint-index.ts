// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn repo index`: the summary metadata `cairn.checkpoints` (a{sas}: ref to its checkpoint commits,
// oldest first), written with `ostree summary -u --add-metadata` (supported by libostree 2022.7).
// A plain `ostree summary -u` later drops it: run `cairn repo index` whenever refs change.
import { SUMMARY_CHECKPOINTS } from '../metadata/keys';
import { openCommitReader } from './commit-reader';
import { formatStringListMap } from './gvariant-text';
import { checkpointsOf } from './history';
import { type GpgSigning, gpgArgs } from './ostree-commit';
import { runOstree } from './ostree-cli';
import { assertRepo, isKeepRef, listRefs } from './repo-refs';

/** Ref name to its checkpoint commits, oldest first. Every ref is listed, with [] when it has none. */
export type CheckpointIndex = Record<string, string[]>;

export async function buildCheckpointIndex(repo: string): Promise<CheckpointIndex> {
  await assertRepo(repo);
  const reader = openCommitReader(repo);
  const index: CheckpointIndex = {};
  for (const [ref, tip] of await listRefs(repo)) {
    if (!isKeepRef(ref)) index[ref] = await checkpointsOf(reader, tip);
  }
  return index;
}

/** Builds the index, regenerates the summary with it (signed when a key is given) and returns it. */
export async function writeCheckpointIndex(opts: {
  repo: string;
  gpg?: GpgSigning;
}): Promise<CheckpointIndex> {
  const index = await buildCheckpointIndex(opts.repo);
  await runOstree(
    opts.repo,
    ['summary'],
    ['--update', `--add-metadata=${SUMMARY_CHECKPOINTS}=${formatStringListMap(index)}`, ...gpgArgs(opts.gpg)],
  );
  return index;
}
