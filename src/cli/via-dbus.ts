// SPDX-License-Identifier: LGPL-2.1-or-later
// The CLI as a client of a running `cairn daemon`: so two programs never fight over one device, a
// command on the running system goes through the daemon when it owns its bus name (or always with
// --via-dbus). It starts the operation, follows PropertiesChanged until the operation ends, and
// prints what the daemon's properties say.
import { CairnError } from '../errors';
import type { Plan } from '../planner';
import { connectUpdater, isDaemonRunning, type UpdaterMethod } from '../service/client';
import type { UpdaterProperties } from '../service/cairn-properties';
import type { CoreState } from '../service/core';
import { ExitCode } from './exit-codes';
import { formatPlan } from './format-plan';
import { printJson, type GlobalOptions } from './context';

const WORKING: readonly CoreState[] = ['checking', 'fetching', 'deploying'];

/** Whether this command should go through the daemon. */
export async function useDaemon(opts: GlobalOptions & { viaDbus?: boolean }): Promise<boolean> {
  if (opts.viaDbus) return true;
  // The daemon serves the running system; a directory sysroot is always handled in-process.
  if (opts.sysroot !== '/') return false;
  return isDaemonRunning().catch(() => false);
}

function exitCodeOf(props: UpdaterProperties): number {
  switch (props.state) {
    case 'update-available':
    case 'fetched':
      return ExitCode.Done;
    case 'up-to-date':
    case 'waiting-for-target':
    case 'idle':
      return ExitCode.NothingToDo;
    case 'reboot-required':
      return ExitCode.RebootRequired;
    default:
      return ExitCode.Error;
  }
}

/** Runs `method` on the daemon and waits for its outcome; resolves to the exit code. */
export async function runViaDaemon(
  method: Exclude<UpdaterMethod, 'Cancel'>,
  opts: GlobalOptions,
): Promise<number> {
  const client = await connectUpdater();
  const abort = new AbortController();
  const onSignal = () => {
    void client.call('Cancel').catch(() => undefined);
  };
  process.once('SIGINT', onSignal);
  try {
    await client.call(method);
    const props = await client.waitForState((p) => !WORKING.includes(p.state), {
      signal: abort.signal,
      onChange: (p) => {
        if (!opts.json && p.state === 'fetching' && process.stderr.isTTY) {
          process.stderr.write(
            `\rfetching: ${(p.progress * 100).toFixed(0)}% (${p.downloadedBytes} bytes)\x1b[K`,
          );
        }
      },
    });
    if (!opts.json && process.stderr.isTTY) process.stderr.write('\n');
    const plan = props.plan ? (JSON.parse(props.plan) as Plan) : null;
    if (props.state === 'error' && props.lastError) {
      throw new CairnError(props.lastError.code, props.lastError.message);
    }
    if (opts.json) printJson({ ...(plan ?? {}), state: props.state, lastError: props.lastError });
    else if (props.state === 'reboot-required')
      process.stdout.write('A step is deployed: reboot to continue.\n');
    else if (plan) process.stdout.write(formatPlan(plan));
    else process.stdout.write(`${props.state}\n`);
    return exitCodeOf(props);
  } finally {
    process.removeListener('SIGINT', onSignal);
    client.close();
  }
}

export async function cancelViaDaemon(): Promise<boolean> {
  const client = await connectUpdater();
  try {
    const before = await client.getAll();
    await client.call('Cancel');
    return WORKING.includes(before.state);
  } finally {
    client.close();
  }
}
