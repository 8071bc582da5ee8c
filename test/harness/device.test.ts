// SPDX-License-Identifier: LGPL-2.1-or-later
import { access, readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import test from 'ava';
import { adminStatus, fsck, makeDevice } from '../helpers/device';
import { ostree } from '../helpers/exec';
import { RepoServer } from '../helpers/server';
import { ReleaseStream } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';

test('makeDevice deploys a chosen older commit with origin REMOTE:REF', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(path.join(dir, 'pub'));
  const c1 = await stream.commit({
    ref: 'os/stable',
    version: '1',
    hooks: { '10-hello': '#!/bin/sh\necho hi\n' },
  });
  const c2 = await stream.commit({ ref: 'os/stable', version: '2' });
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());

  const device = await makeDevice(path.join(dir, 'dev'), {
    remoteUrl: server.url,
    ref: 'os/stable',
    commit: c1,
    remote: 'upstream',
    osName: 'testos',
  });
  t.is(device.commit, c1);
  t.is(device.remote, 'upstream');
  t.is(device.osName, 'testos');
  t.is(device.repoPath, path.join(device.sysroot, 'ostree', 'repo'));
  t.is(device.varPath, path.join(device.sysroot, 'ostree', 'deploy', 'testos', 'var'));
  await access(device.varPath);
  t.is(path.basename(device.deploymentPath), `${c1}.0`);
  await access(path.join(device.deploymentPath, 'usr/lib/cairn/boot-hooks.d/10-hello'));
  t.regex(
    await readFile(path.join(device.deploymentPath, 'usr/lib/os-release'), 'utf8'),
    /^VERSION_ID="1"$/m,
  );
  const origin = await readFile(`${device.deploymentPath}.origin`, 'utf8');
  t.regex(origin, /^refspec=upstream:os\/stable$/m);
  t.is((await ostree(['rev-parse', `--repo=${device.repoPath}`, 'upstream:os/stable'])).trim(), c1);
  t.not(c1, c2);

  const status = await adminStatus(device);
  t.regex(status, new RegExp(`testos ${c1}\\.0`));
  t.regex(status, /origin refspec: upstream:os\/stable/);
  t.true((await readdir(path.join(device.sysroot, 'boot', 'loader', 'entries'))).length > 0);
  await fsck(device.repoPath);
});

test('makeDevice without a commit deploys the tip of the ref', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(path.join(dir, 'pub'));
  await stream.commit({ ref: 'os/stable', version: '1' });
  const tip = await stream.commit({ ref: 'os/stable', version: '2' });
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());
  const device = await makeDevice(path.join(dir, 'dev'), { remoteUrl: server.url, ref: 'os/stable' });
  t.is(device.commit, tip);
  t.is(device.remote, 'origin');
  t.regex(await adminStatus(device), new RegExp(`${tip}\\.0[\\s\\S]*origin refspec: origin:os/stable`));
});

test('makeDevice refuses a commit that is not on the server', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(path.join(dir, 'pub'));
  await stream.commit({ ref: 'os/stable', version: '1' });
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());
  await t.throwsAsync(
    makeDevice(path.join(dir, 'dev'), { remoteUrl: server.url, ref: 'os/stable', commit: 'a'.repeat(64) }),
  );
});
