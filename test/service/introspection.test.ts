// SPDX-License-Identifier: LGPL-2.1-or-later
// The interface XML shipped for /usr/share/dbus-1/interfaces/ matches what the daemon really exports.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { UpdaterService } from '../../src/service/updater-service';
import {
  CAIRN_BUS_NAME,
  CAIRN_INTERFACE,
  CAIRN_OBJECT_PATH,
  EOS_BUS_NAME,
  EOS_INTERFACE,
  EOS_OBJECT_PATH,
} from '../../src/service/names';
import { call, connect } from './bus-util';
import { FakeCore } from './fake-core';
import { parseIntrospection } from './introspection-xml';
import { REPO_ROOT, startPrivateBus } from './private-bus';

const cases = [
  {
    iface: CAIRN_INTERFACE,
    dest: CAIRN_BUS_NAME,
    objectPath: CAIRN_OBJECT_PATH,
    file: 'org.cairn.Updater1.xml',
  },
  { iface: EOS_INTERFACE, dest: EOS_BUS_NAME, objectPath: EOS_OBJECT_PATH, file: 'com.endlessm.Updater.xml' },
];

for (const { iface, dest, objectPath, file } of cases) {
  test(`live introspection of ${iface} equals systemd/${file}`, async (t) => {
    const bus = await startPrivateBus(t);
    const service = await UpdaterService.start(new FakeCore(), {
      busAddress: bus.address,
      log: () => undefined,
    });
    t.teardown(() => service.stop());
    const raw = await connect(t, bus.address);
    const [xml] = (await call(
      raw,
      dest,
      objectPath,
      'org.freedesktop.DBus.Introspectable',
      'Introspect',
    )) as [string];
    const live = parseIntrospection(xml);
    const shipped = parseIntrospection(await readFile(path.join(REPO_ROOT, 'systemd', file), 'utf8'));
    t.deepEqual(Object.keys(shipped), [iface]);
    t.true(Object.keys(live[iface]?.methods ?? {}).length > 0);
    t.deepEqual(live[iface], shipped[iface]);
  });
}
