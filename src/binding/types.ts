// SPDX-License-Identifier: LGPL-2.1-or-later
// The typed surface of the native libostree addon (native/). This file is the contract between the
// C++ layer and the rest of cairn: the addon implements exactly this, the wrapper in ./index.ts
// adds validation, AbortSignal wiring and nothing else. No policy lives behind it.

/** A GVariant converted to plain JS with exact types (see native/variant.cc). */
export type VariantValue =
  | boolean // b
  | string // s, o, g
  | number // y, n, q, i, u, h, d
  | bigint // t, x
  | Buffer // ay
  | null // maybe-nothing
  | VariantValue[] // arrays (other than ay) and tuples
  | { [key: string]: VariantValue }; // a{sv}, a{s*}

export type RepoMode =
  'archive' | 'archive-z2' | 'bare' | 'bare-user' | 'bare-user-only' | 'bare-split-xattrs';

export type ObjectType =
  | 'file'
  | 'dir-tree'
  | 'dir-meta'
  | 'commit'
  | 'tombstone-commit'
  | 'commit-meta'
  | 'payload-link'
  | 'file-xattrs'
  | 'file-xattrs-link';

export interface CommitInfo {
  checksum: string;
  subject: string;
  body: string;
  /** Seconds since the epoch (the commit's own timestamp, UTC). */
  timestamp: number;
  parent: string | null;
  /** The commit's metadata a{sv}, converted exactly. */
  metadata: Record<string, VariantValue>;
  rootContentsChecksum: string;
  rootMetadataChecksum: string;
  /** True when only the commit object is present (commit-metadata-only pull or an interrupted pull). */
  partial: boolean;
}

export interface ObjectSize {
  checksum: string;
  objectType: ObjectType;
  /** Bytes on the wire (archived, compressed). */
  archived: bigint;
  /** Bytes once unpacked. */
  unpacked: bigint;
}

export interface SummaryRef {
  checksum: string;
  /** Size of the commit object, from the summary. */
  commitSize: bigint;
  metadata: Record<string, VariantValue>;
}

export interface Summary {
  /** Ref name (no remote prefix) to its entry. */
  refs: Record<string, SummaryRef>;
  metadata: Record<string, VariantValue>;
  /** The raw summary bytes and the signature bytes when the server had one. */
  raw: Buffer;
  signature: Buffer | null;
}

export interface DeltaPart {
  /** Compressed size of the part on the wire. */
  size: bigint;
  /** Uncompressed size. */
  usize: bigint;
}

export interface DeltaSuperblock {
  from: string | null;
  to: string;
  parts: DeltaPart[];
  /** Objects shipped in the superblock itself (fallback objects), with their sizes. */
  fallbackObjects: { objectType: ObjectType; checksum: string; size: bigint; usize: bigint }[];
}

/** Every counter OstreeAsyncProgress carries during a pull, as a snapshot. */
export interface PullProgress {
  bytesTransferred: bigint;
  fetched: number;
  requested: number;
  metadataFetched: number;
  outstandingMetadataFetches: number;
  outstandingFetches: number;
  outstandingWrites: number;
  scannedMetadata: number;
  fetchedDeltaParts: number;
  totalDeltaParts: number;
  fetchedDeltaFallbacks: number;
  totalDeltaFallbacks: number;
  fetchedDeltaPartSize: bigint;
  totalDeltaPartSize: bigint;
  totalDeltaPartUsize: bigint;
  totalDeltaSuperblocks: number;
  metadataFetchedLocalcache: number;
  contentFetchedLocalcache: number;
  /** Monotonic start time of the pull in microseconds (g_get_monotonic_time). */
  startTime: bigint;
  status: string;
  caughtError: boolean;
  scanning: boolean;
}

export interface PullOptions {
  /** Refs (without remote prefix) or 64-hex commit checksums. */
  refs: string[];
  commitMetadataOnly?: boolean;
  /** 0 = just the commit, -1 = whole history, N = N parents. */
  depth?: number;
  disableStaticDeltas?: boolean;
  requireStaticDeltas?: boolean;
  dryRun?: boolean;
  nNetworkRetries?: number;
  timestampCheck?: boolean;
  /** Refuse a commit older than this one (timestamp-check-from-rev). */
  timestampCheckFromRev?: string;
  overrideUrl?: string;
  httpHeaders?: [string, string][];
  /** Minimum milliseconds between two progress callbacks (default 100). */
  progressIntervalMs?: number;
}

