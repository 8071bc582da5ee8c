// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn boot-hooks`: runs the current deployment's pending hooks once, early in a boot, and records
// each outcome in the state file before the updater may continue.
import { promises as fs } from 'node:fs';
import { CairnError } from '../errors';
import { runBootHooks, type BootHooksSummary } from '../hooks';
import { deploymentKey, recordEvent, type DeploymentRecord, type StateStore } from '../state';
import type { Device } from './device';
import { readiness } from './readiness';

export interface RunHooksOptions {
  device: Device;
  store: StateStore;
  timeoutMs: number;
  maxRetries: number;
  onOutput?: (hook: string, line: string) => void;
}

export interface RunHooksResult {
  commit: string;
  summary: BootHooksSummary | null;
  /** Why nothing ran: no hooks, all done, or the retries are used up. */
  skipped: 'nothing-pending' | 'retries-exhausted' | null;
}

async function bootId(): Promise<string | null> {
  try {
    return (await fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  } catch {
    return null;
  }
}

export async function runCurrentHooks(options: RunHooksOptions): Promise<RunHooksResult> {
  const { device, store } = options;
  const state = store.state;
  const current = device.current;
  const ready = await readiness(device, state, options.maxRetries);
  if (ready.kind === 'ready' || ready.kind === 'reboot-pending') {
    return { commit: current.checksum, summary: null, skipped: 'nothing-pending' };
  }
  if (ready.kind === 'hooks-failed') {
    return { commit: current.checksum, summary: null, skipped: 'retries-exhausted' };
  }
  const key = deploymentKey(current.checksum, current.deployserial);
  const record: DeploymentRecord = (state.deployments[key] ??= {
    commit: current.checksum,
    fromCommit: null,
    hooks: [],
    bootAttempts: 0,
  });
  record.bootAttempts += 1;
  recordEvent(state, 'boot-hooks-start', `${current.checksum} attempt ${record.bootAttempts}`);
  await store.save();

  const summary = await runBootHooks({
    deploymentRoot: current.path,
    env: {
      CAIRN_DEPLOYMENT: current.path,
      CAIRN_FROM_COMMIT: record.fromCommit ?? '',
      CAIRN_TO_COMMIT: current.checksum,
      CAIRN_SYSROOT: device.sysroot.path,
      CAIRN_VAR: device.varPath,
    },
    timeoutMs: options.timeoutMs,
    records: record.hooks,
    save: async () => store.save(),
    onOutput: options.onOutput,
    bootId: await bootId(),
  });

  const step = state.steps.find((s) => s.commit === current.checksum);
  const now = new Date().toISOString();
  if (summary.error) {
    state.lastError = { code: summary.error.code, message: summary.error.message, at: now };
    recordEvent(state, 'boot-hooks-failed', summary.error.message);
  } else {
    if (step) {
      step.status = 'done';
      step.bootedAt ??= now;
      step.doneAt = now;
    }
    if (state.lastError && ['hook-failed', 'hook-timeout', 'hooks-pending'].includes(state.lastError.code)) {
      state.lastError = null;
    }
    recordEvent(state, 'boot-hooks-done', `${current.checksum}: ${summary.ran.length} ran`);
  }
  await store.save();
  return { commit: current.checksum, summary, skipped: null };
}

/** The error to show while the device may not move on. */
export function notReadyError(kind: 'hooks-pending' | 'hooks-failed', detail: string): CairnError {
  return kind === 'hooks-pending'
    ? new CairnError('hooks-pending', `boot hooks of the current deployment have not all run yet: ${detail}`)
    : new CairnError('hook-failed', detail);
}
