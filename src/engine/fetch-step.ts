// SPDX-License-Identifier: LGPL-2.1-or-later
// Downloads one step's commit completely, through the resume relay, and keeps trying while the link
// makes progress. libostree does the pulling and verifying; this module only decides when to try
// again, when to give up, and when to stop asking for static deltas.
import { promises as fs } from 'node:fs';
import type { PullProgress, Repo } from '../binding';
import type { FreeSpaceMargin } from '../config';
import { isAbortError } from '../binding';
import { CairnError } from '../errors';
import { backoffDelay, sleep, type BackoffOptions } from '../fetch/backoff';
import { ResumeRelay, type RelayTlsOptions } from '../fetch';
import { ProgressTracker, type FetchProgress } from './progress';

export interface FetchStepOptions {
  repo: Repo;
  remote: string;
  commit: string;
  /** The server the relay forwards to: the remote's URL or the configured override. */
  upstreamUrl: string;
  tls?: RelayTlsOptions;
  /** Where the relay keeps partial downloads; survives crashes and reboots. */
  cacheDir: string;
  estimatedBytes: number | null;
  maxAttempts: number;
  stallTimeoutMs: number;
  backoff: BackoffOptions;
  signal: AbortSignal;
  onProgress?: (progress: FetchProgress) => void;
  log?: (message: string) => void;
}

export interface FetchStepResult {
  commit: string;
  /** Body bytes received from the server, every retry included. */
  upstreamBytes: number;
  pullAttempts: number;
  usedStaticDeltas: boolean;
}

/** Delta parts are large: after this many failed pulls that were using deltas, fetch objects instead. */
const DELTA_FAILURES_BEFORE_FALLBACK = 2;

export async function fetchStep(options: FetchStepOptions): Promise<FetchStepResult> {
  const { repo, remote, commit, signal } = options;
  const log = options.log ?? (() => undefined);
  // Local sources (file://: offline media, a share) need no resume layer: libostree imports directly.
  if (!/^https?:\/\//i.test(options.upstreamUrl)) {
    await repo
      .pull(remote, {
        refs: [commit],
        overrideUrl: options.upstreamUrl,
        signal,
        onProgress: (p) => options.onProgress?.(new ProgressTracker(options.estimatedBytes).update(p)),
      })
      .catch((err: unknown) => {
        throw isAbortError(err) ? new CairnError('cancelled', 'fetch cancelled', { cause: err }) : err;
      });
    return { commit, upstreamBytes: 0, pullAttempts: 1, usedStaticDeltas: false };
  }
  const relay = await ResumeRelay.start({
    upstreamUrl: options.upstreamUrl,
    cacheDir: options.cacheDir,
    tls: options.tls,
    maxAttempts: options.maxAttempts,
    stallTimeoutMs: options.stallTimeoutMs,
    backoff: options.backoff,
    log,
  });
  // A cancelled libostree pull still waits for the requests in flight (a whole large object); closing
  // the relay ends them at once. What the relay cached so far stays for the next try.
  const closeRelay = () => void relay.close();
  signal.addEventListener('abort', closeRelay, { once: true });
  const tracker = new ProgressTracker(options.estimatedBytes);
  let disableStaticDeltas = false;
  let deltaFailures = 0;
  let failuresWithoutProgress = 0;
  let pullAttempts = 0;
  try {
    for (;;) {
      pullAttempts += 1;
      const upstreamBefore = relay.stats.upstreamBytes;
      let last: PullProgress | null = null;
      try {
        await repo.pull(remote, {
          refs: [commit],
          overrideUrl: relay.url,
          disableStaticDeltas,
          // The relay retries inside each request; libostree's own retries would only repeat that.
          nNetworkRetries: 0,
          signal,
          onProgress: (p) => {
            last = p;
            options.onProgress?.(tracker.update(p));
          },
        });
        await relay.clearCache();
        return {
          commit,
          upstreamBytes: relay.stats.upstreamBytes,
          pullAttempts,
          usedStaticDeltas: !disableStaticDeltas,
        };
      } catch (err) {
        if (isAbortError(err) || signal.aborted) {
          throw new CairnError('cancelled', 'fetch cancelled; what was downloaded is kept for the next try', {
            cause: err,
          });
        }
        const progressed = relay.stats.upstreamBytes > upstreamBefore;
        failuresWithoutProgress = progressed ? 0 : failuresWithoutProgress + 1;
        const usedDeltas =
          !disableStaticDeltas && last !== null && (last as PullProgress).totalDeltaParts > 0;
        if (usedDeltas && ++deltaFailures >= DELTA_FAILURES_BEFORE_FALLBACK) {
          log('static delta keeps failing: fetching objects instead');
          disableStaticDeltas = true;
        }
        const message = err instanceof Error ? err.message : String(err);
        log(`pull attempt ${pullAttempts} failed${progressed ? ' after progress' : ''}: ${message}`);
        if (failuresWithoutProgress >= options.maxAttempts) {
          throw new CairnError(
            'network',
            `download of ${commit.slice(0, 12)} failed ${failuresWithoutProgress} times in a row without progress: ${message}`,
            { cause: err },
          );
        }
        tracker.nextAttempt(last);
        await sleep(backoffDelay(failuresWithoutProgress, options.backoff), signal).catch((sleepErr) => {
          throw new CairnError('cancelled', 'fetch cancelled', { cause: sleepErr });
        });
      }
    }
  } finally {
    signal.removeEventListener('abort', closeRelay);
    await relay.close();
  }
}

/**
 * Fails early when the download cannot fit: the relay's cache and the repository both hold the bytes
 * until the pull completes, so twice the estimate plus a margin must be free.
 */
export async function assertFreeSpace(
  dir: string,
  estimatedBytes: number | null,
  margin: FreeSpaceMargin,
): Promise<void> {
  if (estimatedBytes === null) return;
  const stats = await fs.statfs(dir);
  const free = stats.bavail * stats.bsize;
  const marginBytes =
    'bytes' in margin ? margin.bytes : Math.ceil((stats.blocks * stats.bsize * margin.percent) / 100);
  const needed = 2 * estimatedBytes + marginBytes;
  if (free < needed) {
    throw new CairnError(
      'no-space',
      `not enough free space in ${dir}: ${free} bytes free, about ${needed} needed (2 x the ${estimatedBytes}-byte download plus a margin)`,
    );
  }
}
