// SPDX-License-Identifier: LGPL-2.1-or-later
// Retry pacing: exponential backoff with full jitter (a uniform delay between 0 and the capped
// exponential), so many devices that lost the same link do not come back in lockstep.
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60000 };

/** Delay before the next attempt after `failures` failed attempts in a row (0 after progress). */
export function backoffDelay(failures: number, options: BackoffOptions, random = Math.random): number {
  if (failures <= 0) return 0;
  const cap = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(failures - 1, 40));
  return Math.floor(random() * cap);
}

/** Sleeps `ms`; the timer is cleared and the promise rejects with an AbortError when `signal` fires. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) {
    signal.throwIfAborted();
    return;
  }
  await delay(ms, undefined, { signal });
}
