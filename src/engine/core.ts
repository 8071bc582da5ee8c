// SPDX-License-Identifier: LGPL-2.1-or-later
// The engine as the D-Bus service sees it (src/service/core.ts): one snapshot of what the device is
// doing, updated from the Updater's events, announced with 'changed'. No logic of its own beyond
// mapping operations to states.
import { EventEmitter } from 'node:events';
import { CairnError, type CairnErrorCode } from '../errors';
import type { Plan } from '../planner';
import type { CoreSnapshot, CoreState, CoreStep, UpdaterCore } from '../service/core';
import type { Status } from './status';
import type { Updater, UpdaterEvent } from './updater';

function stepOf(plan: Plan | null): CoreStep | null {
  const step = plan?.steps[0];
  if (!step) return null;
  return {
    commit: step.commit,
    ref: step.ref,
    version: step.version ?? '',
    checkpoint: step.checkpoint,
    downloadSize: step.estimatedDownloadBytes === null ? -1n : BigInt(step.estimatedDownloadBytes),
    unpackedSize: -1n,
  };
}

function stateOfStatus(status: Status): CoreState {
  switch (status.state) {
    case 'hooks-failed':
      return 'blocked';
    default:
      return status.state;
  }
}

export class EngineCore extends EventEmitter implements UpdaterCore {
  private current: CoreSnapshot;
  private running = false;
  /** The state of the plan made by the running operation, if it made one. */
  private planState: CoreState | null = null;

  private constructor(
    private readonly updater: Updater,
    status: Status,
  ) {
    super();
    this.current = {
      state: stateOfStatus(status),
      planJson: status.plan ? JSON.stringify(status.plan) : '',
      progress: 0,
      downloadedBytes: 0n,
      downloadSize: 0n,
      currentCommit: status.current.commit,
      currentRemote: status.current.remote,
      currentRef: status.current.ref,
      currentVersion: status.current.version ?? '',
      nextStep: stepOf(status.plan),
      lastError: status.lastError
        ? { code: status.lastError.code as CairnErrorCode, message: status.lastError.message }
        : null,
    };
    updater.on('event', (event: UpdaterEvent) => this.onEvent(event));
  }

  static async create(updater: Updater): Promise<EngineCore> {
    return new EngineCore(updater, await updater.status());
  }

  get busy(): boolean {
    return this.running;
  }

  snapshot(): CoreSnapshot {
    return { ...this.current };
  }

  check(): Promise<void> {
    return this.run('checking', async () => {
      await this.updater.check();
      return null;
    });
  }

  fetch(): Promise<void> {
    return this.run('fetching', async () => {
      const plan = await this.updater.fetch();
      return plan.steps.length > 0 ? 'fetched' : null;
    });
  }

  deploy(): Promise<void> {
    return this.run('deploying', async () => {
      const outcome = await this.updater.deploy();
      return outcome.deployed ? 'reboot-required' : null;
    });
  }

  update(): Promise<void> {
    return this.run('checking', async () => {
      const outcome = await this.updater.update();
      return outcome.deployed ? 'reboot-required' : null;
    });
  }

  cancel(): void {
    this.updater.cancel();
  }

  private set(changes: Partial<CoreSnapshot>): void {
    const keys = (Object.keys(changes) as (keyof CoreSnapshot)[]).filter(
      (k) => this.current[k] !== changes[k],
    );
    if (keys.length === 0) return;
    this.current = { ...this.current, ...changes };
    this.emit('changed', keys);
  }

  /**
   * Runs one operation. `body` resolves to its final state, or null for the state of the plan it made.
   * The final state, and everything else the operation changed, is announced only once `busy` is
   * false again: a client that reacts to it (eos: Poll -> UpdateAvailable -> Fetch) is never refused.
   */
  private async run(initial: CoreState, body: () => Promise<CoreState | null>): Promise<void> {
    if (this.running) throw new CairnError('busy', 'another operation is running');
    this.running = true;
    this.planState = null;
    this.set({ state: initial, progress: 0, downloadedBytes: 0n, lastError: null });
    try {
      const final = await body();
      const status = await this.updater.status();
      this.running = false;
      this.set({
        state: final ?? this.planState ?? stateOfStatus(status),
        progress: final === 'fetched' ? 1 : this.current.progress,
        currentCommit: status.current.commit,
        currentRef: status.current.ref,
        currentRemote: status.current.remote,
        currentVersion: status.current.version ?? '',
      });
    } catch (err) {
      const error = err instanceof CairnError ? err : new CairnError('internal', String(err));
      this.running = false;
      this.set({
        state: error.code === 'hooks-pending' ? 'reboot-required' : 'error',
        lastError: { code: error.code, message: error.message },
      });
      throw error;
    }
  }

  private onEvent(event: UpdaterEvent): void {
    switch (event.type) {
      case 'plan':
        // The plan's state is the outcome of the operation: it is announced when the operation ends.
        this.planState = event.plan.state;
        this.set({
          planJson: JSON.stringify(event.plan),
          nextStep: stepOf(event.plan),
          downloadSize: BigInt(event.plan.steps[0]?.estimatedDownloadBytes ?? 0),
        });
        break;
      case 'fetch-start':
        this.set({ state: 'fetching', progress: 0, downloadedBytes: 0n });
        break;
      case 'progress':
        this.set({ progress: event.progress.fraction, downloadedBytes: BigInt(event.progress.bytes) });
        break;
      case 'fetched':
        this.set({ progress: 1 });
        break;
      case 'deployed':
        this.set({ state: 'deploying' });
        break;
      default:
        break;
    }
  }
}
