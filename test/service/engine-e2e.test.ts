// SPDX-License-Identifier: LGPL-2.1-or-later
// End to end: the real `cairn daemon` (the real engine) on a real private system bus with the shipped
// policy, a real release stream served on 127.0.0.1 and a real device sysroot. Clients wait on
// PropertiesChanged / StateChanged, never by polling. A simulated reboot is `cairn boot-hooks`.
import path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { isCairnError } from '../../src/errors';
import { EOS_BUS_NAME, EOS_INTERFACE, EOS_OBJECT_PATH } from '../../src/service/names';
import { describe, jsonOf, startCairn, type CairnResult } from '../engine/cli';
import { hookLog, makeBench, tracingHook, type Bench, type Release } from '../engine/fixtures';
import { fsck } from '../helpers/device';
import { run } from '../helpers/exec';
import { call, connect, getProperty, recordSignals } from './bus-util';
import {
  operate,
  planCommits,
  settled,
  startEngineDaemon,
  updaterClient,
  within,
  type EngineDaemon,
} from './engine-daemon';

const MB = 1_000_000;
const PROBE = path.join(__dirname, 'fixtures/policy-probe.js');
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied';

/** v1 (the device), v2 a checkpoint with a boot hook, v3 the tip. */
const CHECKPOINTED: Release[] = [
  { version: '1' },
  { version: '2', checkpoint: true, hooks: { '10-migrate': tracingHook('v2') } },
  { version: '3' },
];

/** v1 and a v2 big enough that its download, capped at 1 MB/s, lasts seconds. */
const BIG_STEP: Release[] = [
  { version: '1' },
  { version: '2', payload: [{ path: 'usr/share/bench/big.bin', size: 4 * MB, random: true, seed: 'big' }] },
];

async function setup(
  t: ExecutionContext,
  releases: Release[],
): Promise<{ bench: Bench; daemon: EngineDaemon }> {
  const bench = await makeBench(t, releases);
  // makeBench writes the configuration (fast retries) that its CLI uses; the daemon gets the same.
  const daemon = await startEngineDaemon(t, bench.device, path.join(bench.dir, 'cairn.conf'));
  return { bench, daemon };
}

/** `cairn ARGS` on the bench's device, in-process or (with --via-dbus) through the daemon. */
function cli(bench: Bench, daemon: EngineDaemon, args: string[]): Promise<CairnResult> {
  return bench.cli(args, { env: { DBUS_SYSTEM_BUS_ADDRESS: daemon.address }, timeoutMs: 60_000 });
}

async function simulatedReboot(t: ExecutionContext, bench: Bench, daemon: EngineDaemon): Promise<void> {
  const result = await cli(bench, daemon, ['boot-hooks']);
  t.is(result.code, 0, describe(result));
}

test('Updater1: Update walks the device through a checkpoint with a hook to the tip', async (t) => {
  const { bench, daemon } = await setup(t, CHECKPOINTED);
  const [v1, v2, v3] = bench.commits;
  const client = await updaterClient(t, daemon);
  t.is((await client.getAll()).currentCommit, v1);

  let props = await operate(client, 'Update');
  t.is(props.state, 'reboot-required', JSON.stringify(props.lastError));
  t.deepEqual(planCommits(props), [v2, v3]);
  t.true((JSON.parse(props.plan) as { steps: { checkpoint: boolean }[] }).steps[0].checkpoint);
  t.is(props.currentCommit, v2);

  // Before the reboot the checkpoint's hook has not run: the daemon refuses to go past it.
  props = await operate(client, 'Update');
  t.is(props.state, 'reboot-required');
  t.is(props.lastError?.code, 'hooks-pending');
  t.is(props.currentCommit, v2);

  await simulatedReboot(t, bench, daemon);
  t.deepEqual(await hookLog(bench.device), [`v2 ${v2}`]);
  props = await operate(client, 'Update');
  t.is(props.state, 'reboot-required', JSON.stringify(props.lastError));
  t.deepEqual(planCommits(props), [v3]);
  t.is(props.currentCommit, v3);

  await simulatedReboot(t, bench, daemon);
  props = await operate(client, 'Check');
  t.is(props.state, 'up-to-date');
  t.deepEqual(planCommits(props), []);
  props = await operate(client, 'Update');
  t.is(props.state, 'up-to-date');
  t.is(props.lastError, null);
  t.is(await bench.stream.resolve('os/stable'), v3);
  t.is(props.currentCommit, v3);
  t.true(daemon.alive(), daemon.output());
});

