// SPDX-License-Identifier: LGPL-2.1-or-later
// What every part of one relay session shares: the upstream client, the cache, the retry settings,
// the counters and the signal that fires when the relay closes.
import type { BackoffOptions } from './backoff';
import type { CacheStore } from './cache';
import type { UpstreamClient } from './upstream';

export interface RelayStats {
  /** Body bytes received from the update server (every attempt). */
  upstreamBytes: number;
  /** Body bytes sent to libostree. */
  servedBytes: number;
  /** Range requests answered with 206: downloads continued at an offset. */
  resumes: number;
  /** Requests sent upstream (first tries and retries). */
  attempts: number;
  /** Requests answered from a complete cache entry without contacting the server. */
  cacheHits: number;
}

export interface RetryOptions {
  /** Attempts in a row without a new byte before the relay gives up on a request. */
  maxAttempts: number;
  /** No byte for this long aborts the upstream request (counts as a failed attempt). */
  stallTimeoutMs: number;
  backoff: BackoffOptions;
}

export interface RelayContext {
  readonly client: UpstreamClient;
  readonly cache: CacheStore;
  readonly retry: RetryOptions;
  readonly stats: RelayStats;
  /** Fires when the relay closes: every request, retry and sleep ends. */
  readonly signal: AbortSignal;
  /** Cleared for the rest of the session once the server answers a Range request with 200. */
  readonly rangeSupport: { supported: boolean };
  onTransfer(bytes: number): void;
  log(message: string): void;
}

/** Statuses worth retrying: the server or something in between is struggling, the file may exist. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