export interface DeploymentInfo {
  osname: string;
  checksum: string;
  deployserial: number;
  bootserial: number;
  /** `origin/refspec` from the deployment's origin file, or null. */
  originRefspec: string | null;
  /** Position in the sysroot's deployment list (0 = default). */
  index: number;
  booted: boolean;
  pending: boolean;
  rollback: boolean;
  staged: boolean;
  /** Absolute path of the deployment's root directory. */
  path: string;
}

export interface DeployOptions {
  osname: string;
  checksum: string;
  /** The origin refspec written to the new deployment (`remote:ref`). */
  originRefspec: string;
  /** Stage (written at shutdown by ostree-finalize-staged) instead of writing now. */
  stage: boolean;
  /** Kernel arguments; default: inherit from the merge deployment. */
  kernelArgs?: string[];
}

export interface NativeCancellable {
  cancel(): void;
  readonly cancelled: boolean;
}

export interface NativeRepo {
  readonly path: string;
  mode(): RepoMode;
  remoteAdd(name: string, url: string, options: Record<string, string | boolean>): void;
  remoteDelete(name: string): void;
  remoteList(): string[];
  remoteGetUrl(name: string): string;
  /** ostree_repo_get_remote_option; `fallback` when unset. */
  remoteGetOption(name: string, key: string, fallback: string | null): string | null;
  remoteGetBooleanOption(name: string, key: string, fallback: boolean): boolean;
  /** Import keys from an armored or binary keyring file; returns the number imported. */
  remoteGpgImport(name: string, keyringPath: string): number;
  /** All refs, `remote:ref` for remote refs; an optional prefix filters like `ostree refs PREFIX`. */
  listRefs(prefix: string | null): Record<string, string>;
  resolveRev(refspec: string, allowNoent: boolean): string | null;
  /** Set (or delete, when checksum is null) a ref immediately. remote null = local ref. */
  setRef(remote: string | null, ref: string, checksum: string | null): void;
  loadCommit(checksum: string): CommitInfo;
  hasObject(objectType: ObjectType, checksum: string): boolean;
  /** The commit's `ostree.sizes` entries; empty when the commit has none. */
  commitSizes(checksum: string): ObjectSize[];
  /** Parse a static-delta superblock (the bytes of `deltas/…/superblock`). */
  parseDeltaSuperblock(bytes: Buffer): DeltaSuperblock;
  /** Superblock of a static delta stored in this repo, or null when there is none. */
  localDelta(from: string | null, to: string): DeltaSuperblock | null;
  fetchSummary(remote: string, cancellable: NativeCancellable | null): Promise<Summary>;
  pull(
    remote: string,
    options: PullOptions,
    onProgress: ((progress: PullProgress) => void) | null,
    cancellable: NativeCancellable | null,
  ): Promise<void>;
}

export interface NativeSysroot {
  readonly path: string;
  load(): void;
  /** Blocks off the JS thread until the sysroot lock is held. */
  lock(): Promise<void>;
  /** Returns false when another process holds the lock. */
  tryLock(): boolean;
  unlock(): void;
  ensureInitialized(): void;
  osInit(osname: string): void;
  deployments(): DeploymentInfo[];
  bootedDeployment(): DeploymentInfo | null;
  stagedDeployment(): DeploymentInfo | null;
  isBooted(): boolean;
  /** Absolute path of the stateroot's /var (`ostree/deploy/OS/var`). */
  osVarPath(osname: string): string;
  deploy(options: DeployOptions): Promise<DeploymentInfo>;
  undeploy(index: number): Promise<void>;
  /** ostree_sysroot_cleanup: prune old deployments' files and the repo. */
  cleanup(): Promise<void>;
  repo(): NativeRepo;
}

export interface NativeModule {
  /** Called once by the loader: the constructor native code uses for GError-backed errors. */
  setErrorClass(ctor: new (message: string, domain: string, code: string, gcode: number) => Error): void;
  libostreeVersion: string;
  Cancellable: new () => NativeCancellable;
  repoOpen(path: string): NativeRepo;
  repoCreate(path: string, mode: RepoMode): NativeRepo;
  sysrootOpen(path: string): NativeSysroot;
  /** Drain GLib log messages queued by the addon's g_log handler. */
  drainLog(): { domain: string; level: string; message: string }[];
}
