// SPDX-License-Identifier: LGPL-2.1-or-later
// Checkpoints in a commit's history, as the planner sees them: a commit is a checkpoint when it has
// `cairn.checkpoint` true or carries a rename (`eos.checkpoint-target`). Pointers
// (`cairn.previous-checkpoint`) let us hop checkpoint to checkpoint; commits without one (made by plain
// `ostree commit`) are walked parent by parent. History that is not in the repository (pruned) ends
// the walk.
import { CairnError } from '../errors';
import type { CommitFacts, CommitReader } from './commit-reader';

/** The ref named by `eos.checkpoint-target`, without the remote prefix the contract says to ignore. */
export function renameTarget(facts: CommitFacts): string | null {
  if (facts.checkpointTarget === null) return null;
  const colon = facts.checkpointTarget.indexOf(':');
  return colon >= 0 ? facts.checkpointTarget.slice(colon + 1) : facts.checkpointTarget;
}

export function isCheckpointLike(facts: CommitFacts): boolean {
  return facts.checkpoint || renameTarget(facts) !== null;
}

export async function readExisting(reader: CommitReader, checksum: string): Promise<CommitFacts> {
  const facts = await reader.read(checksum);
  if (facts === null) throw new CairnError('not-found', `commit ${checksum} is not in the repository`);
  return facts;
}

/**
 * The nearest checkpoint at or before `start` (start itself when it is one), or null. This is the
 * `cairn.previous-checkpoint` of a new commit whose parent is `start`. When one is found, the commits
 * crossed to reach it go into `trail`: the history that must survive pruning for the walk to work.
 */
export async function nearestCheckpoint(
  reader: CommitReader,
  start: string | null,
  trail?: Set<string>,
): Promise<string | null> {
  const crossed = new Set<string>();
  const found = (checkpoint: string): string => {
    for (const checksum of crossed) trail?.add(checksum);
    return checkpoint;
  };
  for (let current = start; current !== null;) {
    if (crossed.has(current)) throw new CairnError('bad-metadata', `commit ${current} is its own ancestor`);
    const facts = await reader.read(current);
    if (facts === null) return null;
    if (isCheckpointLike(facts)) return found(current);
    crossed.add(current);
    // '' is the publisher's explicit "no older checkpoint"; an absent key means unknown: walk on.
    if (facts.previousCheckpoint === '') return null;
    if (facts.previousCheckpoint !== null) return found(facts.previousCheckpoint);
    current = facts.parent;
  }
  return null;
}

/** The nearest checkpoint strictly older than this commit. */
export async function previousCheckpointOf(
  reader: CommitReader,
  facts: CommitFacts,
  trail?: Set<string>,
): Promise<string | null> {
  if (facts.previousCheckpoint === '') return null;
  return facts.previousCheckpoint ?? nearestCheckpoint(reader, facts.parent, trail);
}

/** Every checkpoint in tip's history (tip included when it is one), oldest first; see nearestCheckpoint for trail. */
export async function checkpointsOf(
  reader: CommitReader,
  tip: string,
  trail?: Set<string>,
): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  for (let current = await nearestCheckpoint(reader, tip, trail); current !== null;) {
    if (seen.has(current)) throw new CairnError('bad-metadata', `checkpoint pointers loop at ${current}`);
    seen.add(current);
    const facts = await reader.read(current);
    if (facts === null) break;
    found.push(current);
    current = await previousCheckpointOf(reader, facts, trail);
  }
  return found.reverse();
}

/** tip's history, newest first, ending before `stopAt`, at the root, or where the repository's history ends. */
export async function historyOf(
  reader: CommitReader,
  tip: string,
  stopAt: string | null = null,
): Promise<CommitFacts[]> {
  const history: CommitFacts[] = [];
  const seen = new Set<string>();
  for (let current: string | null = tip; current !== null && current !== stopAt;) {
    if (seen.has(current)) throw new CairnError('bad-metadata', `commit ${current} is its own ancestor`);
    seen.add(current);
    const facts = await reader.read(current);
    if (facts === null) break;
    history.push(facts);
    current = facts.parent;
  }
  return history;
}
