// SPDX-License-Identifier: LGPL-2.1-or-later
// Repo: the typed, validating wrapper around the native OstreeRepo handle.
import { assertSignal, runCancellable } from './cancel';
import { invalidParameterError } from './errors';
import { loadNative } from './load';
import type {
  CommitInfo,
  DeltaSuperblock,
  NativeRepo,
  ObjectSize,
  ObjectType,
  PullOptions,
  PullProgress,
  RepoMode,
  Summary,
} from './types';
import {
  assertBoolean,
  assertChecksum,
  assertInteger,
  assertNonEmptyString,
  assertNullableString,
  assertObject,
  assertOptional,
  assertString,
  assertStringArray,
} from './validate';

const REPO_MODES: readonly RepoMode[] = [
  'archive',
  'archive-z2',
  'bare',
  'bare-user',
  'bare-user-only',
  'bare-split-xattrs',
];
const OBJECT_TYPES: readonly ObjectType[] = [
  'file',
  'dir-tree',
  'dir-meta',
  'commit',
  'tombstone-commit',
  'commit-meta',
  'payload-link',
  'file-xattrs',
  'file-xattrs-link',
];

export type RepoPullOptions = PullOptions & {
  signal?: AbortSignal;
  onProgress?: (progress: PullProgress) => void;
};

function assertPullOptions(options: unknown): asserts options is RepoPullOptions {
  assertObject(options, 'options');
  assertStringArray(options.refs, 'options.refs');
  if (options.refs.length === 0)
    throw invalidParameterError('options.refs', 'a non-empty array', options.refs);
  for (const key of [
    'commitMetadataOnly',
    'disableStaticDeltas',
    'requireStaticDeltas',
    'dryRun',
    'timestampCheck',
  ]) {
    assertOptional(options[key], `options.${key}`, assertBoolean);
  }
  assertOptional(options.depth, 'options.depth', (v, n) => assertInteger(v, n, -1));
  assertOptional(options.nNetworkRetries, 'options.nNetworkRetries', (v, n) => assertInteger(v, n, 0));
  assertOptional(options.progressIntervalMs, 'options.progressIntervalMs', (v, n) => assertInteger(v, n, 0));
  assertOptional(options.timestampCheckFromRev, 'options.timestampCheckFromRev', assertChecksum);
  assertOptional(options.overrideUrl, 'options.overrideUrl', assertNonEmptyString);
  const headers = options.httpHeaders;
  if (
    headers !== undefined &&
    !(
      Array.isArray(headers) &&
      headers.every((h) => Array.isArray(h) && h.length === 2 && h.every((s) => typeof s === 'string'))
    )
  ) {
    throw invalidParameterError('options.httpHeaders', 'an array of [name, value] string pairs', headers);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    throw invalidParameterError('options.onProgress', 'a function', options.onProgress);
  }
  assertSignal(options.signal);
}

export class Repo {
  private constructor(readonly native: NativeRepo) {}

  /** Wraps a native handle (used by Sysroot.repo()). */
  static fromNative(native: NativeRepo): Repo {
    return new Repo(native);
  }

  static open(path: string): Repo {
    assertNonEmptyString(path, 'path');
    return new Repo(loadNative().repoOpen(path));
  }

  static create(path: string, mode: RepoMode): Repo {
    assertNonEmptyString(path, 'path');
    if (!REPO_MODES.includes(mode))
      throw invalidParameterError('mode', `one of ${REPO_MODES.join(', ')}`, mode);
    return new Repo(loadNative().repoCreate(path, mode));
  }

  get path(): string {
    return this.native.path;
  }

  mode(): RepoMode {
    return this.native.mode();
  }

  remoteAdd(name: string, url: string, options: Record<string, string | boolean> = {}): void {
    assertNonEmptyString(name, 'name');
    assertNonEmptyString(url, 'url');
    assertObject(options, 'options');
    for (const [key, value] of Object.entries(options)) {
      if (typeof value !== 'string' && typeof value !== 'boolean') {
        throw invalidParameterError(`options.${key}`, 'a string or a boolean', value);
      }
    }
    this.native.remoteAdd(name, url, options);
  }

  remoteDelete(name: string): void {
    assertNonEmptyString(name, 'name');
    this.native.remoteDelete(name);
  }

