// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn daemon` as a real child process on a private bus: idle exit, SIGTERM, names released, an
// operation keeps it alive, and the client's isDaemonRunning.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { Command } from 'commander';
import { registerDaemonCommand } from '../../src/cli/daemon-command';
import { isCairnError } from '../../src/errors';
import { connectUpdater, isDaemonRunning } from '../../src/service/client';
import { CAIRN_BUS_NAME } from '../../src/service/names';
import { connect, waitForName } from './bus-util';
import { FakeCore } from './fake-core';
import { startPrivateBus } from './private-bus';

const DAEMON = path.join(__dirname, 'fixtures/daemon-main.js');

interface Daemon {
  child: ChildProcess;
  exited: Promise<{ code: number | null; ms: number; output: string }>;
}

async function startDaemon(
  t: ExecutionContext,
  address: string,
  args: string[],
  stepMs = 20,
): Promise<Daemon> {
  const started = Date.now();
  const child = spawn(process.execPath, [DAEMON, 'daemon', ...args], {
    env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: address, FAKE_STEP_MS: String(stepMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; ms: number; output: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, ms: Date.now() - started, output })),
  );
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const bus = await connect(t, address);
  await Promise.race([waitForName(bus, CAIRN_BUS_NAME), exited]);
  return { child, exited };
}

test('exits after --idle-exit seconds without activity and releases its name', async (t) => {
  const bus = await startPrivateBus(t);
  const daemon = await startDaemon(t, bus.address, ['--idle-exit', '1']);
  t.true(await isDaemonRunning({ busAddress: bus.address }));
  const { code, ms, output } = await daemon.exited;
  t.is(code, 0, output);
  t.true(ms < 5000, `${ms} ms`);
  t.false(await isDaemonRunning({ busAddress: bus.address }));
});

test('SIGTERM stops it cleanly', async (t) => {
  const bus = await startPrivateBus(t);
  const daemon = await startDaemon(t, bus.address, ['--idle-exit', '0']);
  t.true(await isDaemonRunning({ busAddress: bus.address }));
  daemon.child.kill('SIGTERM');
  const { code, output } = await daemon.exited;
  t.is(code, 0, output);
  t.regex(output, /exited cleanly/);
  t.false(await isDaemonRunning({ busAddress: bus.address }));
});

test('a running operation keeps it alive past the idle timeout', async (t) => {
  const bus = await startPrivateBus(t);
  const daemon = await startDaemon(t, bus.address, ['--idle-exit', '1'], 400);
  const client = await connectUpdater({ busAddress: bus.address });
  t.teardown(() => client.close());
  await client.call('Update'); // 7 steps of 400 ms, far beyond the 1 s idle timeout
  const end = await client.waitForState((p) => p.state === 'reboot-required' || p.state === 'error');
  t.is(end.state, 'reboot-required');
  t.is(daemon.child.exitCode, null);
  const { code, output } = await daemon.exited;
  t.is(code, 0, output);
});

test('--idle-exit wants a non-negative number', async (t) => {
  const program = new Command('cairn').exitOverride().option('--sysroot <path>', 'sysroot', '/');
  registerDaemonCommand(program, async () => new FakeCore());
  const err = await t.throwsAsync(program.parseAsync(['node', 'cairn', 'daemon', '--idle-exit', 'soon']));
  t.true(isCairnError(err, 'bad-usage'), String(err));
});
