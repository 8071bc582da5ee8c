// SPDX-License-Identifier: LGPL-2.1-or-later
// An UpdaterCore double for the service tests: a real EventEmitter that walks the states of each
// operation on timers, reports fetch progress in ticks and honours cancel(). The bus side is real.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { CairnError, isCairnError } from '../../src/errors';
import type { CoreSnapshot, CoreState, UpdaterCore } from '../../src/service/core';

export interface FakeCoreOptions {
  /** Duration of each state of an operation. */
  stepMs?: number;
  /** Number of progress updates during a fetch. */
  fetchTicks?: number;
  /** Delay between progress updates. */
  tickMs?: number;
  downloadSize?: bigint;
}

export const NEXT_COMMIT = 'b'.repeat(64);

export class FakeCore extends EventEmitter implements UpdaterCore {
  readonly calls: string[] = [];
  private abort: AbortController | null = null;
  private snap: CoreSnapshot = {
    state: 'idle',
    planJson: '',
    progress: 0,
    downloadedBytes: 0n,
    downloadSize: 0n,
    currentCommit: 'a'.repeat(64),
    currentRemote: 'origin',
    currentRef: 'os/stable',
    currentVersion: '1.0',
    nextStep: null,
    lastError: null,
  };

  constructor(private readonly opts: FakeCoreOptions = {}) {
    super();
  }

  get busy(): boolean {
    return this.abort !== null;
  }

  snapshot(): CoreSnapshot {
    return { ...this.snap };
  }

  check(): Promise<void> {
    return this.run('check', 'checking', async (signal) => {
      await this.pause(signal);
      const step = {
        commit: NEXT_COMMIT,
        ref: 'os/stable',
        version: '2.0',
        checkpoint: true,
        downloadSize: this.size,
        unpackedSize: this.size * 2n,
      };
      return {
        state: 'update-available',
        nextStep: step,
        planJson: JSON.stringify({ state: 'update-available' }),
      };
    });
  }

  fetch(): Promise<void> {
    return this.run('fetch', 'fetching', async (signal) => {
      await this.fetchSteps(signal);
      return { state: 'fetched' };
    });
  }

  deploy(): Promise<void> {
    return this.run('deploy', 'deploying', async (signal) => {
      await this.pause(signal);
      return { state: 'reboot-required' };
    });
  }

  update(): Promise<void> {
    return this.run('update', 'checking', async (signal) => {
      await this.pause(signal);
      this.set({ state: 'fetching' });
      await this.fetchSteps(signal);
      this.set({ state: 'fetched' });
      this.set({ state: 'deploying' });
      await this.pause(signal);
      return { state: 'reboot-required' };
    });
  }

  cancel(): void {
    this.calls.push('cancel');
    this.abort?.abort();
  }

  /** Sets snapshot fields and announces them, as the real engine does. */
  set(patch: Partial<CoreSnapshot>): void {
    Object.assign(this.snap, patch);
    this.emit('changed', Object.keys(patch));
  }

  private get size(): bigint {
    return this.opts.downloadSize ?? 1_000_000n;
  }

  private async fetchSteps(signal: AbortSignal): Promise<void> {
    const ticks = this.opts.fetchTicks ?? 5;
    this.set({ downloadSize: this.size, downloadedBytes: 0n, progress: 0 });
    for (let i = 1; i <= ticks; i++) {
      await this.pause(signal, this.opts.tickMs ?? this.opts.stepMs ?? 20);
      this.set({ progress: i / ticks, downloadedBytes: (this.size * BigInt(i)) / BigInt(ticks) });
    }
  }

  private pause(signal: AbortSignal, ms = this.opts.stepMs ?? 20): Promise<void> {
    return sleep(ms, undefined, { signal }).catch(() => {
      throw new CairnError('cancelled', 'operation cancelled');
    });
  }

  /** Runs an operation; busy ends before its final state is announced, as UpdaterCore requires. */
  private async run(
    name: string,
    first: CoreState,
    body: (signal: AbortSignal) => Promise<Partial<CoreSnapshot>>,
  ): Promise<void> {
    if (this.abort !== null) throw new CairnError('busy', 'busy');
    this.calls.push(name);
    const abort = new AbortController();
    this.abort = abort;
    this.set({ state: first, lastError: null });
    let outcome: Partial<CoreSnapshot>;
    try {
      outcome = await body(abort.signal);
    } catch (err) {
      this.abort = null;
      const code = isCairnError(err) ? err.code : 'internal';
      this.set({
        state: 'error',
        lastError: { code, message: err instanceof Error ? err.message : String(err) },
      });
      throw err;
    }
    this.abort = null;
    this.set(outcome);
  }
}
