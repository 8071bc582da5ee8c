// SPDX-License-Identifier: LGPL-2.1-or-later
// Reading what the publisher needs from a commit (its parent and the checkpoint keys of DESIGN.md §2)
// behind one interface, so the source (the native binding today) is one swap away.
import { Repo } from '../binding';
import { CairnError } from '../errors';
import {
  CHECKPOINT,
  CHECKPOINT_REASON,
  CHECKPOINT_TARGET,
  PREVIOUS_CHECKPOINT,
  VERSION,
} from '../metadata/keys';

export interface CommitFacts {
  checksum: string;
  parent: string | null;
  /** `cairn.checkpoint` is true. */
  checkpoint: boolean;
  reason: string | null;
  previousCheckpoint: string | null;
  /** `eos.checkpoint-target` as written (a remote prefix is kept; see renameTarget). */
  checkpointTarget: string | null;
  version: string | null;
}

export interface CommitReader {
  /** The commit's facts, or null when its object is not in the repository (pruned, never pulled). */
  read(checksum: string): Promise<CommitFacts | null>;
}

/** Builds the facts from a commit's metadata, refusing keys of the wrong type. */
export function factsFromMetadata(
  checksum: string,
  parent: string | null,
  metadata: Record<string, unknown>,
): CommitFacts {
  const text = (key: string): string | null => {
    const value = metadata[key];
    if (value === undefined) return null;
    if (typeof value !== 'string') throw wrongType(checksum, key, 's');
    return value;
  };
  const checkpoint = metadata[CHECKPOINT];
  if (checkpoint !== undefined && typeof checkpoint !== 'boolean') throw wrongType(checksum, CHECKPOINT, 'b');
  return {
    checksum,
    parent,
    checkpoint: checkpoint === true,
    reason: text(CHECKPOINT_REASON),
    previousCheckpoint: text(PREVIOUS_CHECKPOINT),
    checkpointTarget: text(CHECKPOINT_TARGET),
    version: text(VERSION),
  };
}

function wrongType(checksum: string, key: string, type: string): CairnError {
  return new CairnError('bad-metadata', `commit ${checksum}: metadata key ${key} must have type '${type}'`);
}

/** Reads commits with the native binding (libostree) and caches them. */
export class NativeCommitReader implements CommitReader {
  private readonly cache = new Map<string, CommitFacts | null>();
  private readonly native: Repo;

  constructor(repo: string) {
    this.native = Repo.open(repo);
  }

  async read(checksum: string): Promise<CommitFacts | null> {
    if (!this.cache.has(checksum)) this.cache.set(checksum, this.load(checksum));
    return this.cache.get(checksum) ?? null;
  }

  private load(checksum: string): CommitFacts | null {
    if (!/^[0-9a-f]{64}$/.test(checksum))
      throw new CairnError('bad-usage', `invalid commit checksum '${checksum}'`);
    if (!this.native.hasObject('commit', checksum)) return null;
    const info = this.native.loadCommit(checksum);
    return factsFromMetadata(checksum, info.parent, info.metadata);
  }
}

export function openCommitReader(repo: string): CommitReader {
  return new NativeCommitReader(repo);
}
