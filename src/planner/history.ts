// SPDX-License-Identifier: LGPL-2.1-or-later
// Finds the checkpoints in a tip's history that are newer than a commit `from` (DESIGN.md §3.1).
//
// OSTree history is a chain (one parent per commit). The scan starts at the tip and goes older:
// - it hops along `cairn.previous-checkpoint` pointers (signed commit metadata) when present, so a
//   history with pointers costs one load per checkpoint;
// - it walks parents where a pointer is absent: absence is ambiguous (older commits may predate the
//   pointers), so a checkpoint could hide below; an empty pointer ('') states "none older" and ends
//   the scan, and so does the verified summary index (see verifiedIndexFloor);
// - it stops at `from` or at `from`'s own previous checkpoint (everything older is in `from`'s past).
// A hop could jump over `from` itself; it is taken only when that cannot happen (hopIsSafe), else the
// scan walks parents, which is slower but never skips anything.
// Pointers and the index may also name former rename commits (`eos.checkpoint-target` on a commit
// that is no longer a tip): they are hopped through, but are no steps (DESIGN.md §2: no effect).
import { CairnError, isCairnError } from '../errors';
import { isChecksum } from './refs';
import type { PlanningSession } from './session';
import type { CommitMeta } from './types';

/**
 * descendant: `from` was met in the tip's history. assumed: the scan ended on signed evidence (the
 * previous checkpoint of `from`, an explicit "none older", the verified index) without meeting
 * `from`. unrelated: the history ended without `from`; then only checkpoints at least as new as
 * `from` (by timestamp) count.
 */
export type Relation = 'same' | 'descendant' | 'assumed' | 'unrelated';

export interface HistoryScan {
  /** Checkpoints newer than `from`, oldest first; the tip itself is never included. */
  checkpoints: CommitMeta[];
  relation: Relation;
}

type Advance = CommitMeta | { end: 'evidence' | 'history' } | { stop: string };

export async function scanHistory(
  session: PlanningSession,
  from: CommitMeta,
  tip: CommitMeta,
  ref: string,
): Promise<HistoryScan> {
  if (tip.checksum === from.checksum) return { checkpoints: [], relation: 'same' };
  const fromPrevious = session.keys(from).previousCheckpoint;
  const stops = new Set([from.checksum]);
  if (fromPrevious !== null && fromPrevious !== 'none') stops.add(fromPrevious);

  const index = await session.checkpointIndex(ref);
  if (index) await session.prefetch(index.filter(isChecksum));
  let floor: Promise<string | null> | undefined;
  const indexFloor = (): Promise<string | null> => (floor ??= verifiedIndexFloor(session, index, tip));

  // Jumping from a commit to its previous checkpoint P skips the commits between them. `from` cannot
  // be among them when `from` knows its own previous checkpoint (then it would be P, a stop), or
  // states it has none (then P, a checkpoint, is newer), or P is strictly newer than `from`.
  const hopIsSafe = (target: CommitMeta): boolean =>
    fromPrevious !== null || target.timestamp > from.timestamp;

  const visited = new Set([tip.checksum]);
  const advance = async (cursor: CommitMeta): Promise<Advance> => {
    const pointer = session.keys(cursor).previousCheckpoint;
    if (pointer === 'none') return { end: 'evidence' };
    if (pointer !== null) {
      if (stops.has(pointer)) return { stop: pointer };
      const target = await session.tryLoad(pointer);
      // A pointer that dangles, loops or names a commit that is no checkpoint is not followed.
      if (target && !visited.has(target.checksum) && isPointerTarget(session, target) && hopIsSafe(target)) {
        return target;
      }
    } else if ((await indexFloor()) === cursor.checksum) {
      return { end: 'evidence' };
    }
    if (cursor.parent === null) return { end: 'history' };
    return (await session.tryLoad(cursor.parent)) ?? { end: 'history' };
  };

  const newestFirst: CommitMeta[] = [];
  let cursor = tip;
  for (;;) {
    const next = await advance(cursor);
    if ('stop' in next) {
      return {
        checkpoints: newestFirst.reverse(),
        relation: next.stop === from.checksum ? 'descendant' : 'assumed',
      };
    }
    if ('end' in next) {
      if (next.end === 'evidence') return { checkpoints: newestFirst.reverse(), relation: 'assumed' };
      const newer = newestFirst.filter((commit) => commit.timestamp >= from.timestamp);
      return { checkpoints: newer.reverse(), relation: 'unrelated' };
    }
    if (stops.has(next.checksum)) {
      return {
        checkpoints: newestFirst.reverse(),
        relation: next.checksum === from.checksum ? 'descendant' : 'assumed',
      };
    }
    if (visited.has(next.checksum)) {
      throw new CairnError('bad-metadata', `the history of ${tip.checksum} loops at ${next.checksum}`);
    }
    visited.add(next.checksum);
    if (session.keys(next).checkpoint) newestFirst.push(next);
    cursor = next;
  }
}

/** What a publisher's pointer or index may name: a checkpoint or a (possibly former) rename commit. */
function isPointerTarget(session: PlanningSession, commit: CommitMeta): boolean {
  const keys = session.keys(commit);
  return keys.checkpoint || keys.checkpointTarget !== null;
}

/**
 * The summary index is a hint: it is trusted only when the signed pointer chain from the tip visits
 * exactly the listed checkpoints (newest to oldest) and the oldest one has no pointer. It then vouches
 * that nothing older than that commit is a checkpoint, which saves walking the parents below it.
 * Returns that commit (the tip itself for an empty list), or null when the index is absent or wrong.
 */
async function verifiedIndexFloor(
  session: PlanningSession,
  index: string[] | null,
  tip: CommitMeta,
): Promise<string | null> {
  if (!index || !index.every(isChecksum)) return null;
  try {
    let i = index.length - 1;
    let cursor = tip;
    if (i >= 0 && index[i] === tip.checksum) i--;
    else if (isPointerTarget(session, tip)) return null;
    for (; i >= 0; i--) {
      if (session.keys(cursor).previousCheckpoint !== index[i]) return null;
      cursor = await session.load(index[i]);
      if (!isPointerTarget(session, cursor)) return null;
    }
    const oldest = session.keys(cursor).previousCheckpoint;
    return oldest === null || oldest === 'none' ? cursor.checksum : null;
  } catch (err) {
    if (
      isCairnError(err, 'unknown-commit') ||
      isCairnError(err, 'unverified') ||
      isCairnError(err, 'bad-metadata')
    ) {
      return null;
    }
    throw err;
  }
}
