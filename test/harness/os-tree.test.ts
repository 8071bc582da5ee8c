// SPDX-License-Identifier: LGPL-2.1-or-later
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import test from 'ava';
import { buildOsTree, DEFAULT_KERNEL_VERSION, seededBytes } from '../helpers/os-tree';
import { makeTempDir } from '../helpers/tmp';

test('builds a deployable tree: os-release, kernel, usr/etc, payload, hooks, files', async (t) => {
  const dir = path.join(await makeTempDir(t), 'tree');
  await buildOsTree(dir, {
    version: '2.5',
    osName: 'testos',
    payload: [
      { path: 'usr/share/zeros', size: 4096 },
      { path: 'usr/share/noise', size: 5000, random: true, seed: 's1' },
    ],
    hooks: { '10-migrate': '#!/bin/sh\nexit 0\n' },
    files: { 'usr/share/doc/readme': 'hello', 'usr/etc/cairn-test.conf': Buffer.from('replaced') },
  });
  const read = (rel: string) => readFile(path.join(dir, rel));
  const osRelease = (await read('usr/lib/os-release')).toString();
  t.regex(osRelease, /^ID=testos$/m);
  t.regex(osRelease, /^VERSION_ID="2\.5"$/m);
  t.regex(osRelease, /^IMAGE_VERSION="2\.5"$/m);
  t.regex(osRelease, /^PRETTY_NAME="Cairn Test OS 2\.5"$/m);
  t.true((await read(`usr/lib/modules/${DEFAULT_KERNEL_VERSION}/vmlinuz`)).length > 0);
  t.true((await read(`usr/lib/modules/${DEFAULT_KERNEL_VERSION}/initramfs.img`)).length > 0);
  t.true((await read('usr/share/zeros')).equals(Buffer.alloc(4096)));
  t.true((await read('usr/share/noise')).equals(seededBytes('s1', 5000)));
  t.is((await read('usr/share/doc/readme')).toString(), 'hello');
  t.is((await read('usr/etc/cairn-test.conf')).toString(), 'replaced');
  const hook = await stat(path.join(dir, 'usr/lib/cairn/boot-hooks.d/10-migrate'));
  t.is(hook.mode & 0o777, 0o755);
  t.is((await stat(path.join(dir, 'usr/share/doc/readme'))).mode & 0o777, 0o644);
});

test('kernels depend on the kernel version only', async (t) => {
  const base = await makeTempDir(t);
  const kernel = async (name: string, version: string, kernelVersion?: string) => {
    await buildOsTree(path.join(base, name), { version, kernelVersion });
    return readFile(
      path.join(base, name, `usr/lib/modules/${kernelVersion ?? DEFAULT_KERNEL_VERSION}/vmlinuz`),
    );
  };
  const one = await kernel('a', '1');
  const two = await kernel('b', '2');
  const other = await kernel('c', '2', '6.2.0-other');
  t.true(one.equals(two));
  t.false(one.equals(other));
});

test('seeded payload bytes are deterministic per seed and differ between seeds', (t) => {
  t.true(seededBytes('x', 100_000).equals(seededBytes('x', 100_000)));
  t.false(seededBytes('x', 1000).equals(seededBytes('y', 1000)));
  t.true(seededBytes('x', 1000).equals(seededBytes('x', 5000).subarray(0, 1000)));
  // Incompressible-looking: far from all zeros.
  const bytes = seededBytes('z', 4096);
  t.true(new Set(bytes).size > 200);
});

test('refuses paths that leave the tree', async (t) => {
  const dir = await makeTempDir(t);
  await t.throwsAsync(buildOsTree(dir, { version: '1', files: { '../escape': 'x' } }), {
    message: /outside/,
  });
  await t.throwsAsync(buildOsTree(dir, { version: '1', hooks: { 'a/b': 'x' } }), {
    message: /plain file name/,
  });
});
