// SPDX-License-Identifier: LGPL-2.1-or-later
// Download size of a step (DESIGN.md §3.5): the static delta's size when the server lists one from
// the previous step's commit (parts plus fallback objects, read from its superblock), else the sum
// of `ostree.sizes` archived sizes of objects missing locally and not counted for an earlier step,
// else unknown. Never a guess.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ObjectSize, Summary } from '../binding/types';
import { CairnError } from '../errors';
import type { PlannerRepo } from './repo-port';
import type { SizeEstimate, SizeEstimator } from './types';

const STATIC_DELTAS = 'ostree.static-deltas';

export interface EstimatorOptions {
  summary: () => Promise<Summary | null>;
  /** Base URL of the repository (the remote's URL, or an override). */
  baseUrl: string;
  signal?: AbortSignal;
}

/** libostree's modified base64 of a checksum: no padding, '/' becomes '_'. */
function checksumB64(checksum: string): string {
  return Buffer.from(checksum, 'hex').toString('base64').replace(/=+$/, '').replace(/\//g, '_');
}

/** Path of a delta's superblock inside a repository (ostree's _ostree_get_relative_static_delta_path). */
export function deltaSuperblockPath(from: string | null, to: string): string {
  const toB64 = checksumB64(to);
  if (from === null) return `deltas/${toB64.slice(0, 2)}/${toB64.slice(2)}/superblock`;
  const fromB64 = checksumB64(from);
  return `deltas/${fromB64.slice(0, 2)}/${fromB64.slice(2)}-${toB64}/superblock`;
}

export class RepoSizeEstimator implements SizeEstimator {
  constructor(
    private readonly repo: PlannerRepo,
    private readonly options: EstimatorOptions,
  ) {}

  async estimate(from: string | null, to: string, alreadyPlanned: string[]): Promise<SizeEstimate> {
    const delta = await this.deltaSize(from, to);
    if (delta !== null) return { bytes: delta, delta: true };
    return { bytes: this.missingObjectsSize(to, alreadyPlanned), delta: false };
  }

  private async deltaSize(from: string | null, to: string): Promise<number | null> {
    const deltas = (await this.options.summary())?.metadata[STATIC_DELTAS];
    if (!deltas || typeof deltas !== 'object' || Array.isArray(deltas) || Buffer.isBuffer(deltas))
      return null;
    if (!((from === null ? to : `${from}-${to}`) in deltas)) return null;
    let superblock;
    try {
      superblock = this.repo.parseDeltaSuperblock(await this.download(deltaSuperblockPath(from, to)));
    } catch (err) {
      // The delta is listed but unreadable: the pull would fall back to objects, so does the estimate.
      if (this.options.signal?.aborted)
        throw new CairnError('cancelled', 'planning cancelled', { cause: err });
      return null;
    }
    const parts = superblock.parts.reduce((sum, part) => sum + part.size, 0n);
    const fallbacks = superblock.fallbackObjects.reduce((sum, object) => sum + object.size, 0n);
    return Number(parts + fallbacks);
  }

  private missingObjectsSize(to: string, alreadyPlanned: string[]): number | null {
    const sizes = this.repo.commitSizes(to);
    if (sizes.length === 0) return null;
    const counted = new Set<string>();
    for (const commit of alreadyPlanned) {
      for (const object of this.repo.commitSizes(commit)) counted.add(objectKey(object));
    }
    let total = 0n;
    for (const object of sizes) {
      const key = objectKey(object);
      if (counted.has(key) || this.repo.hasObject(object.objectType, object.checksum)) continue;
      counted.add(key);
      total += object.archived;
    }
    return Number(total);
  }

  private async download(relative: string): Promise<Buffer> {
    const url = new URL(
      relative,
      this.options.baseUrl.endsWith('/') ? this.options.baseUrl : `${this.options.baseUrl}/`,
    );
    if (url.protocol === 'file:') return readFile(fileURLToPath(url));
    const response = await fetch(url, { signal: this.options.signal });
    if (!response.ok) throw new CairnError('network', `GET ${url.href}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
}

function objectKey(object: ObjectSize): string {
  return `${object.checksum}.${object.objectType}`;
}
