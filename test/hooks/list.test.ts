// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isCairnError } from '../../src/errors';
import { listBootHooks } from '../../src/hooks';
import { makeTempDir } from '../helpers/tmp';
import { makeDeployment } from './helpers/deployment';

const OK = '#!/bin/sh\nexit 0\n';

test('hooks are the executable regular files, in byte order of their names', async (t) => {
  const d = await makeDeployment(t, {
    '20-b': OK,
    '10-a': OK,
    'B-upper': OK,
    README: { script: 'docs', mode: 0o644 },
    '.hidden': OK,
  });
  await fs.mkdir(path.join(d.hooksDir, '15-subdir'));
  const listing = await listBootHooks(d.root);
  t.deepEqual(
    listing.hooks.map((hook) => hook.name),
    ['10-a', '20-b', 'B-upper'],
  );
  t.deepEqual(listing.ignored, [
    { name: '.hidden', reason: 'hidden file' },
    { name: '15-subdir', reason: 'not a regular file' },
    { name: 'README', reason: 'not executable' },
  ]);
  t.is(listing.hooks[0].path, path.join(await fs.realpath(d.hooksDir), '10-a'));
});

test('a deployment without a hooks directory has no hooks', async (t) => {
  const root = await makeTempDir(t, 'cairn-hooks-');
  await fs.mkdir(path.join(root, 'usr', 'lib'), { recursive: true });
  t.deepEqual(await listBootHooks(root), { hooks: [], ignored: [] });
});

test('a symlink to an executable inside the deployment usr/ is a hook, run through its real path', async (t) => {
  const d = await makeDeployment(t, {});
  const target = path.join(d.root, 'usr', 'libexec', 'migrate');
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.writeFile(target, OK);
  await fs.chmod(target, 0o755);
  await fs.symlink('../../../libexec/migrate', path.join(d.hooksDir, '10-migrate'));
  const listing = await listBootHooks(d.root);
  t.deepEqual(listing.hooks, [{ name: '10-migrate', path: await fs.realpath(target) }]);
});

async function assertUnsafe(t: Parameters<typeof makeDeployment>[0], root: string, pattern: RegExp) {
  const err = await t.throwsAsync(listBootHooks(root));
  t.true(isCairnError(err, 'unsafe-hook'), String(err));
  t.regex(err.message, pattern);
}

test('a world-writable hook is refused', async (t) => {
  const d = await makeDeployment(t, { '10-ok': OK, '20-bad': { script: OK, mode: 0o757 } });
  await assertUnsafe(t, d.root, /20-bad is writable by group or others \(mode 757\)/);
});

test('a group-writable hook is refused', async (t) => {
  const d = await makeDeployment(t, { '10-bad': { script: OK, mode: 0o775 } });
  await assertUnsafe(t, d.root, /10-bad is writable by group or others/);
});

test('a hook not owned by root is refused', async (t) => {
  const d = await makeDeployment(t, { '10-nobody': OK });
  await fs.chown(path.join(d.hooksDir, '10-nobody'), 65534, 65534);
  await assertUnsafe(t, d.root, /10-nobody is owned by uid 65534, not root/);
});

test('a symlink leaving the deployment usr/ is refused', async (t) => {
  const d = await makeDeployment(t, {});
  const outside = path.join(await makeTempDir(t, 'cairn-outside-'), 'x');
  await fs.writeFile(outside, OK);
  await fs.chmod(outside, 0o755);
  await fs.symlink(outside, path.join(d.hooksDir, '10-escape'));
  await assertUnsafe(t, d.root, new RegExp(`10-escape resolves to ${outside}, outside the deployment`));
});

test('a dangling symlink is refused', async (t) => {
  const d = await makeDeployment(t, {});
  await fs.symlink('/nonexistent/cairn-hook', path.join(d.hooksDir, '10-dangling'));
  await assertUnsafe(t, d.root, /10-dangling is a dangling symlink/);
});

test('a hooks directory that is a symlink out of usr/ is refused', async (t) => {
  const d = await makeDeployment(t, {});
  const outside = await makeTempDir(t, 'cairn-outside-');
  await fs.writeFile(path.join(outside, '10-planted'), OK);
  await fs.chmod(path.join(outside, '10-planted'), 0o755);
  await fs.rm(d.hooksDir, { recursive: true });
  await fs.symlink(outside, d.hooksDir);
  await assertUnsafe(t, d.root, /boot-hooks\.d resolves to .*, outside the deployment/);
});

test('a hooks directory writable by group or others is refused', async (t) => {
  const d = await makeDeployment(t, { '10-ok': OK });
  await fs.chmod(d.hooksDir, 0o775);
  await assertUnsafe(t, d.root, /boot-hooks\.d is writable by group or others/);
});

test('a hooks directory not owned by root is refused', async (t) => {
  const d = await makeDeployment(t, { '10-ok': OK });
  await fs.chown(d.hooksDir, 65534, 65534);
  await assertUnsafe(t, d.root, /boot-hooks\.d is owned by uid 65534/);
});