test('com.endlessm.Updater: Poll, Fetch and Apply one step with StateChanged 4, 6, 8', async (t) => {
  const { bench, daemon } = await setup(t, CHECKPOINTED);
  const [v1, v2] = bench.commits;
  const raw = await connect(t, daemon.address);
  const states = await recordSignals(raw, EOS_OBJECT_PATH, EOS_INTERFACE, 'StateChanged');
  const eos = (member: string) => call(raw, EOS_BUS_NAME, EOS_OBJECT_PATH, EOS_INTERFACE, member);
  const prop = (name: string) => getProperty(raw, EOS_BUS_NAME, EOS_OBJECT_PATH, EOS_INTERFACE, name);
  /** Waits for StateChanged to `state` or to Error (2), and tells which came. */
  const reach = async (state: number) => {
    const from = states.seen.length;
    await within(
      states.waitFor((body) => states.seen.indexOf(body) >= from && (body[0] === state || body[0] === 2)),
      30_000,
      `StateChanged(${state})`,
    );
    return prop('State');
  };
  t.is(await prop('CurrentID'), v1);
  t.is(await prop('OriginalRefspec'), 'origin:os/stable');

  await eos('Poll');
  t.is(await reach(4), 4, String(await prop('ErrorMessage')));
  t.is(await prop('UpdateID'), v2);
  t.is(await prop('Version'), '2');
  t.is(await prop('UpdateRefspec'), 'origin:os/stable');
  const size = (await prop('DownloadSize')) as bigint;
  t.true(size > 0n, `DownloadSize ${size}`);

  await eos('Fetch');
  t.is(await reach(6), 6, String(await prop('ErrorMessage')));
  t.is(await prop('UpdateID'), v2);
  t.true(((await prop('DownloadedBytes')) as bigint) > 0n);

  await eos('Apply');
  t.is(await reach(8), 8, String(await prop('ErrorMessage')));
  t.is(await prop('CurrentID'), v2);
  t.deepEqual(
    states.seen.map((body) => body[0]),
    [3, 4, 5, 6, 7, 8],
  );
});

test('Cancel mid-fetch: State error with LastError cancelled, the repo is fsck-clean, Update then completes', async (t) => {
  const { bench, daemon } = await setup(t, BIG_STEP);
  const [, v2] = bench.commits;
  bench.server.faults = { bandwidthBytesPerSec: 1 * MB };
  const client = await updaterClient(t, daemon);
  await client.call('Update');
  const fetching = await within(
    client.waitForState(
      (p) =>
        p.downloadedBytes > 0n ||
        p.progress > 0 ||
        !['checking', 'update-available', 'fetching'].includes(p.state),
    ),
    30_000,
    'download progress',
  );
  t.is(fetching.state, 'fetching');
  await client.call('Cancel');
  const cancelled = await settled(client);
  t.is(cancelled.state, 'error');
  t.is(cancelled.lastError?.code, 'cancelled');
  t.true(daemon.alive(), daemon.output());
  await fsck(bench.device.repoPath);

  bench.server.faults = {};
  const done = await operate(client, 'Update');
  t.is(done.state, 'reboot-required', JSON.stringify(done.lastError));
  t.is(done.lastError, null);
  t.is(done.currentCommit, v2);
  await fsck(bench.device.repoPath);
});

test('a second Update while one runs gets org.cairn.Updater1.Error.Busy', async (t) => {
  const { bench, daemon } = await setup(t, BIG_STEP);
  bench.server.faults = { bandwidthBytesPerSec: 1 * MB };
  const client = await updaterClient(t, daemon);
  await client.call('Update');
  const second = await t.throwsAsync(client.call('Update'));
  t.true(isCairnError(second, 'busy'), String(second));
  const raw = await connect(t, daemon.address);
  const eosPoll = await t.throwsAsync(call(raw, EOS_BUS_NAME, EOS_OBJECT_PATH, EOS_INTERFACE, 'Poll'));
  t.is((eosPoll as { type?: string }).type, 'com.endlessm.Updater.Error.WrongState');
  await client.call('Cancel');
  t.is((await settled(client)).lastError?.code, 'cancelled');
});

