// SPDX-License-Identifier: LGPL-2.1-or-later
// Turns libostree's pull counters into what a person or a UI wants: bytes against the estimate,
// objects, delta parts, a smoothed rate and an ETA.
import type { PullProgress } from '../binding';

export interface FetchProgress {
  /** Bytes received over the network in this fetch, across retries. */
  bytes: number;
  /** Estimated bytes for the step (null when unknown). */
  estimatedBytes: number | null;
  fetchedObjects: number;
  requestedObjects: number;
  fetchedDeltaParts: number;
  totalDeltaParts: number;
  /** Bytes per second, exponentially smoothed. */
  rate: number;
  /** Seconds left at the current rate, null when unknown. */
  etaSeconds: number | null;
  /** 0..1, from bytes when the estimate is known, else from objects. */
  fraction: number;
  attempt: number;
}

const SMOOTHING = 0.3;

export class ProgressTracker {
  private carried = 0; // bytes of earlier attempts: libostree's counter restarts with each pull
  private lastBytes = 0;
  private lastAt = 0;
  private rate = 0;
  private attempt = 1;

  constructor(
    private readonly estimatedBytes: number | null,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Call when a pull attempt ends and another starts. */
  nextAttempt(lastSnapshot: PullProgress | null): void {
    if (lastSnapshot) this.carried += Number(lastSnapshot.bytesTransferred);
    this.attempt += 1;
  }

  update(p: PullProgress): FetchProgress {
    const bytes = this.carried + Number(p.bytesTransferred);
    const at = this.now();
    if (this.lastAt > 0 && at > this.lastAt) {
      const instant = ((bytes - this.lastBytes) * 1000) / (at - this.lastAt);
      this.rate = this.rate === 0 ? instant : this.rate + SMOOTHING * (instant - this.rate);
    }
    this.lastAt = at;
    this.lastBytes = bytes;
    const estimate = this.estimatedBytes;
    const objectsFraction = p.requested > 0 ? p.fetched / p.requested : 0;
    const fraction = estimate && estimate > 0 ? Math.min(1, bytes / estimate) : Math.min(1, objectsFraction);
    const remaining = estimate !== null ? Math.max(0, estimate - bytes) : null;
    return {
      bytes,
      estimatedBytes: estimate,
      fetchedObjects: p.fetched,
      requestedObjects: p.requested,
      fetchedDeltaParts: p.fetchedDeltaParts,
      totalDeltaParts: p.totalDeltaParts,
      rate: Math.round(this.rate),
      etaSeconds: remaining !== null && this.rate > 0 ? Math.round(remaining / this.rate) : null,
      fraction,
      attempt: this.attempt,
    };
  }
}
