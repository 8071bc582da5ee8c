// SPDX-License-Identifier: LGPL-2.1-or-later
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import test from 'ava';
import { fsck } from '../helpers/device';
import { ostree } from '../helpers/exec';
import { RepoServer } from '../helpers/server';
import { meta, ReleaseStream } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';

function swap64(v: bigint, signed = false): bigint {
  const b = Buffer.alloc(8);
  if (signed) b.writeBigInt64LE(v);
  else b.writeBigUInt64LE(v);
  return signed ? b.readBigInt64BE() : b.readBigUInt64BE();
}

function swap32(v: number): number {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b.readUInt32BE();
}

async function show(repo: string, rev: string, key: string): Promise<string> {
  return (await ostree(['show', `--repo=${repo}`, rev, `--print-metadata-key=${key}`])).trim();
}

async function parentOf(repo: string, rev: string): Promise<string | null> {
  try {
    return (await ostree(['rev-parse', `--repo=${repo}`, `${rev}^`])).trim();
  } catch {
    return null;
  }
}

async function timestampOf(repo: string, rev: string): Promise<number> {
  const log = await ostree(['show', `--repo=${repo}`, rev]);
  const date = /^Date:\s+(.+)$/m.exec(log)?.[1];
  return Date.parse((date ?? '').replace(' +0000', 'Z').replace(' ', 'T'));
}

test('commit chains parents on the ref unless told otherwise, and moves the ref', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const repo = stream.repoPath;
  t.is(await stream.resolve('os/stable'), null);
  const c1 = await stream.commit({ ref: 'os/stable', version: '1' });
  t.regex(c1, /^[0-9a-f]{64}$/);
  t.is(await stream.resolve('os/stable'), c1);
  t.is(await parentOf(repo, c1), null);

  const c2 = await stream.commit({ ref: 'os/stable', version: '2' });
  t.is(await parentOf(repo, c2), c1);
  t.is(await stream.resolve('os/stable'), c2);

  const root = await stream.commit({ ref: 'os/stable', version: '3', parent: null });
  t.is(await parentOf(repo, root), null);

  const branch = await stream.commit({ ref: 'os/next', version: '4', parent: c1 });
  t.is(await parentOf(repo, branch), c1);
  t.is(await stream.resolve('os/next'), branch);
  t.is(await stream.resolve('os/stable'), root);
});

test('commit timestamps increase by default and follow an explicit timestamp', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const repo = stream.repoPath;
  const quick = [];
  for (let i = 0; i < 3; i++) quick.push(await stream.commit({ ref: 'r', version: String(i) }));
  const times = await Promise.all(quick.map((c) => timestampOf(repo, c)));
  t.true(times[0] < times[1] && times[1] < times[2], times.join(' '));

  const fixed = new Date('2020-05-06T07:08:09Z');
  const old = await stream.commit({ ref: 'other', version: 'x', timestamp: fixed });
  t.is(await timestampOf(repo, old), fixed.getTime());
  const next = await stream.commit({ ref: 'r', version: 'after' });
  t.true((await timestampOf(repo, next)) > times[2]);
});

test('commit writes typed metadata, version, subject and sizes', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const c = await stream.commit({
    ref: 'r',
    version: '7.1',
    subject: 'Seven',
    metadata: {
      'cairn.checkpoint': meta.b(true),
      'cairn.checkpoint-reason': meta.s("it's a 'big' one \\o/"),
      list: meta.as(['a', 'b']),
      empty: meta.as([]),
      big: meta.t(2n ** 40n),
      neg: meta.x(-5n),
      small: meta.u(7),
      custom: meta.raw('<("two", true)>'),
    },
  });
  const repo = stream.repoPath;
  t.is(await show(repo, c, 'version'), "'7.1'");
  t.is(await show(repo, c, 'cairn.checkpoint'), 'true');
  t.is(await show(repo, c, 'cairn.checkpoint-reason'), "\"it's a 'big' one \\\\o/\"");
  t.is(await show(repo, c, 'list'), "['a', 'b']");
  t.is(await show(repo, c, 'empty'), '@as []');
  // `ostree show` byte-swaps the whole commit variant for display (it assumes big-endian), while
  // metadata is stored little-endian as libostree reads it: integers show up swapped.
  t.is(await show(repo, c, 'big'), `uint64 ${swap64(2n ** 40n)}`);
  t.is(await show(repo, c, 'neg'), `int64 ${swap64(-5n, true)}`);
  t.is(await show(repo, c, 'small'), `uint32 ${swap32(7)}`);
  t.is(await show(repo, c, 'custom'), "<('two', true)>");
  t.regex(await show(repo, c, 'ostree.sizes'), /^\[/);
  t.regex(await ostree(['show', `--repo=${repo}`, c]), /^\s+Seven$/m);
  const unsized = await stream.commit({ ref: 'r', version: '8', generateSizes: false });
  await t.throwsAsync(show(repo, unsized, 'ostree.sizes'));
});

