// SPDX-License-Identifier: LGPL-2.1-or-later
// The update engine: check, fetch, deploy, update and boot hooks, one operation at a time per device
// (a lock shared with every other cairn process), every step recorded in the state file before and
// after it happens. The D-Bus service and the CLI are thin layers over this class.
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { CairnError } from '../errors';
import type { Plan, PlanStep } from '../planner';
import { acquireOperationLock, recordEvent, StateStore, type CairnState, type StepRecord } from '../state';
import { deploymentKey } from '../state';
import { deployStep } from './deploy-step';
import { openDevice, type Device } from './device';
import { assertFreeSpace, fetchStep } from './fetch-step';
import { planDevice, upstreamOf } from './planning';
import type { FetchProgress } from './progress';
import { readiness, type Readiness } from './readiness';
import { runCurrentHooks, type RunHooksResult } from './run-hooks';
import type { EngineSettings } from './settings';
import { buildStatus, type Status } from './status';

export interface UpdaterOptions {
  sysrootPath: string;
  osName?: string;
  settings: EngineSettings;
  /** cairn's version, recorded in the state file. */
  version: string;
  log?: (message: string) => void;
}

export type Operation = 'check' | 'fetch' | 'deploy' | 'update' | 'boot-hooks';

export type UpdaterEvent =
  | { type: 'operation'; operation: Operation; phase: 'start' | 'end'; error?: CairnError }
  | { type: 'plan'; plan: Plan }
  | { type: 'fetch-start'; step: PlanStep; index: number; total: number }
  | { type: 'progress'; step: PlanStep; progress: FetchProgress }
  | { type: 'fetched'; step: PlanStep }
  | { type: 'deployed'; step: PlanStep; staged: boolean }
  | { type: 'hook-output'; hook: string; line: string };

export interface UpdateOutcome {
  plan: Plan;
  /** The step deployed by this call, or null when there was nothing to deploy. */
  deployed: PlanStep | null;
  /** The device must reboot (or run its boot hooks) before cairn can go on. */
  rebootRequired: boolean;
}

const STATE_FILE = 'state.json';

export class Updater extends EventEmitter {
  private controller: AbortController | null = null;

  constructor(private readonly options: UpdaterOptions) {
    super();
  }

  get busy(): boolean {
    return this.controller !== null;
  }

  /** Aborts the running operation; it rejects with `cancelled` and keeps what it downloaded. */
  cancel(): void {
    this.controller?.abort();
  }

