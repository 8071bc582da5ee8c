// SPDX-License-Identifier: LGPL-2.1-or-later
// A tiny DSL for commit graphs and an in-memory MetadataSource over them, for planner tests.
//
//   os/a: c0 c1 c2! c3              a ref and its commits, oldest first; `!` marks a checkpoint
//   os/b: @c3 d0 d1>os/c            `@ID` starts the ref on an existing commit; `>REF` renames,
//   os/c: @d1                       `~REF` redirects (ostree.endoflife-rebase); a ref may just
//                                   point at a commit
// Commits get increasing timestamps in the order written. Pointers (`cairn.previous-checkpoint`)
// are written on every commit that has an older checkpoint unless `pointers: false`;
// `explicitNone` writes '' where there is none.
import { createHash } from 'node:crypto';
import type { VariantValue } from '../../src/binding/types';
import { CairnError } from '../../src/errors';
import {
  CHECKPOINT,
  CHECKPOINT_TARGET,
  ENDOFLIFE_REBASE,
  PREVIOUS_CHECKPOINT,
  VERSION,
} from '../../src/metadata/keys';
import type { CommitMeta, MetadataSource, SizeEstimator } from '../../src/planner/types';

export interface GraphOptions {
  pointers?: boolean;
  explicitNone?: boolean;
}

export function checksumOf(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

export class Graph {
  readonly commits = new Map<string, CommitMeta>();
  readonly refs = new Map<string, string>();
  private readonly ids = new Map<string, string>();
  private clock = 1_000_000;

  constructor(text: string, options: GraphOptions = {}) {
    for (const line of text.split('\n').map((l) => l.trim())) {
      if (line !== '') this.parseLine(line);
    }
    if (options.pointers !== false) this.writePointers(options.explicitNone === true);
  }

  /** Checksum of a commit id used in the DSL. */
  c(id: string): string {
    const checksum = checksumOf(id);
    if (!this.commits.has(checksum)) throw new Error(`no commit ${id}`);
    return checksum;
  }

  /** DSL id of a checksum. */
  id(checksum: string): string {
    return this.ids.get(checksum) ?? checksum;
  }

  commit(id: string): CommitMeta {
    return this.commits.get(this.c(id))!;
  }

  /** Adds or replaces metadata keys of a commit (for wrongly typed keys and the like). */
  setMeta(id: string, metadata: Record<string, VariantValue | undefined>): void {
    const commit = this.commit(id);
    for (const [key, value] of Object.entries(metadata)) {
      if (value === undefined) delete commit.metadata[key];
      else commit.metadata[key] = value;
    }
  }

  private parseLine(line: string): void {
    const match = /^(\S+):\s*(.*)$/.exec(line);
    if (!match) throw new Error(`bad graph line: ${line}`);
    const [, ref, rest] = match;
    let parent: string | null = null;
    for (const token of rest.split(/\s+/).filter(Boolean)) {
      if (token.startsWith('@')) {
        parent = this.c(token.slice(1));
        continue;
      }
      const t = /^([\w.-]+)(!?)(?:>(\S+?))?(?:~(\S+))?$/.exec(token);
      if (!t) throw new Error(`bad graph token: ${token}`);
      const [, id, bang, target, rebase] = t;
      const metadata: Record<string, VariantValue> = { [VERSION]: id };
      if (bang) metadata[CHECKPOINT] = true;
      if (target) metadata[CHECKPOINT_TARGET] = target;
      if (rebase) metadata[ENDOFLIFE_REBASE] = rebase;
      const checksum = checksumOf(id);
      this.clock += 10;
      this.commits.set(checksum, { checksum, parent, timestamp: this.clock, metadata });
      this.ids.set(checksum, id);
      parent = checksum;
    }
    if (parent !== null) this.refs.set(ref, parent);
  }

  private writePointers(explicitNone: boolean): void {
    // Commits are stored oldest first within each chain, so a parent's answer is known first.
    const nearestOlder = new Map<string, string | null>();
    for (const commit of this.commits.values()) {
      const parent = commit.parent === null ? null : this.commits.get(commit.parent)!;
      const older =
        parent === null
          ? null
          : parent.metadata[CHECKPOINT] === true
            ? parent.checksum
            : nearestOlder.get(parent.checksum)!;
      nearestOlder.set(commit.checksum, older);
      if (older !== null) commit.metadata[PREVIOUS_CHECKPOINT] = older;
      else if (explicitNone) commit.metadata[PREVIOUS_CHECKPOINT] = '';
    }
  }
}

/** A MetadataSource over a Graph that counts what the planner asks for. */
export class GraphSource implements MetadataSource {
  loads: string[] = [];
  refLookups: string[] = [];
  prefetched: string[][] = [];
  index: Record<string, string[]> | null = null;
  unverified = new Set<string>();

  constructor(readonly graph: Graph) {}

  async resolveRef(ref: string): Promise<string | null> {
    this.refLookups.push(ref);
    return this.graph.refs.get(ref) ?? null;
  }

  async loadCommit(checksum: string): Promise<CommitMeta> {
    this.loads.push(checksum);
    if (this.unverified.has(checksum))
      throw new CairnError('unverified', `commit ${checksum}: bad signature`);
    const commit = this.graph.commits.get(checksum);
    if (!commit) throw new CairnError('unknown-commit', `no commit ${checksum}`);
    return structuredClone(commit);
  }

  async checkpointIndex(ref: string): Promise<string[] | null> {
    return this.index?.[ref] ?? null;
  }

  async prefetch(checksums: string[]): Promise<void> {
    this.prefetched.push(checksums);
  }
}

/** Every step costs `bytesPerStep` (or is unknown when null); never a delta. */
export function fixedEstimator(
  bytesPerStep: number | null = 100,
): SizeEstimator & { calls: [string | null, string, string[]][] } {
  const calls: [string | null, string, string[]][] = [];
  return {
    calls,
    async estimate(from, to, alreadyPlanned) {
      calls.push([from, to, alreadyPlanned]);
      return { bytes: bytesPerStep, delta: false };
    },
  };
}
