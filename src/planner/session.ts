// SPDX-License-Identifier: LGPL-2.1-or-later
// One planning run's view of a MetadataSource: every ref and commit is asked for at most once, and
// each commit's keys are type-checked once.
import { isCairnError } from '../errors';
import { readCommitKeys, type CommitKeys } from './commit-keys';
import type { CommitMeta, MetadataSource } from './types';

export class PlanningSession {
  private readonly commits = new Map<string, Promise<CommitMeta>>();
  private readonly refs = new Map<string, Promise<string | null>>();
  private readonly indexes = new Map<string, Promise<string[] | null>>();
  private readonly keyCache = new Map<string, CommitKeys>();
  private readonly prefetched = new Set<string>();

  constructor(private readonly source: MetadataSource) {}

  resolveRef(ref: string): Promise<string | null> {
    let tip = this.refs.get(ref);
    if (!tip) {
      tip = this.source.resolveRef(ref);
      this.refs.set(ref, tip);
    }
    return tip;
  }

  load(checksum: string): Promise<CommitMeta> {
    let commit = this.commits.get(checksum);
    if (!commit) {
      commit = this.source.loadCommit(checksum);
      this.commits.set(checksum, commit);
    }
    return commit;
  }

  /** Like load, but null when the commit is not on the remote (pruned history, dangling pointer). */
  async tryLoad(checksum: string): Promise<CommitMeta | null> {
    try {
      return await this.load(checksum);
    } catch (err) {
      if (isCairnError(err, 'unknown-commit')) return null;
      throw err;
    }
  }

  keys(commit: CommitMeta): CommitKeys {
    let keys = this.keyCache.get(commit.checksum);
    if (!keys) {
      keys = readCommitKeys(commit);
      this.keyCache.set(commit.checksum, keys);
    }
    return keys;
  }

  checkpointIndex(ref: string): Promise<string[] | null> {
    if (!this.source.checkpointIndex) return Promise.resolve(null);
    let index = this.indexes.get(ref);
    if (!index) {
      index = this.source.checkpointIndex(ref);
      this.indexes.set(ref, index);
    }
    return index;
  }

  async prefetch(checksums: string[]): Promise<void> {
    const missing = [...new Set(checksums)].filter((c) => !this.commits.has(c) && !this.prefetched.has(c));
    for (const checksum of missing) this.prefetched.add(checksum);
    if (missing.length > 0 && this.source.prefetch) await this.source.prefetch(missing);
  }
}
