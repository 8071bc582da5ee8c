// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn cancel` without a daemon: ask the process that holds the device's operation lock to stop.
// It handles SIGINT by aborting its operation cleanly (partial downloads are kept).
import { openDevice } from '../engine/device';
import { operationLockHolder } from '../state';
import type { GlobalOptions } from './context';

/** Resolves to a description of what was cancelled, or null when nothing was running. */
export async function cancelRunningOperation(opts: GlobalOptions): Promise<string | null> {
  const device = openDevice({ sysrootPath: opts.sysroot, osName: opts.os });
  const holder = await operationLockHolder(device.stateDir);
  if (holder === null || holder.pid === process.pid) return null;
  process.kill(holder.pid, 'SIGINT');
  return `${holder.purpose ?? 'operation'} (pid ${holder.pid})`;
}
