// SPDX-License-Identifier: LGPL-2.1-or-later
// The real thing for the service's end-to-end tests: a private system bus with the shipped policy,
// and `cairn --sysroot DEVICE daemon` as a child process serving the real engine on it. The daemon
// runs the compiled CLI next to this compiled file (dist/ or .out/NAME/), through test/engine/cli.ts.
import type { ExecutionContext } from 'ava';
import { connectUpdater } from '../../src/service/client';
import type { UpdaterClient } from '../../src/service/client';
import type { UpdaterProperties } from '../../src/service/cairn-properties';
import { CAIRN_BUS_NAME, EOS_BUS_NAME } from '../../src/service/names';
import { startCairn, type CairnProcess, type CairnResult } from '../engine/cli';
import type { Device } from '../helpers/device';
import { connect, waitForName } from './bus-util';
import { SHIPPED_POLICY, startPrivateBus } from './private-bus';

export const POLICY = SHIPPED_POLICY;

/** States in which an operation is still running. */
export const WORKING: readonly string[] = ['checking', 'fetching', 'deploying'];

export interface EngineDaemon {
  address: string;
  process: CairnProcess;
  /** The daemon's stderr so far, for assertion messages. */
  output(): string;
  /** Whether the daemon process is still running. */
  alive(): boolean;
}

/**
 * Starts a private bus and `cairn --sysroot SYSROOT --config CONFIG daemon --idle-exit 0` on it, and
 * resolves once the daemon owns both names. Both processes are stopped when the test ends.
 */
export async function startEngineDaemon(
  t: ExecutionContext,
  device: Device,
  configPath: string,
): Promise<EngineDaemon> {
  const bus = await startPrivateBus(t, POLICY);
  const args = ['--sysroot', device.sysroot, '--config', configPath, 'daemon', '--idle-exit', '0'];
  const child = startCairn(args, { env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address }, timeoutMs: 120_000 });
  let stderr = '';
  child.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let result: CairnResult | null = null;
  const exited = child.done.then(
    (r) => (result = r),
    () => undefined,
  );
  t.teardown(async () => {
    if (result === null) {
      child.child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (result === null) child.child.kill('SIGKILL');
    }
  });
  const watcher = await connect(t, bus.address);
  const owned = Promise.all([waitForName(watcher, CAIRN_BUS_NAME), waitForName(watcher, EOS_BUS_NAME)]);
  await Promise.race([
    owned,
    exited.then(() => {
      throw new Error(`cairn daemon exited before owning its names:\n${stderr}`);
    }),
  ]);
  return {
    address: bus.address,
    process: child,
    output: () => stderr,
    alive: () => result === null,
  };
}

/** A client of org.cairn.Updater1 on the daemon's bus, closed when the test ends. */
export async function updaterClient(t: ExecutionContext, daemon: EngineDaemon): Promise<UpdaterClient> {
  const client = await connectUpdater({ busAddress: daemon.address });
  t.teardown(() => client.close());
  return client;
}

/** Rejects after `ms` with a message naming what did not happen: a failing test ends instead of hanging. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits (on PropertiesChanged) until no operation runs any more; the final properties. */
export function settled(client: UpdaterClient, ms = 30_000): Promise<UpdaterProperties> {
  return within(
    client.waitForState((p) => !WORKING.includes(p.state)),
    ms,
    'the operation to end',
  );
}

/** Calls `method` and waits for the operation it started to end. */
export async function operate(
  client: UpdaterClient,
  method: 'Check' | 'Fetch' | 'Deploy' | 'Update',
  ms = 30_000,
): Promise<UpdaterProperties> {
  await client.call(method);
  return settled(client, ms);
}

/** The commits of the steps in a Plan property. */
export function planCommits(props: UpdaterProperties): string[] {
  if (props.plan === '') return [];
  return (JSON.parse(props.plan) as { steps: { commit: string }[] }).steps.map((s) => s.commit);
}
