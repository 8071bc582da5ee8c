// SPDX-License-Identifier: LGPL-2.1-or-later
/**
 * `cairn repo prune`: prune the server repository without ever deleting a checkpoint commit.
 *
 * Keeping checkpoints from being pruned: `ostree prune` has no keep list; it keeps what refs reach,
 * and with `--keep-younger-than` it deletes older commits unless a ref points at them. So every
 * checkpoint gets its own ref, `cairn/checkpoints/<ref>/<commit>`: `cairn repo commit --checkpoint` and
 * `cairn repo rename-ref` create it with the commit. `cairn repo prune` first adds the missing ones
 * (checkpoints made with other tools) and `cairn/history/<ref>/<commit>` refs for the commits a walk
 * to the previous checkpoint must cross (commits without `cairn.previous-checkpoint`), then runs
 * `ostree prune --refs-only` (with `--keep-younger-than` when asked). Old commits go, checkpoints and
 * the links between them stay, so a device on any old release still finds every checkpoint on its
 * way. When pruning by hand: never delete the `cairn/` refs, and run `cairn repo prune` (or at least
 * `cairn repo index`) after making checkpoints with plain `ostree commit`.
 */
import { CairnError } from '../errors';
import { openCommitReader } from './commit-reader';
import { checkpointsOf } from './history';
import { runOstree } from './ostree-cli';
import { assertRepo, historyKeepRefName, isKeepRef, keepRefName, listRefs, setRef } from './repo-refs';

export interface PruneOptions {
  repo: string;
  /** Delete commits older than this many days (checkpoints and ref tips excepted). */
  keepYoungerThanDays?: number;
  /** The moment "days ago" counts from; default now. */
  now?: Date;
}

export interface PruneResult {
  /** Every checkpoint commit (all refs), each kept. */
  checkpoints: string[];
  /** Keep refs this run had to add. */
  keepRefsCreated: string[];
  /** As reported by `ostree prune`. */
  objectsDeleted: number;
  bytesFreed: number;
}

export async function pruneRepo(opts: PruneOptions): Promise<PruneResult> {
  const days = opts.keepYoungerThanDays;
  if (days !== undefined && (!Number.isFinite(days) || days < 0)) {
    throw new CairnError('bad-usage', `--keep-younger-than must be a number of days, got ${days}`);
  }
  await assertRepo(opts.repo);
  const reader = openCommitReader(opts.repo);
  const refs = await listRefs(opts.repo);
  const pinned = new Set<string>();
  for (const [ref, checksum] of refs) if (isKeepRef(ref)) pinned.add(checksum);

  const keepRefsCreated: string[] = [];
  const pin = async (name: string, checksum: string): Promise<void> => {
    if (pinned.has(checksum)) return;
    await setRef(opts.repo, name, checksum);
    pinned.add(checksum);
    keepRefsCreated.push(name);
  };
  const checkpoints = new Set<string>();
  for (const [ref, tip] of refs) {
    if (isKeepRef(ref)) continue;
    const trail = new Set<string>();
    for (const checksum of await checkpointsOf(reader, tip, trail)) {
      checkpoints.add(checksum);
      await pin(keepRefName(ref, checksum), checksum);
    }
    trail.delete(tip);
    for (const checksum of trail) await pin(historyKeepRefName(ref, checksum), checksum);
  }

  const args = ['--refs-only'];
  if (days !== undefined) args.push(`--keep-younger-than=${cutoff(opts.now ?? new Date(), days)}`);
  const output = await runOstree(opts.repo, ['prune'], args);
  const deleted = /Deleted (\d+) objects, (\d+) bytes freed/.exec(output);
  return {
    checkpoints: [...checkpoints],
    keepRefsCreated,
    objectsDeleted: deleted ? Number(deleted[1]) : 0,
    bytesFreed: deleted ? Number(deleted[2]) : 0,
  };
}

/** The date `days` before now, in the form ostree's date parser reads. */
function cutoff(now: Date, days: number): string {
  const at = new Date(now.getTime() - days * 86_400_000).toISOString();
  return `${at.slice(0, 10)} ${at.slice(11, 19)} +0000`;
}
