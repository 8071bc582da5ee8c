// SPDX-License-Identifier: LGPL-2.1-or-later
// The state file (`/var/lib/cairn/state.json`, DESIGN.md §7), format version 1.
//
// Compatibility rules:
// - Adding an optional field or section is a minor change and stays version 1: an older cairn
//   validates the fields it knows and writes every other field back untouched.
// - Changing or removing a field, or giving an existing field a new meaning, needs version 2 and a
//   migration in ./migrations.ts. An older cairn then refuses the file (`state-too-new`).
// The sections reserved for the next capabilities (docs: /work/shared/research/next-capabilities.md)
// are declared below as opaque objects, so their names are taken and their shape is free to define.

/** The newest format version this code reads and the only one it writes. */
export const STATE_FORMAT_VERSION = 1;

/** `history` keeps only the newest entries. */
export const HISTORY_LIMIT = 200;

export type StepKind = 'checkpoint' | 'rename' | 'redirect' | 'final';
export const STEP_KINDS: readonly StepKind[] = ['checkpoint', 'rename', 'redirect', 'final'];

export type StepStatus = 'planned' | 'fetching' | 'fetched' | 'deployed' | 'booted' | 'done' | 'failed';
export const STEP_STATUSES: readonly StepStatus[] = [
  'planned',
  'fetching',
  'fetched',
  'deployed',
  'booted',
  'done',
  'failed',
];

export type HookStatus = 'running' | 'succeeded' | 'failed';
export const HOOK_STATUSES: readonly HookStatus[] = ['running', 'succeeded', 'failed'];

/** ISO 8601 timestamp, e.g. `2024-05-01T12:00:00.000Z`. */
export type Timestamp = string;

export interface Tracking {
  remote: string;
  ref: string;
}

/** One step of the current plan and how far the device got with it. */
export interface StepRecord {
  commit: string;
  ref: string;
  kind: StepKind;
  status: StepStatus;
  /** Fetch or deploy attempts made for this step. */
  attempts: number;
  fetchedAt?: Timestamp;
  deployedAt?: Timestamp;
  bootedAt?: Timestamp;
  doneAt?: Timestamp;
}

/** One boot hook of one deployment (DESIGN.md §4). */
export interface HookRecord {
  name: string;
  /** `running` on disk means the hook was interrupted (crash, power cut) and must run again. */
  status: HookStatus;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  attempts: number;
  startedAt: Timestamp;
  finishedAt: Timestamp | null;
  /** `/proc/sys/kernel/random/boot_id` of the boot the hook last ran in. */
  bootId: string | null;
  /** The last 4 KiB of the hook's combined stdout and stderr. */
  outputTail: string;
}

/** What cairn knows about one deployment it made, keyed by `${checksum}.${deployserial}`. */
export interface DeploymentRecord {
  commit: string;
  fromCommit: string | null;
  hooks: HookRecord[];
  bootAttempts: number;
}

export interface LastError {
  /** A CairnErrorCode; kept as a string so codes added later still read. */
  code: string;
  message: string;
  at: Timestamp;
}

export interface HistoryEntry {
  at: Timestamp;
  event: string;
  detail?: string;
}

/** A section reserved for a capability that is not implemented yet; its contents are preserved. */
export type ReservedSection = Record<string, unknown>;

export interface CairnState {
  formatVersion: typeof STATE_FORMAT_VERSION;
  /** `cairn <version>` of the last writer. */
  writtenBy: string;
  updatedAt: Timestamp;
  tracking: Tracking | null;
  /** The planner's Plan JSON, opaque to the state layer. */
  plan: unknown;
  plannedAt: Timestamp | null;
  steps: StepRecord[];
  deployments: Record<string, DeploymentRecord>;
  lastError: LastError | null;
  history: HistoryEntry[];
  /** Reserved: boot counting, health checks and rollback (next-capabilities §1.5). */
  bootCounting?: ReservedSection;
  /** Reserved: updates from offline media or a LAN peer across checkpoints (§2.4). */
  offlineMedia?: ReservedSection;
  /** Reserved: metered-network policy, byte budgets, deferral (§3.5). */
  networkPolicy?: ReservedSection;
  // Fields a newer cairn added within version 1 are not typed here but stay on the object as read,
  // so a save writes them back untouched (the validator checks in place and copies nothing).
}

/** The state of a device cairn has never written to. */
export function defaultState(writtenBy: string, now: Date = new Date()): CairnState {
  return {
    formatVersion: STATE_FORMAT_VERSION,
    writtenBy,
    updatedAt: now.toISOString(),
    tracking: null,
    plan: null,
    plannedAt: null,
    steps: [],
    deployments: {},
    lastError: null,
    history: [],
  };
}

/** The key of `deployments`: a deployment's checksum and deploy serial. */
export function deploymentKey(checksum: string, deployserial: number): string {
  return `${checksum}.${deployserial}`;
}

/** Appends a history entry, dropping the oldest beyond HISTORY_LIMIT. */
export function recordEvent(state: CairnState, event: string, detail?: string, now: Date = new Date()): void {
  const entry: HistoryEntry = { at: now.toISOString(), event };
  if (detail !== undefined) entry.detail = detail;
  state.history.push(entry);
  trimHistory(state);
}

export function trimHistory(state: CairnState): void {
  if (state.history.length > HISTORY_LIMIT) state.history.splice(0, state.history.length - HISTORY_LIMIT);
}
