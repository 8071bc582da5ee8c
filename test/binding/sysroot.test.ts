// SPDX-License-Identifier: LGPL-2.1-or-later
// Sysroot operations on a device directory (an OSTree sysroot that is not booted), checked against
// `ostree admin status`.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { mkdir, stat } from 'node:fs/promises';

import { OstreeError, Sysroot } from '../../src/binding';
import type { DeploymentInfo } from '../../src/binding';
import { adminStatus, makeDevice } from '../helpers/device';
import type { Device } from '../helpers/device';
import { servedStream } from './fixtures';

// Test deployments must stay removable; libostree reads this when the sysroot loads.
process.env.OSTREE_SYSROOT_DEBUG = 'mutable-deployments';

/** `ostree admin status` lines for a sysroot that is not booted: "  OS CHECKSUM.SERIAL" + origin. */
function parseStatus(
  text: string,
): { osname: string; checksum: string; serial: number; origin: string | null }[] {
  const entries: { osname: string; checksum: string; serial: number; origin: string | null }[] = [];
  for (const line of text.split('\n')) {
    const head = /^[* ] (\S+) ([0-9a-f]{64})\.(\d+)/.exec(line);
    if (head) entries.push({ osname: head[1], checksum: head[2], serial: Number(head[3]), origin: null });
    const origin = /origin refspec: (\S+)/.exec(line);
    if (origin && entries.length > 0) entries[entries.length - 1].origin = origin[1];
  }
  return entries;
}

async function deviceWithUpdate(t: ExecutionContext): Promise<{ device: Device; next: string }> {
  const served = await servedStream(t);
  const device = await makeDevice(served.dir, { remoteUrl: served.server.url, ref: 'os/stable' });
  const next = await served.stream.commit({ ref: 'os/stable', version: '2' });
  await served.stream.summary();
  return { device, next };
}

function summarize(d: DeploymentInfo): {
  osname: string;
  checksum: string;
  serial: number;
  origin: string | null;
} {
  return { osname: d.osname, checksum: d.checksum, serial: d.deployserial, origin: d.originRefspec };
}

test('deployments, deploy, undeploy and cleanup match ostree admin status', async (t) => {
  const { device, next } = await deviceWithUpdate(t);
  const sysroot = Sysroot.open(device.sysroot);
  sysroot.load();
  t.false(sysroot.isBooted());
  t.is(sysroot.bootedDeployment(), null);
  t.is(sysroot.stagedDeployment(), null);
  t.is(sysroot.osVarPath(device.osName), device.varPath);

  const before = sysroot.deployments();
  t.deepEqual(before.map(summarize), parseStatus(await adminStatus(device)));
  t.is(before.length, 1);
  t.is(before[0].checksum, device.commit);
  t.is(before[0].path, device.deploymentPath);
  t.is(before[0].index, 0);
  t.false(before[0].booted || before[0].pending || before[0].rollback || before[0].staged);

  const repo = sysroot.repo();
  await repo.pull(device.remote, { refs: [device.ref] });
  t.is(repo.resolveRev(`${device.remote}:${device.ref}`), next);

  const deployed = await sysroot.deploy({
    osname: device.osName,
    checksum: next,
    originRefspec: `${device.remote}:${device.ref}`,
    stage: false,
  });
  t.is(deployed.checksum, next);
  t.is(deployed.index, 0);
  t.is(deployed.originRefspec, `${device.remote}:${device.ref}`);
  const after = sysroot.deployments();
  t.deepEqual(after.map(summarize), parseStatus(await adminStatus(device)));
  t.deepEqual(
    after.map((d) => [d.index, d.checksum]),
    [
      [0, next],
      [1, device.commit],
    ],
  );

  await sysroot.undeploy(1);
  t.deepEqual(sysroot.deployments().map(summarize), parseStatus(await adminStatus(device)));
  t.deepEqual(
    sysroot.deployments().map((d) => d.checksum),
    [next],
  );
  await sysroot.cleanup();
  await t.throwsAsync(sysroot.undeploy(5), { instanceOf: OstreeError, message: /No deployment at index 5/ });
});

test('staging needs a booted system: libostree refuses it on a sysroot that is not booted', async (t) => {
  const { device, next } = await deviceWithUpdate(t);
  const sysroot = Sysroot.open(device.sysroot);
  sysroot.load();
  await sysroot.repo().pull(device.remote, { refs: [device.ref] });
  const err = await t.throwsAsync(
    sysroot.deploy({
      osname: device.osName,
      checksum: next,
      originRefspec: `${device.remote}:${device.ref}`,
      stage: true,
    }),
    { instanceOf: OstreeError },
  );
  t.regex(err?.message ?? '', /booted/i);
  t.is(sysroot.deployments().length, 1);
});

test('locking: tryLock, unlock, lock', async (t) => {
  const { device } = await deviceWithUpdate(t);
  const sysroot = Sysroot.open(device.sysroot);
  sysroot.load();
  t.true(sysroot.tryLock());
  // A second handle on the same sysroot cannot take the lock while the first holds it.
  const other = Sysroot.open(device.sysroot);
  other.load();
  t.false(other.tryLock());
  sysroot.unlock();
  await other.lock();
  t.false(sysroot.tryLock());
  other.unlock();
});

test('a new sysroot can be initialised with a stateroot', async (t) => {
  const { dir } = await servedStream(t);
  const root = `${dir}/fresh`;
  await mkdir(root);
  const sysroot = Sysroot.open(root);
  sysroot.ensureInitialized();
  sysroot.load();
  sysroot.osInit('testos');
  t.true((await stat(sysroot.osVarPath('testos'))).isDirectory());
  t.deepEqual(sysroot.deployments(), []);
});
