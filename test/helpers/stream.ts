// SPDX-License-Identifier: LGPL-2.1-or-later
// A publisher's release stream for tests: an archive repo that commits generated OS trees with chosen
// metadata, parents and timestamps, moves refs, writes static deltas and the summary.
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ostree } from './exec';
import { type GpgKey, withGpgHomedir } from './gpg';
import { buildOsTree, type PayloadFile } from './os-tree';
import { removeTree } from './tmp';

/** A metadata value in GVariant text format, e.g. `true`, `'text'`, `uint64 5`, `['a', 'b']`. */
export type MetaValue = { gvariant: string };

function quote(v: string): string {
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const meta = {
  b: (v: boolean): MetaValue => ({ gvariant: v ? 'true' : 'false' }),
  s: (v: string): MetaValue => ({ gvariant: quote(v) }),
  // An empty array literal needs its type spelled out.
  as: (v: string[]): MetaValue => ({ gvariant: v.length === 0 ? '@as []' : `[${v.map(quote).join(', ')}]` }),
  t: (v: bigint): MetaValue => ({ gvariant: `uint64 ${v}` }),
  x: (v: bigint): MetaValue => ({ gvariant: `int64 ${v}` }),
  u: (v: number): MetaValue => ({ gvariant: `uint32 ${v}` }),
  raw: (text: string): MetaValue => ({ gvariant: text }),
};

export interface CommitOptions {
  ref: string;
  version: string;
  /** Default (undefined): the current tip of ref, if any. null: a root commit. */
  parent?: string | null;
  metadata?: Record<string, MetaValue>;
  payload?: PayloadFile[];
  hooks?: Record<string, string>;
  files?: Record<string, string | Buffer>;
  /** Defaults to `Release <version>`. */
  subject?: string;
  /** Defaults to now, but always at least one second after the stream's previous commit. */
  timestamp?: Date;
  /** Defaults to true when the stream has a key. */
  sign?: boolean;
  /** Write `ostree.sizes` (--generate-sizes); default true. */
  generateSizes?: boolean;
  /** os-release ID of the tree; defaults to buildOsTree's default. */
  osName?: string;
  kernelVersion?: string;
}

export interface DeltaOptions {
  /** Use bsdiff for modified files (slow); default false. */
  bsdiff?: boolean;
  /** Inline the parts into the superblock. */
  inline?: boolean;
  /** Files larger than this (MB, uncompressed; ostree's default 4) are left out and fetched as objects. */
  minFallbackSizeMb?: number;
  /** Maximum size of a delta part (MB; ostree's default 32). */
  maxChunkSizeMb?: number;
}

function metadataArgs(flag: string, metadata: Record<string, MetaValue> | undefined): string[] {
  return Object.entries(metadata ?? {}).map(([key, value]) => `${flag}=${key}=${value.gvariant}`);
}

export class ReleaseStream {
  readonly repoPath: string;
  readonly gpgKey: GpgKey | null;
  private readonly dir: string;
  private lastTimestamp = 0;
  private treeCounter = 0;

  private constructor(dir: string, gpgKey: GpgKey | null) {
    this.dir = dir;
    this.repoPath = path.join(dir, 'repo');
    this.gpgKey = gpgKey;
  }

  /** An empty archive repo at dir/repo. */
  static async create(dir: string, opts: { gpgKey?: GpgKey } = {}): Promise<ReleaseStream> {
    const stream = new ReleaseStream(dir, opts.gpgKey ?? null);
    await mkdir(dir, { recursive: true });
    await ostree(['init', `--repo=${stream.repoPath}`, '--mode=archive']);
    return stream;
  }

  /** Commits a generated OS tree on ref, moves the ref and returns the new checksum. */
  async commit(opts: CommitOptions): Promise<string> {
    const seconds = this.nextTimestamp(opts.timestamp);
    const treeDir = path.join(this.dir, `tree-${++this.treeCounter}`);
    try {
      await buildOsTree(treeDir, {
        version: opts.version,
        osName: opts.osName,
        kernelVersion: opts.kernelVersion,
        payload: opts.payload,
        hooks: opts.hooks,
        files: opts.files,
      });
      const args = [
        'commit',
        `--repo=${this.repoPath}`,
        `--branch=${opts.ref}`,
        `--subject=${opts.subject ?? `Release ${opts.version}`}`,
        `--timestamp=@${seconds}`,
        '--fsync=false', // test repos need no durability, and fsync is slow on busy test machines
        `--add-metadata-string=version=${opts.version}`,
        ...metadataArgs('--add-metadata', opts.metadata),
      ];
      if (opts.parent !== undefined) args.push(`--parent=${opts.parent ?? 'none'}`);
      if (opts.generateSizes ?? true) args.push('--generate-sizes');
      const key = this.signingKey(opts.sign);
      if (key === null) return (await ostree([...args, treeDir])).trim();
      const signArgs = [`--gpg-sign=${key.keyId}`, `--gpg-homedir=${key.homedir}`];
      return await withGpgHomedir(key.homedir, async () =>
        (await ostree([...args, ...signArgs, treeDir])).trim(),
      );
    } finally {
      await removeTree(treeDir);
    }
  }

  /** Points ref at checksum (creating or moving it), or deletes it when checksum is null. */
  async setRef(ref: string, checksum: string | null): Promise<void> {
    if (checksum === null) {
      await ostree(['refs', `--repo=${this.repoPath}`, '--delete', ref]);
    } else {
      await ostree(['refs', `--repo=${this.repoPath}`, '--force', `--create=${ref}`, checksum]);
    }
  }

  /**
   * The commit ref points at, or null when there is no such ref. Reads the ref file itself: `ostree
   * rev-parse` would take a short hex ref name such as `b` or `cafe` for a checksum prefix.
   */
  async resolve(ref: string): Promise<string | null> {
    if (ref.split('/').some((part) => part === '' || part === '.' || part === '..')) {
      throw new Error(`not a ref name: ${ref}`);
    }
    try {
      return (await readFile(path.join(this.repoPath, 'refs', 'heads', ref), 'utf8')).trim();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /**
   * A static delta from `from` (null: from scratch) to `to`. bsdiff is off unless asked for: on the
   * random payloads tests use it costs seconds and gains nothing.
   */
  async delta(from: string | null, to: string, opts: DeltaOptions = {}): Promise<void> {
    const args = ['static-delta', 'generate', `--repo=${this.repoPath}`];
    args.push(from === null ? '--empty' : `--from=${from}`, `--to=${to}`);
    if (!opts.bsdiff) args.push('--disable-bsdiff');
    if (opts.inline) args.push('--inline');
    if (opts.minFallbackSizeMb !== undefined) args.push(`--min-fallback-size=${opts.minFallbackSizeMb}`);
    if (opts.maxChunkSizeMb !== undefined) args.push(`--max-chunk-size=${opts.maxChunkSizeMb}`);
    await ostree(args);
  }

  /** Regenerates the summary, with extra metadata, signed when the stream has a key. */
  async summary(opts: { metadata?: Record<string, MetaValue> } = {}): Promise<void> {
    const args = [
      'summary',
      `--repo=${this.repoPath}`,
      '-u',
      ...metadataArgs('--add-metadata', opts.metadata),
    ];
    const key = this.gpgKey;
    if (key === null) {
      await ostree(args);
      return;
    }
    await withGpgHomedir(key.homedir, () =>
      ostree([...args, `--gpg-sign=${key.keyId}`, `--gpg-homedir=${key.homedir}`]),
    );
  }

  private signingKey(sign: boolean | undefined): GpgKey | null {
    if (sign === false) return null;
    if (this.gpgKey === null) {
      if (sign === true) throw new Error('this release stream has no GPG key to sign with');
      return null;
    }
    return this.gpgKey;
  }

  /** Seconds since the epoch, strictly increasing across this stream's commits unless given explicitly. */
  private nextTimestamp(given: Date | undefined): number {
    const seconds =
      given === undefined
        ? Math.max(Math.floor(Date.now() / 1000), this.lastTimestamp + 1)
        : Math.floor(given.getTime() / 1000);
    this.lastTimestamp = Math.max(this.lastTimestamp, seconds);
    return seconds;
  }
}
