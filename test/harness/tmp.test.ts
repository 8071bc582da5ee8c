// SPDX-License-Identifier: LGPL-2.1-or-later
import { access, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import test from 'ava';
import { run } from '../helpers/exec';
import { useSharedGpgKey } from '../helpers/gpg';
import { makeTempDir, removeTree, useSharedTempDir } from '../helpers/tmp';

const sharedDir = useSharedTempDir(test);
const sharedKey = useSharedGpgKey(test);

test('removeTree removes trees holding immutable files', async (t) => {
  const dir = await makeTempDir(t);
  const deep = path.join(dir, 'deploy', 'abc.0', 'usr');
  await mkdir(deep, { recursive: true });
  await writeFile(path.join(deep, 'file'), 'x');
  await run('chattr', ['+i', path.join(deep, 'file'), deep]);
  await removeTree(path.join(dir, 'deploy'));
  await t.throwsAsync(access(path.join(dir, 'deploy')));
  await removeTree(path.join(dir, 'never-existed'));
});

test('makeTempDir removes its directory when the test ends', async (t) => {
  let made = '';
  await t
    .try(async (tt) => {
      made = await makeTempDir(tt, 'cairn-probe');
      await writeFile(path.join(made, 'f'), 'x');
      tt.pass();
    })
    .then((attempt) => attempt.commit());
  t.true(path.basename(made).startsWith('cairn-probe'));
  await t.throwsAsync(access(made));
});

test('shared fixtures exist for every test of the file', async (t) => {
  await access(sharedDir());
  t.regex(sharedKey().keyId, /^[0-9A-F]{40}$/);
  await access(sharedKey().publicKeyPath);
});
