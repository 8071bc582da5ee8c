// SPDX-License-Identifier: LGPL-2.1-or-later
// The knobs the engine obeys, already parsed and defaulted (the configuration layer fills them from
// cairn.conf and the command line).
import type { FreeSpaceMargin } from '../config';
import type { BackoffOptions } from '../fetch/backoff';

export interface EngineSettings {
  maxDownloadAttempts: number;
  stallTimeoutMs: number;
  backoff: BackoffOptions;
  /** Replaces the remote's URL for fetches (a mirror), or null. */
  urlOverride: string | null;
  /** Kept free on the repository's file system beyond the download's needs. */
  freeSpaceMargin: FreeSpaceMargin;
  hookTimeoutMs: number;
  /** Boots on which a failing checkpoint hook is tried again after the first. */
  hookMaxRetries: number;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  maxDownloadAttempts: 5,
  stallTimeoutMs: 60_000,
  backoff: { initialMs: 1000, maxMs: 60_000 },
  urlOverride: null,
  freeSpaceMargin: { percent: 5 },
  hookTimeoutMs: 10 * 60_000,
  hookMaxRetries: 3,
};