  private emitEvent(event: UpdaterEvent): void {
    this.emit('event', event);
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  /**
   * Runs `body` holding the device's operation lock, with a fresh view of the sysroot and the state.
   * A failure is recorded as the state's lastError (unless it is about the state file itself).
   */
  private async operate<T>(
    operation: Operation,
    body: (ctx: { device: Device; store: StateStore; signal: AbortSignal }) => Promise<T>,
  ): Promise<T> {
    if (this.controller) throw new CairnError('busy', `another operation is running in this process`);
    const controller = new AbortController();
    this.controller = controller;
    this.emitEvent({ type: 'operation', operation, phase: 'start' });
    let store: StateStore | null = null;
    let release: (() => Promise<void>) | null = null;
    try {
      const device = openDevice({ sysrootPath: this.options.sysrootPath, osName: this.options.osName });
      release = await acquireOperationLock(device.stateDir, { wait: false, purpose: operation });
      store = new StateStore(path.join(device.stateDir, STATE_FILE), { version: this.options.version });
      await store.load();
      const result = await body({ device, store, signal: controller.signal });
      this.emitEvent({ type: 'operation', operation, phase: 'end' });
      return result;
    } catch (err) {
      const error = toCairnError(err);
      if (store && !['state-too-new', 'state-corrupt', 'busy'].includes(error.code)) {
        await recordFailure(store, operation, error).catch(() => undefined);
      }
      this.emitEvent({ type: 'operation', operation, phase: 'end', error });
      throw error;
    } finally {
      this.controller = null;
      await release?.();
    }
  }

  async status(): Promise<Status> {
    const device = openDevice({ sysrootPath: this.options.sysrootPath, osName: this.options.osName });
    const store = new StateStore(path.join(device.stateDir, STATE_FILE), { version: this.options.version });
    const state = await store.load();
    return buildStatus(device, state, await readiness(device, state, this.options.settings.hookMaxRetries));
  }

  check(): Promise<Plan> {
    return this.operate('check', async ({ device, store, signal }) => this.plan(device, store, signal));
  }

  fetch(options: { all?: boolean } = {}): Promise<Plan> {
    return this.operate('fetch', async ({ device, store, signal }) => {
      const plan = await this.plan(device, store, signal);
      const steps = options.all ? plan.steps : plan.steps.slice(0, 1);
      for (const [index, step] of steps.entries()) {
        await this.fetchOne(device, store, step, index, steps.length, signal);
      }
      return plan;
    });
  }

  deploy(): Promise<UpdateOutcome> {
    return this.operate('deploy', async ({ device, store, signal }) => {
      const plan = await this.plan(device, store, signal);
      return this.deployNext(device, store, plan);
    });
  }

  /** check, fetch and deploy the next step. */
  update(): Promise<UpdateOutcome> {
    return this.operate('update', async ({ device, store, signal }) => {
      const plan = await this.plan(device, store, signal);
      const step = plan.steps[0];
      if (step) await this.fetchOne(device, store, step, 0, 1, signal);
      return this.deployNext(device, store, plan);
    });
  }

  bootHooks(): Promise<RunHooksResult> {
    return this.operate('boot-hooks', async ({ device, store }) =>
      runCurrentHooks({
        device,
        store,
        timeoutMs: this.options.settings.hookTimeoutMs,
        maxRetries: this.options.settings.hookMaxRetries,
        onOutput: (hook, line) => this.emitEvent({ type: 'hook-output', hook, line }),
      }),
    );
  }

  /** Whether the current deployment has hooks to run (what `boot-hooks --pending` answers). */
  async hooksPending(): Promise<boolean> {
    const device = openDevice({ sysrootPath: this.options.sysrootPath, osName: this.options.osName });
    const store = new StateStore(path.join(device.stateDir, STATE_FILE), { version: this.options.version });
    const state = await store.load();
    return (await readiness(device, state, this.options.settings.hookMaxRetries)).kind === 'hooks-pending';
  }

  /** Plans from the current deployment, refusing to look past one whose hooks are not done. */
  private async plan(device: Device, store: StateStore, signal: AbortSignal): Promise<Plan> {
    const state = store.state;
    const ready = await readiness(device, state, this.options.settings.hookMaxRetries);
    assertReady(ready);
    const plan = await planDevice(device, this.options.settings, signal);
    state.tracking = { remote: device.remote, ref: device.ref };
    state.plan = plan;
    state.plannedAt = new Date().toISOString();
    state.steps = mergeSteps(state.steps, plan.steps);
    if (plan.error) {
      state.lastError = { code: plan.error.code, message: plan.error.message, at: state.plannedAt };
    } else if (state.lastError) {
      state.lastError = null;
    }
    recordEvent(state, 'check', `${plan.state}: ${plan.steps.length} step(s)`);
    await store.save();
    this.emitEvent({ type: 'plan', plan });
    return plan;
  }

  private async fetchOne(
    device: Device,
    store: StateStore,
    step: PlanStep,
    index: number,
    total: number,
    signal: AbortSignal,
  ): Promise<void> {
    const record = stepRecord(store.state, step);
    if (isFetched(device, step.commit)) {
      record.status = record.status === 'planned' || record.status === 'fetching' ? 'fetched' : record.status;
      await store.save();
      return;
    }
    const settings = this.options.settings;
    const cacheDir = path.join(device.stateDir, 'download-cache');
    await assertFreeSpace(device.repo.path, step.estimatedDownloadBytes, settings.freeSpaceMargin);
    record.status = 'fetching';
    record.attempts += 1;
    recordEvent(store.state, 'fetch-start', step.commit);
    await store.save();
    this.emitEvent({ type: 'fetch-start', step, index, total });
    const upstream = upstreamOf(device, settings);
    await fetchStep({
      repo: device.repo,
      remote: device.remote,
      commit: step.commit,
      upstreamUrl: upstream.url,
      tls: upstream.tls,
      cacheDir,
      estimatedBytes: step.estimatedDownloadBytes,
      maxAttempts: settings.maxDownloadAttempts,
      stallTimeoutMs: settings.stallTimeoutMs,
      backoff: settings.backoff,
      signal,
      onProgress: (progress) => this.emitEvent({ type: 'progress', step, progress }),
      log: (message) => this.log(message),
    });
    // Pin it: a cleanup before it is deployed must not prune what was just downloaded.
    device.repo.setRef(null, pinRef(step.commit), step.commit);
    record.status = 'fetched';
    record.fetchedAt = new Date().toISOString();
    recordEvent(store.state, 'fetched', step.commit);
    await store.save();
    this.emitEvent({ type: 'fetched', step });
  }

  private async deployNext(device: Device, store: StateStore, plan: Plan): Promise<UpdateOutcome> {
    const step = plan.steps[0];
    if (!step) return { plan, deployed: null, rebootRequired: false };
    if (!isFetched(device, step.commit)) {
      throw new CairnError(
        'deploy-failed',
        `step ${step.commit} is not downloaded yet: run \`cairn fetch\` first`,
      );
    }
    const state = store.state;
    const record = stepRecord(state, step);
    record.attempts += 1;
    recordEvent(state, 'deploy-start', step.commit);
    await store.save();
    const deployment = await deployStep({ device, commit: step.commit, ref: step.ref });
    device.repo.setRef(null, pinRef(step.commit), null);
    state.deployments[deploymentKey(deployment.checksum, deployment.deployserial)] = {
      commit: deployment.checksum,
      fromCommit: device.current.checksum,
      hooks: [],
      bootAttempts: 0,
    };
    record.status = 'deployed';
    record.deployedAt = new Date().toISOString();
    state.tracking = { remote: device.remote, ref: step.ref };
    recordEvent(state, 'deployed', `${step.commit} (${step.ref})${device.booted ? ', staged' : ''}`);
    await store.save();
    this.emitEvent({ type: 'deployed', step, staged: device.booted });
    return { plan, deployed: step, rebootRequired: true };
  }
}

function pinRef(commit: string): string {
  return `cairn/fetched/${commit}`;
}

function isFetched(device: Device, commit: string): boolean {
  if (!device.repo.hasObject('commit', commit)) return false;
  return !device.repo.loadCommit(commit).partial;
}

function stepRecord(state: CairnState, step: PlanStep): StepRecord {
  let record = state.steps.find((s) => s.commit === step.commit);
  if (!record) {
    record = { commit: step.commit, ref: step.ref, kind: step.kind, status: 'planned', attempts: 0 };
    state.steps.push(record);
  }
  return record;
}

/** Keeps what is known about steps that are still in the plan; forgets the others. */
function mergeSteps(previous: StepRecord[], steps: PlanStep[]): StepRecord[] {
  return steps.map(
    (step) =>
      previous.find((r) => r.commit === step.commit) ?? {
        commit: step.commit,
        ref: step.ref,
        kind: step.kind,
        status: 'planned',
        attempts: 0,
      },
  );
}

function assertReady(ready: Readiness): void {
  switch (ready.kind) {
    case 'ready':
      return;
    case 'reboot-pending':
      throw new CairnError('hooks-pending', `deployment of ${ready.commit} is waiting for a reboot`);
    case 'hooks-pending':
      throw new CairnError(
        'hooks-pending',
        `boot hooks of the current deployment have not all run yet (${ready.pending.join(', ')}): reboot or run \`cairn boot-hooks\``,
      );
    case 'hooks-failed':
      throw new CairnError(
        'hook-failed',
        `boot hook ${ready.failed.name} failed on ${ready.attempts} boot(s) (exit ${ready.failed.exitCode ?? ready.failed.signal}); the device stays on this checkpoint`,
      );
  }
}

function toCairnError(err: unknown): CairnError {
  if (err instanceof CairnError) return err;
  if (err instanceof Error && err.name === 'AbortError')
    return new CairnError('cancelled', 'cancelled', { cause: err });
  return new CairnError('internal', err instanceof Error ? err.message : String(err), { cause: err });
}

async function recordFailure(store: StateStore, operation: Operation, error: CairnError): Promise<void> {
  const state = store.state;
  if (error.code !== 'hooks-pending') {
    state.lastError = { code: error.code, message: error.message, at: new Date().toISOString() };
  }
  recordEvent(state, `${operation}-failed`, `${error.code}: ${error.message}`);
  await store.save();
}
