// SPDX-License-Identifier: LGPL-2.1-or-later
// The shipped systemd units pass `systemd-analyze verify` without a single warning, checked in a
// temporary root that has the host's units and a stub /usr/bin/cairn; the activation file agrees
// with cairn.service.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { makeTempDir } from '../helpers/tmp';
import { REPO_ROOT } from './private-bus';
import { UNIT_DIR, systemdVerify } from './systemd-verify';

const UNITS = ['cairn.service', 'cairn-boot-hooks.service', 'cairn-update.service', 'cairn-update.timer'];
const SYSTEMD_DIR = path.join(REPO_ROOT, 'systemd');

/** Verifies `units` (name to text) in a temporary root with a stub /usr/bin/cairn. */
async function verify(
  t: ExecutionContext,
  units: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const root = await makeTempDir(t, 'cairn-units-');
  await mkdir(path.join(root, 'usr/bin'), { recursive: true });
  await mkdir(path.join(root, UNIT_DIR), { recursive: true });
  await writeFile(path.join(root, 'usr/bin/cairn'), '#!/bin/sh\nexit 0\n');
  await chmod(path.join(root, 'usr/bin/cairn'), 0o755);
  for (const [name, text] of Object.entries(units)) await writeFile(path.join(root, UNIT_DIR, name), text);
  return systemdVerify(root, Object.keys(units));
}

async function shippedUnits(): Promise<Record<string, string>> {
  const units: Record<string, string> = {};
  for (const unit of UNITS) units[unit] = await readFile(path.join(SYSTEMD_DIR, unit), 'utf8');
  return units;
}

test('systemd-analyze verify accepts every shipped unit without a warning', async (t) => {
  const { code, output } = await verify(t, await shippedUnits());
  t.is(code, 0, output);
  t.is(output.trim(), '', output);
});

test('the verification does catch a broken unit (control)', async (t) => {
  const units = await shippedUnits();
  units['cairn.service'] = units['cairn.service'].replace(
    'ProtectHome=yes',
    'ProtectHome=yes\nProtectEverything=yes',
  );
  units['cairn-update.service'] = units['cairn-update.service'].replace(
    '/usr/bin/cairn auto',
    '/usr/bin/cairn-missing auto',
  );
  const { output } = await verify(t, units);
  t.regex(output, /ProtectEverything/);
  t.regex(output, /cairn-missing/);
});

test('the D-Bus activation file starts cairn.service for its bus name', async (t) => {
  const activation = await readFile(path.join(SYSTEMD_DIR, 'org.cairn.Updater1.service'), 'utf8');
  const service = await readFile(path.join(SYSTEMD_DIR, 'cairn.service'), 'utf8');
  const key = (text: string, name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1];
  t.regex(activation, /^\[D-BUS Service\]$/m);
  t.is(key(activation, 'Name'), 'org.cairn.Updater1');
  t.is(key(activation, 'SystemdService'), 'cairn.service');
  t.is(key(activation, 'User'), 'root');
  t.is(key(service, 'BusName'), key(activation, 'Name'));
  t.is(key(service, 'Type'), 'dbus');
  t.is(key(activation, 'Exec'), key(service, 'ExecStart'));
});
