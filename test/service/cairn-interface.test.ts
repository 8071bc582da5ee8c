// SPDX-License-Identifier: LGPL-2.1-or-later
// org.cairn.Updater1 over a real private bus with a core double: properties, PropertiesChanged,
// Busy, Cancel, clients that vanish, rate-limited progress and errors without JS stacks.
import test from 'ava';
import { Message, Variant } from 'dbus-next';
import { isCairnError } from '../../src/errors';
import { connectUpdater } from '../../src/service/client';
import { UpdaterService } from '../../src/service/updater-service';
import { CAIRN_BUS_NAME, CAIRN_INTERFACE, CAIRN_OBJECT_PATH } from '../../src/service/names';
import { call, connect, errorName, recordSignals } from './bus-util';
import { FakeCore } from './fake-core';
import type { FakeCoreOptions } from './fake-core';
import { startPrivateBus } from './private-bus';
import type { ExecutionContext } from 'ava';

async function setup(t: ExecutionContext, opts: FakeCoreOptions = {}) {
  const bus = await startPrivateBus(t);
  const core = new FakeCore(opts);
  const service = await UpdaterService.start(core, { busAddress: bus.address, log: () => undefined });
  t.teardown(() => service.stop());
  const client = await connectUpdater({ busAddress: bus.address });
  t.teardown(() => client.close());
  return { bus, core, service, client };
}

test('properties mirror the core and Check reports its outcome through PropertiesChanged', async (t) => {
  const { client } = await setup(t);
  const before = await client.getAll();
  t.is(before.state, 'idle');
  t.is(before.currentRef, 'os/stable');
  t.is(before.version, '1.0');
  t.is(before.lastError, null);
  t.is(before.plan, '');

  const seen: string[] = [];
  const waiting = client.waitForState((p) => p.state === 'update-available', {
    onChange: (p) => seen.push(p.state),
  });
  await client.call('Check');
  const after = await waiting;
  t.deepEqual(JSON.parse(after.plan), { state: 'update-available' });
  t.true(seen.includes('checking'), `states seen: ${seen.join(',')}`);
});

test('a second mutating call while an operation runs is refused with Busy', async (t) => {
  const { client, core } = await setup(t, { stepMs: 10_000 });
  await client.call('Check');
  for (const method of ['Check', 'Fetch', 'Deploy', 'Update'] as const) {
    const err = await t.throwsAsync(client.call(method));
    t.true(isCairnError(err, 'busy'), `${method}: ${String(err)}`);
  }
  await client.call('Cancel');
  const end = await client.waitForState((p) => p.state === 'error');
  t.is(end.lastError?.code, 'cancelled');
  t.deepEqual(core.calls, ['check', 'cancel']);
});

test('Cancel stops the running fetch; the outcome shows in State and LastError', async (t) => {
  const { client } = await setup(t, { stepMs: 10, fetchTicks: 50, tickMs: 50 });
  await client.call('Check');
  await client.waitForState((p) => p.state === 'update-available');
  await client.call('Fetch');
  await client.waitForState((p) => p.state === 'fetching' && p.downloadedBytes > 0n);
  await client.call('Cancel');
  const end = await client.waitForState((p) => p.state === 'error');
  t.is(end.lastError?.code, 'cancelled');
  t.true(end.progress < 1);
});

test('a client that disconnects mid-operation does not disturb the daemon', async (t) => {
  const { bus, client } = await setup(t, { stepMs: 50 });
  const leaving = await connectUpdater({ busAddress: bus.address });
  await leaving.call('Update');
  leaving.close();
  const end = await client.waitForState((p) => p.state === 'reboot-required' || p.state === 'error');
  t.is(end.state, 'reboot-required');
  t.is(end.lastError, null);
  // The daemon still answers.
  await client.call('Check');
  t.is((await client.waitForState((p) => p.state === 'update-available')).state, 'update-available');
});

test('progress announcements are rate-limited but the final values arrive', async (t) => {
  const { bus, client } = await setup(t, { fetchTicks: 400, tickMs: 1, stepMs: 1 });
  const raw = await connect(t, bus.address);
  const changes = await recordSignals(
    raw,
    CAIRN_OBJECT_PATH,
    'org.freedesktop.DBus.Properties',
    'PropertiesChanged',
  );
  await client.call('Check');
  await client.waitForState((p) => p.state === 'update-available');
  const started = Date.now();
  await client.call('Fetch');
  const end = await client.waitForState((p) => p.state === 'fetched');
  const elapsed = Date.now() - started;
  t.is(end.progress, 1);
  t.is(end.downloadedBytes, end.downloadSize);
  const progressSignals = changes.seen.filter((body) => 'Progress' in (body[1] as object)).length;
  // 400 core updates; at most one announcement per 100 ms plus those riding on state changes.
  t.true(progressSignals <= Math.ceil(elapsed / 100) + 4, `${progressSignals} signals in ${elapsed} ms`);
  t.true(progressSignals >= 1);
});

test('waitForState stops on abort', async (t) => {
  const { client } = await setup(t);
  const controller = new AbortController();
  const waiting = client.waitForState((p) => p.state === 'reboot-required', { signal: controller.signal });
  controller.abort();
  const err = await t.throwsAsync(waiting);
  t.true(isCairnError(err, 'cancelled'));
});

test('failures reach callers as named errors, never as JS stacks', async (t) => {
  const { bus, core } = await setup(t);
  core.cancel = () => {
    throw new Error('boom in the engine');
  };
  const raw = await connect(t, bus.address);
  const err = (await call(raw, CAIRN_BUS_NAME, CAIRN_OBJECT_PATH, CAIRN_INTERFACE, 'Cancel').catch(
    (e: unknown) => e,
  )) as { type: string; text: string };
  t.is(err.type, 'org.cairn.Updater1.Error.Internal');
  t.notRegex(err.text, /boom|\bat .*\.js/);

  const setErr = (await raw
    .call(
      new Message({
        destination: CAIRN_BUS_NAME,
        path: CAIRN_OBJECT_PATH,
        interface: 'org.freedesktop.DBus.Properties',
        member: 'Set',
        signature: 'ssv',
        body: [CAIRN_INTERFACE, 'State', new Variant('s', 'idle')],
      }),
    )
    .catch((e: unknown) => e)) as { type: string; text: string };
  t.is(setErr.type, 'org.freedesktop.DBus.Error.InvalidArgs');
  t.notRegex(setErr.text, /\bat .*\.js/);
  // The daemon keeps serving after both failures.
  t.is(await errorName(call(raw, CAIRN_BUS_NAME, CAIRN_OBJECT_PATH, CAIRN_INTERFACE, 'Check')), 'ok');
});
