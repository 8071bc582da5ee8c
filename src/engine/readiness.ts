// SPDX-License-Identifier: LGPL-2.1-or-later
// The rule that keeps devices from being bricked: nothing newer is deployed until the current
// deployment is booted and every one of its boot hooks has succeeded (DESIGN.md §4).
import { listBootHooks } from '../hooks';
import type { CairnState, HookRecord } from '../state';
import { deploymentKey } from '../state';
import type { Device } from './device';

export type Readiness =
  | { kind: 'ready' }
  /** A newer deployment is written and waits for a reboot. */
  | { kind: 'reboot-pending'; commit: string }
  /** The current deployment has hooks that have not run (or must run again) on a boot. */
  | { kind: 'hooks-pending'; pending: string[] }
  /** A hook failed on every allowed boot: the device stays here until a fix is published. */
  | { kind: 'hooks-failed'; failed: HookRecord; attempts: number };

export interface HookView {
  name: string;
  status: 'pending' | HookRecord['status'];
  exitCode: number | null;
}

/** The current deployment's hooks with what the state file says about each. */
export async function currentHooks(device: Device, state: CairnState): Promise<HookView[]> {
  const { hooks } = await listBootHooks(device.current.path);
  const records =
    state.deployments[deploymentKey(device.current.checksum, device.current.deployserial)]?.hooks ?? [];
  return hooks.map((hook) => {
    const record = records.find((r) => r.name === hook.name);
    return { name: hook.name, status: record?.status ?? 'pending', exitCode: record?.exitCode ?? null };
  });
}

export async function readiness(
  device: Device,
  state: CairnState,
  hookMaxRetries: number,
): Promise<Readiness> {
  if (device.pending) return { kind: 'reboot-pending', commit: device.pending.checksum };
  const hooks = await currentHooks(device, state);
  const notDone = hooks.filter((h) => h.status !== 'succeeded');
  if (notDone.length === 0) return { kind: 'ready' };
  const record = state.deployments[deploymentKey(device.current.checksum, device.current.deployserial)];
  const failed = record?.hooks.find((h) => h.status === 'failed');
  if (failed && record && record.bootAttempts > hookMaxRetries) {
    return { kind: 'hooks-failed', failed, attempts: record.bootAttempts };
  }
  return { kind: 'hooks-pending', pending: notDone.map((h) => h.name) };
}
