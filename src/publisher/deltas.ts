// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn repo deltas`: the static deltas a fleet needs along a ref's checkpoint path. Devices move
// checkpoint to checkpoint, so the useful deltas are: from the N most recent commits before each
// checkpoint to it, from each checkpoint to the next, and from the last checkpoint and the N most
// recent commits to the tip. A rename (the tip carries `eos.checkpoint-target`) continues the path on
// the target ref.
import { CairnError } from '../errors';
import { type CommitReader, openCommitReader } from './commit-reader';
import { historyOf, isCheckpointLike, readExisting, renameTarget } from './history';
import { runOstree } from './ostree-cli';
import { assertRepo, resolveRef } from './repo-refs';
import { assertRefName } from './validate';

export interface DeltaPair {
  from: string;
  to: string;
}

export interface DeltaEntry extends DeltaPair {
  /** Bytes a client downloads (parts and fallback objects); null when not generated (dry run). */
  sizeBytes: number | null;
}

export interface DeltaReport {
  /** Refs the path crossed, in order (more than one after renames). */
  refs: string[];
  generated: DeltaEntry[];
  skipped: DeltaEntry[];
  dryRun: boolean;
}

export interface DeltaOptions {
  repo: string;
  ref: string;
  /** How many recent commits before each checkpoint (and the tip) get a delta; default 3. */
  recent?: number;
  dryRun?: boolean;
}

/** The update path through history: commits oldest first (the final tip last) and which are checkpoints. */
export interface UpdatePath {
  refs: string[];
  commits: string[];
  checkpoints: Set<string>;
}

/** The delta pairs along a path, in path order, without duplicates. */
export function planDeltaPairs(
  commits: readonly string[],
  checkpoints: ReadonlySet<string>,
  recent: number,
): DeltaPair[] {
  const pairs: DeltaPair[] = [];
  const add = (from: string, to: string): void => {
    if (from !== to && !pairs.some((p) => p.from === from && p.to === to)) pairs.push({ from, to });
  };
  const last = commits.length - 1;
  const stops = commits.flatMap((commit, i) => (checkpoints.has(commit) || i === last ? [i] : []));
  let previousStop = -1;
  for (const stop of stops) {
    const to = commits[stop] as string;
    if (previousStop >= 0) add(commits[previousStop] as string, to);
    for (let i = stop - 1; i > previousStop && i >= stop - recent; i--) add(commits[i] as string, to);
    previousStop = stop;
  }
  return pairs;
}

/** Walks ref's history and follows renames at the tips. */
export async function updatePath(repo: string, ref: string, reader: CommitReader): Promise<UpdatePath> {
  const path: UpdatePath = { refs: [], commits: [], checkpoints: new Set() };
  let stopAt: string | null = null;
  for (let current: string | null = ref; current !== null && !path.refs.includes(current);) {
    const tip = await resolveRef(repo, current);
    if (tip === null) {
      // The first ref must exist; a rename target that does not exist yet just ends the path.
      if (path.refs.length === 0) throw new CairnError('not-found', `ref ${current} does not exist`);
      break;
    }
    path.refs.push(current);
    const segment = (await historyOf(reader, tip, stopAt)).reverse();
    for (const facts of segment) {
      path.commits.push(facts.checksum);
      if (isCheckpointLike(facts)) path.checkpoints.add(facts.checksum);
    }
    current = renameTarget(await readExisting(reader, tip));
    stopAt = tip;
  }
  return path;
}

export async function generateDeltas(opts: DeltaOptions): Promise<DeltaReport> {
  assertRefName(opts.ref);
  const recent = opts.recent ?? 3;
  await assertRepo(opts.repo);
  const path = await updatePath(opts.repo, opts.ref, openCommitReader(opts.repo));
  const existing = await existingDeltas(opts.repo);
  const report: DeltaReport = { refs: path.refs, generated: [], skipped: [], dryRun: opts.dryRun === true };
  for (const pair of planDeltaPairs(path.commits, path.checkpoints, recent)) {
    const name = `${pair.from}-${pair.to}`;
    if (existing.has(name)) {
      report.skipped.push({ ...pair, sizeBytes: await deltaSize(opts.repo, name) });
    } else if (report.dryRun) {
      report.generated.push({ ...pair, sizeBytes: null });
    } else {
      await runOstree(opts.repo, ['static-delta', 'generate'], [`--from=${pair.from}`, `--to=${pair.to}`]);
      report.generated.push({ ...pair, sizeBytes: await deltaSize(opts.repo, name) });
    }
  }
  return report;
}

async function existingDeltas(repo: string): Promise<Set<string>> {
  const listed = await runOstree(repo, ['static-delta', 'list']);
  return new Set(
    listed
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => /^[0-9a-f]{64}(-[0-9a-f]{64})?$/.test(line)),
  );
}

/** "Total Size" of `ostree static-delta show`: all parts plus the fallback objects. */
async function deltaSize(repo: string, name: string): Promise<number> {
  const shown = await runOstree(repo, ['static-delta', 'show'], [name]);
  const match = /^Total Size: (\d+)/m.exec(shown);
  if (match === null)
    throw new CairnError('internal', `ostree static-delta show ${name} printed no total size`);
  return Number(match[1]);
}
