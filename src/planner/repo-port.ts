// SPDX-License-Identifier: LGPL-2.1-or-later
// The part of the binding's `Repo` wrapper (src/binding/index.ts) the planner's adapters use. Kept
// structural so the adapters can be tested and reasoned about against the binding contract alone.
import type {
  CommitInfo,
  DeltaSuperblock,
  ObjectSize,
  ObjectType,
  PullOptions,
  PullProgress,
  Summary,
} from '../binding/types';

export interface PlannerRepo {
  resolveRev(refspec: string, allowNoent: boolean): string | null;
  loadCommit(checksum: string): CommitInfo;
  hasObject(objectType: ObjectType, checksum: string): boolean;
  commitSizes(checksum: string): ObjectSize[];
  parseDeltaSuperblock(bytes: Buffer): DeltaSuperblock;
  remoteGetUrl(name: string): string;
  fetchSummary(remote: string, options: { signal?: AbortSignal }): Promise<Summary>;
  pull(
    remote: string,
    options: PullOptions & { signal?: AbortSignal; onProgress?: (progress: PullProgress) => void },
  ): Promise<void>;
}
