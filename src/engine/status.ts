// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn status`: what the device runs, what waits for a reboot, its hooks, the plan and the last
// error, from the sysroot and the state file (no network).
import type { Plan } from '../planner';
import type { CairnState } from '../state';
import { deploymentKey } from '../state';
import type { Device } from './device';
import type { Readiness } from './readiness';

export type DeviceState =
  | 'idle'
  | 'update-available'
  | 'up-to-date'
  | 'waiting-for-target'
  | 'blocked'
  | 'reboot-required'
  | 'hooks-failed';

export interface Status {
  state: DeviceState;
  current: {
    commit: string;
    ref: string;
    remote: string;
    version: string | null;
    os: string;
    booted: boolean;
  };
  pendingDeployment: { commit: string; ref: string | null; staged: boolean } | null;
  hooks: { name: string; status: string; exitCode: number | null; attempts: number }[];
  plan: Plan | null;
  plannedAt: string | null;
  lastError: { code: string; message: string; at: string } | null;
}

function version(device: Device, commit: string): string | null {
  try {
    const value = device.repo.loadCommit(commit).metadata.version;
    return typeof value === 'string' ? value : null;
  } catch {
    return null;
  }
}

export function buildStatus(device: Device, state: CairnState, ready: Readiness): Status {
  const current = device.current;
  const plan = (state.plan as Plan | null) ?? null;
  const planIsCurrent = plan !== null && plan.current.commit === current.checksum;
  const record = state.deployments[deploymentKey(current.checksum, current.deployserial)];
  let deviceState: DeviceState;
  switch (ready.kind) {
    case 'reboot-pending':
    case 'hooks-pending':
      deviceState = 'reboot-required';
      break;
    case 'hooks-failed':
      deviceState = 'hooks-failed';
      break;
    case 'ready':
      deviceState = planIsCurrent ? plan.state : 'idle';
  }
  const hookRecords = record?.hooks ?? [];
  const pendingHooks = ready.kind === 'hooks-pending' ? ready.pending : [];
  const hooks = [
    ...hookRecords.map((h) => ({
      name: h.name,
      status: h.status,
      exitCode: h.exitCode,
      attempts: h.attempts,
    })),
    ...pendingHooks
      .filter((name) => !hookRecords.some((h) => h.name === name))
      .map((name) => ({ name, status: 'pending', exitCode: null, attempts: 0 })),
  ];
  const pending = device.pending;
  return {
    state: deviceState,
    current: {
      commit: current.checksum,
      ref: device.ref,
      remote: device.remote,
      version: version(device, current.checksum),
      os: device.osName,
      booted: device.booted,
    },
    pendingDeployment: pending
      ? { commit: pending.checksum, ref: pending.originRefspec, staged: pending.staged }
      : null,
    hooks,
    plan: planIsCurrent ? plan : null,
    plannedAt: planIsCurrent ? state.plannedAt : null,
    lastError: state.lastError,
  };
}