test('setRef creates, moves and deletes refs', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const c1 = await stream.commit({ ref: 'a', version: '1' });
  const c2 = await stream.commit({ ref: 'a', version: '2' });
  await stream.setRef('b', c1);
  t.is(await stream.resolve('b'), c1);
  await stream.setRef('b', c2);
  t.is(await stream.resolve('b'), c2);
  await stream.setRef('b', null);
  t.is(await stream.resolve('b'), null);
  t.is(await stream.resolve('a'), c2);
  // Hex-looking ref names are refs, never checksum prefixes.
  await stream.setRef(c1.slice(0, 6), c2);
  t.is(await stream.resolve(c1.slice(0, 6)), c2);
  t.is(await stream.resolve(c2.slice(0, 6)), null);
  await t.throwsAsync(stream.resolve('../config'));
});

test('a stream with two commits, a delta and a summary is pullable through RepoServer', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(path.join(dir, 'pub'));
  const payload = (seed: string) => [{ path: 'usr/share/blob', size: 300_000, random: true, seed }];
  const c1 = await stream.commit({ ref: 'os/stable', version: '1', payload: payload('one') });
  const c2 = await stream.commit({
    ref: 'os/stable',
    version: '2',
    payload: payload('two'),
    metadata: { 'cairn.checkpoint': meta.b(true) },
  });
  await stream.delta(c1, c2);
  await stream.summary({ metadata: { 'cairn.checkpoints': meta.raw(`{'os/stable': ['${c2}']}`) } });
  t.regex(await ostree(['summary', `--repo=${stream.repoPath}`, '--view']), /cairn\.checkpoints/);

  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());
  const client = path.join(dir, 'client');
  await ostree(['init', `--repo=${client}`, '--mode=bare-user-only']);
  await ostree(['remote', 'add', `--repo=${client}`, '--no-gpg-verify', 'origin', server.url, 'os/stable']);
  await ostree(['pull', `--repo=${client}`, 'origin', `os/stable@${c1}`]);
  t.is((await ostree(['rev-parse', `--repo=${client}`, 'origin:os/stable'])).trim(), c1);

  server.resetCounters();
  await ostree(['pull', `--repo=${client}`, 'origin', 'os/stable']);
  t.is((await ostree(['rev-parse', `--repo=${client}`, 'origin:os/stable'])).trim(), c2);
  // libostree 2022.7 scans the new commit while the delta part is still being applied and fetches some
  // of its objects one by one (even the payload at times), so only the use of the delta is asserted.
  const deltaFiles = server.log.filter((r) => r.path.startsWith('/deltas/') && r.status === 200);
  t.deepEqual(deltaFiles.map((r) => r.path.split('/').at(-1)).sort(), ['0', 'superblock']);
  await fsck(client);
});

test('fsck rejects a corrupted repo', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(dir);
  await stream.commit({
    ref: 'r',
    version: '1',
    payload: [{ path: 'usr/blob', size: 10_000, random: true }],
  });
  await fsck(stream.repoPath);
  const objects = await ostree(['ls', `--repo=${stream.repoPath}`, '-C', 'r', '/usr/blob']);
  const checksum = /\s([0-9a-f]{64})\s/.exec(objects)?.[1] ?? '';
  t.regex(checksum, /^[0-9a-f]{64}$/);
  const file = path.join(stream.repoPath, 'objects', checksum.slice(0, 2), `${checksum.slice(2)}.filez`);
  await writeFile(file, 'garbage');
  await t.throwsAsync(fsck(stream.repoPath));
});

test('injected 5xx statuses reach ostree pull, which does not retry them (libostree 2022.7)', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(path.join(dir, 'pub'));
  const tip = await stream.commit({
    ref: 'os/stable',
    version: '1',
    payload: [{ path: 'usr/blob', size: 1000 }],
  });
  const server = await RepoServer.start(stream.repoPath, {
    statusRules: [{ path: /^\/objects\/.*\.dirtree$/, status: 503, times: 1 }],
  });
  t.teardown(() => server.close());
  const client = path.join(dir, 'client');
  await ostree(['init', `--repo=${client}`, '--mode=bare-user-only']);
  await ostree(['remote', 'add', `--repo=${client}`, '--no-gpg-verify', 'origin', server.url, 'os/stable']);
  const pull = () => ostree(['pull', `--repo=${client}`, '--network-retries=5', 'origin', 'os/stable']);
  await t.throwsAsync(pull(), { message: /503/ });
  t.is(server.log.filter((r) => r.status === 503).length, 1);
  await pull(); // the rule has fired its one time
  t.is((await ostree(['rev-parse', `--repo=${client}`, 'origin:os/stable'])).trim(), tip);
  await fsck(client);
});
