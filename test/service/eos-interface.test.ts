// SPDX-License-Identifier: LGPL-2.1-or-later
// com.endlessm.Updater over a real private bus: eos-updater's state machine, StateChanged, its
// properties, WrongState, Cancel, and coexistence with a real eos-updater owning the name.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { NameFlag, Variant } from 'dbus-next';
import type { MessageBus } from 'dbus-next';
import { UpdaterService } from '../../src/service/updater-service';
import { CAIRN_BUS_NAME, EOS_BUS_NAME, EOS_INTERFACE, EOS_OBJECT_PATH } from '../../src/service/names';
import { call, connect, errorName, getProperty, recordSignals } from './bus-util';
import { FakeCore, NEXT_COMMIT } from './fake-core';
import type { FakeCoreOptions } from './fake-core';
import { startPrivateBus } from './private-bus';

const WRONG_STATE = 'com.endlessm.Updater.Error.WrongState';

async function setup(t: ExecutionContext, opts: FakeCoreOptions = {}) {
  const bus = await startPrivateBus(t);
  const core = new FakeCore(opts);
  const service = await UpdaterService.start(core, { busAddress: bus.address, log: () => undefined });
  t.teardown(() => service.stop());
  const raw = await connect(t, bus.address);
  const states = await recordSignals(raw, EOS_OBJECT_PATH, EOS_INTERFACE, 'StateChanged');
  const eos = (member: string, signature = '', body: unknown[] = []) =>
    call(raw, EOS_BUS_NAME, EOS_OBJECT_PATH, EOS_INTERFACE, member, signature, body);
  const prop = (name: string, dest = EOS_BUS_NAME) =>
    getProperty(raw, dest, EOS_OBJECT_PATH, EOS_INTERFACE, name);
  return { core, service, raw, states, eos, prop, address: bus.address };
}

const reached = (state: number) => (body: unknown[]) => body[0] === state;

test('Poll, Fetch and Apply walk eos-updater states 1 -> 3 -> 4 -> 5 -> 6 -> 7 -> 8', async (t) => {
  const { states, eos, prop, service } = await setup(t);
  t.true(service.ownsEosName);
  t.is(await prop('State'), 1);
  t.is(await prop('UpdateID'), '');
  t.is(await prop('DownloadSize'), 0n);
  t.is(await prop('OriginalRefspec'), 'origin:os/stable');
  t.is(await prop('CurrentID'), 'a'.repeat(64));

  await eos('Poll');
  await states.waitFor(reached(4));
  t.is(await prop('UpdateID'), NEXT_COMMIT);
  t.is(await prop('UpdateRefspec'), 'origin:os/stable');
  t.is(await prop('Version'), '2.0');
  t.is(await prop('UpdateIsUserVisible'), true);
  t.is(await prop('DownloadSize'), 1_000_000n);
  t.is(await prop('UnpackedSize'), 2_000_000n);

  await eos('FetchFull', 'a{sv}', [{ force: new Variant('b', true) }]);
  await states.waitFor(reached(6));
  t.is(await prop('DownloadedBytes'), 1_000_000n);

  await eos('Apply');
  await states.waitFor(reached(8));
  t.deepEqual(
    states.seen.map((body) => body[0]),
    [3, 4, 5, 6, 7, 8],
  );
  t.is(await prop('ErrorName'), '');
});

test('methods called in the wrong state get WrongState and start nothing', async (t) => {
  const { core, eos, states } = await setup(t, { stepMs: 200 });
  t.is(await errorName(eos('Fetch')), WRONG_STATE);
  t.is(await errorName(eos('Apply')), WRONG_STATE);
  t.is(await errorName(eos('Cancel')), WRONG_STATE);
  await eos('Poll');
  await states.waitFor(reached(3));
  t.is(await errorName(eos('Poll')), WRONG_STATE);
  t.is(await errorName(eos('Apply')), WRONG_STATE);
  t.deepEqual(core.calls, ['check']);
});

test('Cancel during Fetching ends in Error with com.endlessm.Updater.Error.Cancelled', async (t) => {
  const { eos, states, prop } = await setup(t, { stepMs: 10, fetchTicks: 40, tickMs: 50 });
  await eos('Poll');
  await states.waitFor(reached(4));
  await eos('Fetch');
  await states.waitFor(reached(5));
  await eos('Cancel');
  await states.waitFor(reached(2));
  t.is(await prop('ErrorName'), 'com.endlessm.Updater.Error.Cancelled');
  t.not(await prop('ErrorCode'), 0);
  t.regex(String(await prop('ErrorMessage')), /cancel/);
  // eos-updater allows Poll again from Error.
  await eos('Poll');
  await states.waitFor(reached(4));
  t.is(await prop('ErrorName'), '');
});

test('an existing com.endlessm.Updater owner keeps its name; the eos object stays reachable on ours', async (t) => {
  const bus = await startPrivateBus(t);
  const eosUpdater: MessageBus = await connect(t, bus.address);
  await eosUpdater.requestName(EOS_BUS_NAME, NameFlag.DO_NOT_QUEUE);
  const lines: string[] = [];
  const service = await UpdaterService.start(new FakeCore(), {
    busAddress: bus.address,
    log: (line) => lines.push(line),
  });
  t.teardown(() => service.stop());
  t.false(service.ownsEosName);
  t.true(lines.some((line) => line.includes(EOS_BUS_NAME)));
  const raw = await connect(t, bus.address);
  t.is(await getProperty(raw, CAIRN_BUS_NAME, EOS_OBJECT_PATH, EOS_INTERFACE, 'State'), 1);
});

test('eosName: false leaves com.endlessm.Updater alone', async (t) => {
  const bus = await startPrivateBus(t);
  const service = await UpdaterService.start(new FakeCore(), { busAddress: bus.address, eosName: false });
  t.teardown(() => service.stop());
  t.false(service.ownsEosName);
  const raw = await connect(t, bus.address);
  const [owned] = await call(
    raw,
    'org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus',
    'NameHasOwner',
    's',
    [EOS_BUS_NAME],
  );
  t.false(owned);
});
