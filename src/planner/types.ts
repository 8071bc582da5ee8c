// SPDX-License-Identifier: LGPL-2.1-or-later
// The planner's inputs (a source of verified commit metadata, a size estimator) and its output, the
// plan. The JSON form of `Plan` is the document of DESIGN.md §5 (`check --json`, `plan --json`).
import type { VariantValue } from '../binding/types';
import type { CairnErrorCode } from '../errors';

export interface CommitMeta {
  checksum: string;
  parent: string | null;
  /** Seconds since the epoch. */
  timestamp: number;
  metadata: Record<string, VariantValue>;
}

export interface MetadataSource {
  /** Tip of the ref on the remote, null when the ref does not exist. */
  resolveRef(ref: string): Promise<string | null>;
  /** Verified metadata; throws CairnError 'unverified' or 'unknown-commit'. */
  loadCommit(checksum: string): Promise<CommitMeta>;
  /** The summary's `cairn.checkpoints` entry for the ref, oldest first; null when there is none. */
  checkpointIndex?(ref: string): Promise<string[] | null>;
  /** Hint: these commits will be loaded soon (lets a remote source fetch them in one batch). */
  prefetch?(checksums: string[]): Promise<void>;
}

export interface SizeEstimate {
  /** Bytes to download for this step; null when unknown (never a guess). */
  bytes: number | null;
  /** True when the estimate is a static delta. */
  delta: boolean;
}

export interface SizeEstimator {
  /** `alreadyPlanned`: commits of earlier steps, whose objects are counted already. */
  estimate(from: string | null, to: string, alreadyPlanned: string[]): Promise<SizeEstimate>;
}

export type PlanState = 'update-available' | 'up-to-date' | 'waiting-for-target' | 'blocked';

/**
 * checkpoint: an in-stream `cairn.checkpoint`; rename: a tip carrying `eos.checkpoint-target`;
 * redirect: a tip carrying `ostree.endoflife-rebase` that is also a checkpoint (so it is booted before
 * the redirect is followed); final: the tip the plan ends at.
 */
export type StepKind = 'checkpoint' | 'rename' | 'redirect' | 'final';

export interface PlanStep {
  ref: string;
  commit: string;
  version: string | null;
  checkpoint: boolean;
  kind: StepKind;
  reason: string;
  estimatedDownloadBytes: number | null;
  delta: boolean;
}

export interface PlanCurrent {
  commit: string;
  ref: string;
  remote: string;
  version: string | null;
}

/** A ref change the plan follows: a redirect (no boot) or a rename (after booting `commit`). */
export interface RefChange {
  kind: 'rename' | 'redirect';
  fromRef: string;
  toRef: string;
  /** The tip of `fromRef` that carries the key. */
  commit: string;
  /** `ostree.endoflife` of that commit, if any. */
  message: string | null;
}

export interface PlanError {
  code: CairnErrorCode;
  message: string;
}

export interface Plan {
  state: PlanState;
  current: PlanCurrent;
  steps: PlanStep[];
  /** Sum of the steps' estimates; null when any step's size is unknown. */
  estimatedTotalDownloadBytes: number | null;
  error: PlanError | null;
  /** The ref the device follows once every step is done (what its origin should name). */
  finalRef: string;
  /** Ref changes followed, in order. */
  refChanges: RefChange[];
  /** A renamed-to or redirected-to ref that does not exist yet; the plan stops before it. */
  waitingFor: { ref: string; message: string } | null;
  /** `ostree.endoflife` of the last tip reached: the stream the device ends on is end of life. */
  endOfLife: string | null;
}

export interface PlanRequest {
  currentCommit: string;
  /** The tracked ref (the origin's ref). */
  ref: string;
  remote: string;
  /**
   * Plan to another ref (a crossing: going back in time is allowed), or to one commit (followed
   * exactly: no rename or redirect after it).
   */
  target?: { ref?: string; commit?: string };
}
