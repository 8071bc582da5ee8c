// SPDX-License-Identifier: LGPL-2.1-or-later
// scripts/install.sh into a temporary DESTDIR: the layout, the rewritten admin group and timer
// schedule, production dependencies only, units that verify, and an installed `cairn --help` that runs.
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { run } from '../helpers/exec';
import { makeTempDir } from '../helpers/tmp';
import { REPO_ROOT } from './private-bus';
import { systemdVerify } from './systemd-verify';

const BUILD_DIR = path.resolve(__dirname, '../..');
const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

test('install.sh lays out a working installation', async (t) => {
  const destdir = await makeTempDir(t, 'cairn-install-');
  const addon = path.join(destdir, 'fake-addon.node');
  await writeFile(addon, 'not really an addon');
  await run('bash', [path.join(REPO_ROOT, 'scripts/install.sh')], {
    env: {
      ...process.env,
      DESTDIR: path.join(destdir, 'root'),
      PREFIX: '/usr',
      ADMIN_GROUP: 'updaters',
      BUILD_DIR,
      NATIVE_ADDON: addon,
      UPDATE_INTERVAL: '6h',
      UPDATE_RANDOM_DELAY: '10min',
    },
  });
  const root = path.join(destdir, 'root');
  const usr = path.join(root, 'usr');
  const lib = path.join(usr, 'lib/cairn');

  for (const file of [
    'lib/cairn/dist/src/cli/main.js',
    'lib/cairn/dist/src/service/updater-service.js',
    'lib/cairn/package.json',
    'lib/cairn/bin/cairn',
    'lib/cairn/build/Release/cairn_native.node',
    'lib/cairn/node_modules/dbus-next/package.json',
    'lib/cairn/node_modules/commander/package.json',
    'lib/cairn/cairn.conf.d/00-defaults.conf',
    'lib/systemd/system/cairn.service',
    'lib/systemd/system/cairn-boot-hooks.service',
    'lib/systemd/system/cairn-update.service',
    'lib/systemd/system/cairn-update.timer',
    'share/dbus-1/system.d/org.cairn.Updater1.conf',
    'share/dbus-1/system-services/org.cairn.Updater1.service',
    'share/dbus-1/interfaces/org.cairn.Updater1.xml',
    'share/dbus-1/interfaces/com.endlessm.Updater.xml',
    'lib/sysusers.d/cairn.conf',
  ]) {
    t.true(await exists(path.join(usr, file)), file);
  }
  // Development tools and tests stay out.
  t.false(await exists(path.join(lib, 'node_modules/ava')));
  t.false(await exists(path.join(lib, 'node_modules/typescript')));
  t.false(await exists(path.join(lib, 'dist/test')));

  const policy = await readFile(path.join(usr, 'share/dbus-1/system.d/org.cairn.Updater1.conf'), 'utf8');
  t.regex(policy, /group="updaters"/);
  t.notRegex(policy, /group="cairn-admin"/);
  t.regex(await readFile(path.join(usr, 'lib/sysusers.d/cairn.conf'), 'utf8'), /^g updaters -$/m);
  const dropin = await readFile(
    path.join(usr, 'lib/systemd/system/cairn-update.timer.d/10-schedule.conf'),
    'utf8',
  );
  t.regex(dropin, /^OnUnitActiveSec=6h$/m);
  t.regex(dropin, /^RandomizedDelaySec=10min$/m);

  const wrapper = path.join(usr, 'bin/cairn');
  t.true(((await stat(wrapper)).mode & 0o111) !== 0);
  t.regex(await readFile(wrapper, 'utf8'), /exec ".*node" "\/usr\/lib\/cairn\/bin\/cairn" "\$@"/);
  // The wrapper names the final location; run the same entry point inside DESTDIR.
  const { stdout } = await run(process.execPath, [path.join(lib, 'bin/cairn'), '--help']);
  t.regex(stdout, /Usage: cairn/);

  const units = ['cairn.service', 'cairn-boot-hooks.service', 'cairn-update.service', 'cairn-update.timer'];
  const verified = await systemdVerify(root, units);
  t.is(verified.code, 0, verified.output);
  t.is(verified.output.trim(), '', verified.output);
});

test('install.sh refuses a bad admin group name', async (t) => {
  const destdir = await makeTempDir(t, 'cairn-install-');
  const err = await t.throwsAsync(
    run('bash', [path.join(REPO_ROOT, 'scripts/install.sh')], {
      env: { ...process.env, DESTDIR: destdir, ADMIN_GROUP: 'evil" user="*', BUILD_DIR, NATIVE_ADDON: '' },
    }),
  );
  t.regex(err?.message ?? '', /not a valid group name/);
});