test('as nobody, Update is AccessDenied while properties are readable, and nothing starts', async (t) => {
  const { bench, daemon } = await setup(t, CHECKPOINTED);
  const [cmd, ...args] = [...AS_NOBODY, process.execPath, PROBE, daemon.address];
  const results = JSON.parse((await run(cmd, args)).stdout) as Record<string, string>;
  for (const member of ['cairn.Update', 'cairn.Check', 'cairn.Cancel', 'eos.Poll', 'eos.Apply']) {
    t.is(results[member], ACCESS_DENIED, member);
  }
  for (const member of ['cairn.Get', 'cairn.GetAll', 'eos.Get']) t.is(results[member], 'ok', member);
  const client = await updaterClient(t, daemon);
  const props = await client.getAll();
  t.is(props.state, 'idle');
  t.is(props.currentCommit, bench.commits[0]);
  t.is(bench.server.requests, 0);
});

test('cairn --via-dbus check/update give the exit codes of the in-process CLI (0/3/4)', async (t) => {
  const { bench, daemon } = await setup(t, CHECKPOINTED);
  const [, v2, v3] = bench.commits;
  const both = async (args: string[]) => {
    const inProcess = await cli(bench, daemon, args);
    const viaDbus = await cli(bench, daemon, ['--via-dbus', ...args]);
    return { inProcess, viaDbus };
  };

  const checked = await both(['--json', 'check']);
  t.is(checked.inProcess.code, 0, describe(checked.inProcess));
  t.is(checked.viaDbus.code, 0, describe(checked.viaDbus));
  const steps = (r: CairnResult) => jsonOf<{ steps: { commit: string }[] }>(r).steps.map((s) => s.commit);
  t.deepEqual(steps(checked.viaDbus), steps(checked.inProcess));
  t.deepEqual(steps(checked.viaDbus), [v2, v3]);

  const deployed = await cli(bench, daemon, ['--via-dbus', '--json', 'update']);
  t.is(deployed.code, 4, describe(deployed));
  // Both now stop at the checkpoint whose hook has not run.
  const waiting = await both(['--json', 'update']);
  t.is(waiting.inProcess.code, 4, describe(waiting.inProcess));
  t.is(waiting.viaDbus.code, 4, describe(waiting.viaDbus));

  await simulatedReboot(t, bench, daemon);
  const last = await cli(bench, daemon, ['--via-dbus', '--json', 'update']);
  t.is(last.code, 4, describe(last));
  await simulatedReboot(t, bench, daemon);
  const upToDate = await both(['--json', 'update']);
  t.is(upToDate.inProcess.code, 3, describe(upToDate.inProcess));
  t.is(upToDate.viaDbus.code, 3, describe(upToDate.viaDbus));
  const checkedAgain = await both(['--json', 'check']);
  t.is(checkedAgain.inProcess.code, 3, describe(checkedAgain.inProcess));
  t.is(checkedAgain.viaDbus.code, 3, describe(checkedAgain.viaDbus));
  t.is(jsonOf<{ state: string }>(checkedAgain.viaDbus).state, 'up-to-date');
  t.is((await (await updaterClient(t, daemon)).getAll()).currentCommit, v3);
});

test('a client that disconnects mid-fetch does not disturb the daemon: the update completes', async (t) => {
  const { bench, daemon } = await setup(t, BIG_STEP);
  const [, v2] = bench.commits;
  bench.server.faults = { bandwidthBytesPerSec: 2 * MB };
  const watcher = await updaterClient(t, daemon);
  // The CLI drives the daemon and is killed (no chance to cancel) once the download is under way.
  const driver = startCairn(['--via-dbus', 'update'], { env: { DBUS_SYSTEM_BUS_ADDRESS: daemon.address } });
  const fetching = await within(
    watcher.waitForState((p) => p.downloadedBytes > 0n || ['error', 'reboot-required'].includes(p.state)),
    30_000,
    'download progress',
  );
  t.is(fetching.state, 'fetching');
  driver.child.kill('SIGKILL');
  t.is((await driver.done).signal, 'SIGKILL');
  const done = await settled(watcher);
  t.is(done.state, 'reboot-required', JSON.stringify(done.lastError));
  t.is(done.currentCommit, v2);
  t.true(daemon.alive(), daemon.output());
});