  remoteList(): string[] {
    return this.native.remoteList();
  }

  remoteGetUrl(name: string): string {
    assertNonEmptyString(name, 'name');
    return this.native.remoteGetUrl(name);
  }

  remoteGetOption(name: string, key: string, fallback: string | null = null): string | null {
    assertNonEmptyString(name, 'name');
    assertNonEmptyString(key, 'key');
    assertNullableString(fallback, 'fallback');
    return this.native.remoteGetOption(name, key, fallback);
  }

  remoteGetBooleanOption(name: string, key: string, fallback = false): boolean {
    assertNonEmptyString(name, 'name');
    assertNonEmptyString(key, 'key');
    assertBoolean(fallback, 'fallback');
    return this.native.remoteGetBooleanOption(name, key, fallback);
  }

  remoteGpgImport(name: string, keyringPath: string): number {
    assertNonEmptyString(name, 'name');
    assertNonEmptyString(keyringPath, 'keyringPath');
    return this.native.remoteGpgImport(name, keyringPath);
  }

  listRefs(prefix: string | null = null): Record<string, string> {
    assertNullableString(prefix, 'prefix');
    return this.native.listRefs(prefix);
  }

  resolveRev(refspec: string, allowNoent = false): string | null {
    assertNonEmptyString(refspec, 'refspec');
    assertBoolean(allowNoent, 'allowNoent');
    return this.native.resolveRev(refspec, allowNoent);
  }

  setRef(remote: string | null, ref: string, checksum: string | null): void {
    assertNullableString(remote, 'remote');
    assertNonEmptyString(ref, 'ref');
    if (checksum !== null) assertChecksum(checksum, 'checksum');
    this.native.setRef(remote, ref, checksum);
  }

  loadCommit(checksum: string): CommitInfo {
    assertChecksum(checksum, 'checksum');
    return this.native.loadCommit(checksum);
  }

  hasObject(objectType: ObjectType, checksum: string): boolean {
    if (!OBJECT_TYPES.includes(objectType)) {
      throw invalidParameterError('objectType', `one of ${OBJECT_TYPES.join(', ')}`, objectType);
    }
    assertChecksum(checksum, 'checksum');
    return this.native.hasObject(objectType, checksum);
  }

  commitSizes(checksum: string): ObjectSize[] {
    assertChecksum(checksum, 'checksum');
    return this.native.commitSizes(checksum);
  }

  parseDeltaSuperblock(bytes: Buffer): DeltaSuperblock {
    if (!Buffer.isBuffer(bytes)) throw invalidParameterError('bytes', 'a Buffer', bytes);
    return this.native.parseDeltaSuperblock(bytes);
  }

  localDelta(from: string | null, to: string): DeltaSuperblock | null {
    if (from !== null) assertChecksum(from, 'from');
    assertChecksum(to, 'to');
    return this.native.localDelta(from, to);
  }

  async fetchSummary(remote: string, options: { signal?: AbortSignal } = {}): Promise<Summary> {
    const caller = new Error();
    assertNonEmptyString(remote, 'remote');
    assertObject(options, 'options');
    assertSignal(options.signal);
    return runCancellable(options.signal, caller, (cancellable) =>
      this.native.fetchSummary(remote, cancellable),
    );
  }

  /**
   * Pulls refs or commits from a remote. A progress callback that throws cancels the pull and the
   * pull rejects with that error. Aborting `signal` rejects with an AbortError.
   */
  async pull(remote: string, options: RepoPullOptions): Promise<void> {
    const caller = new Error();
    assertString(remote, 'remote');
    assertPullOptions(options);
    const { signal, onProgress, ...pullOptions } = options;
    let callbackError: { error: unknown } | undefined;
    await runCancellable(signal, caller, async (cancellable) => {
      const progress =
        onProgress === undefined
          ? null
          : (snapshot: PullProgress): void => {
              if (callbackError !== undefined) return;
              try {
                onProgress(snapshot);
              } catch (error) {
                callbackError = { error };
                cancellable.cancel();
              }
            };
      try {
        await this.native.pull(remote, pullOptions, progress, cancellable);
      } catch (err) {
        if (callbackError === undefined) throw err;
      }
    });
    if (callbackError !== undefined) throw callbackError.error;
  }
}
