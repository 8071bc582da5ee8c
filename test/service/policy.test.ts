// SPDX-License-Identifier: LGPL-2.1-or-later
// The shipped bus policy on a real private system bus: root may do everything, an unprivileged user
// (nobody, through setpriv) may only read, and a member of the admin group may call the methods.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { UpdaterService } from '../../src/service/updater-service';
import { run } from '../helpers/exec';
import { makeTempDir } from '../helpers/tmp';
import { FakeCore } from './fake-core';
import { SHIPPED_POLICY, startPrivateBus } from './private-bus';

const PROBE = path.join(__dirname, 'fixtures/policy-probe.js');
const ACCESS_DENIED = 'org.freedesktop.DBus.Error.AccessDenied';
const MUTATING = [
  'cairn.Check',
  'cairn.Fetch',
  'cairn.Deploy',
  'cairn.Update',
  'cairn.Cancel',
  'eos.Poll',
  'eos.Fetch',
  'eos.FetchFull',
  'eos.Apply',
  'eos.Cancel',
];
const READS = ['cairn.Get', 'cairn.GetAll', 'cairn.Introspect', 'eos.Get', 'eos.GetAll'];
const AS_NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];

async function serve(t: ExecutionContext, policy?: string): Promise<string> {
  const bus = await startPrivateBus(t, policy);
  // Slow steps: the probes' Check must not finish and change what later probes see.
  const service = await UpdaterService.start(new FakeCore({ stepMs: 5000 }), {
    busAddress: bus.address,
    log: () => undefined,
  });
  t.teardown(() => service.stop());
  return bus.address;
}

async function probe(address: string, prefix: string[] = []): Promise<Record<string, string>> {
  const [cmd, ...args] = [...prefix, process.execPath, PROBE, address];
  const { stdout } = await run(cmd, args);
  return JSON.parse(stdout) as Record<string, string>;
}

test('root may call every method and read every property', async (t) => {
  const results = await probe(await serve(t));
  for (const member of [...MUTATING, ...READS]) t.not(results[member], ACCESS_DENIED, member);
  for (const member of READS) t.is(results[member], 'ok', member);
  t.is(results['cairn.Check'], 'ok');
});

test('an unprivileged user may read properties but every mutating method is AccessDenied', async (t) => {
  const results = await probe(await serve(t), AS_NOBODY);
  for (const member of MUTATING) t.is(results[member], ACCESS_DENIED, member);
  for (const member of READS) t.is(results[member], 'ok', member);
});

test('members of the admin group may call the methods (group rewritten as install.sh does)', async (t) => {
  const dir = await makeTempDir(t, 'cairn-policy-');
  const policy = path.join(dir, 'policy-nogroup.conf');
  const shipped = await readFile(SHIPPED_POLICY, 'utf8');
  t.true(shipped.includes('group="cairn-admin"'));
  // nobody's primary group is nogroup: as the admin group it grants nobody the methods.
  await writeFile(policy, shipped.replaceAll('group="cairn-admin"', 'group="nogroup"'));
  const results = await probe(await serve(t, policy), AS_NOBODY);
  for (const member of [...MUTATING, ...READS]) t.not(results[member], ACCESS_DENIED, member);
  t.is(results['cairn.Check'], 'ok');
});
