// SPDX-License-Identifier: LGPL-2.1-or-later
// Local Repo operations against real repos made by the ostree CLI: metadata types, refs, remotes,
// sizes and GError mapping.
import test from 'ava';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';

import { OstreeError, Repo, loadNative } from '../../src/binding';
import { ostree } from '../helpers/exec';
import { makeGpgKey } from '../helpers/gpg';
import { makeTempDir } from '../helpers/tmp';
import { ReleaseStream, meta } from '../helpers/stream';

test('commit metadata round-trips with exact types', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(dir);
  const big = 2n ** 63n + 5n;
  const negative = -(2n ** 62n) - 7n;
  const checksum = await stream.commit({
    ref: 'os/stable',
    version: '1',
    metadata: {
      'k.b': meta.b(true),
      'k.s': meta.s("it's"),
      'k.as': meta.as(['a', 'b', 'c']),
      'k.t': meta.t(big),
      'k.x': meta.x(negative),
      'k.u': meta.u(4000000000),
      'k.ay': meta.raw('[byte 0x01, 0xff, 0x00]'),
      'k.dict': meta.raw("{'inner': <{'deep': <uint64 7>, 'list': <['x']>}>, 'flag': <false>}"),
      'k.sas': meta.raw("{'os/stable': ['c1', 'c2']}"),
      'k.maybe': meta.raw('@ms nothing'),
      'k.tuple': meta.raw("(int32 -3, 'two', 2.5)"),
    },
  });
  const info = Repo.open(stream.repoPath).loadCommit(checksum);
  const m = info.metadata;
  t.is(m['k.b'], true);
  t.is(m['k.s'], "it's");
  t.deepEqual(m['k.as'], ['a', 'b', 'c']);
  t.is(m['k.t'], big);
  t.is(m['k.x'], negative);
  t.is(m['k.u'], 4000000000);
  t.true(Buffer.isBuffer(m['k.ay']));
  t.deepEqual(m['k.ay'], Buffer.from([1, 255, 0]));
  t.deepEqual(m['k.dict'], { inner: { deep: 7n, list: ['x'] }, flag: false });
  t.deepEqual(m['k.sas'], { 'os/stable': ['c1', 'c2'] });
  t.is(m['k.maybe'], null);
  t.deepEqual(m['k.tuple'], [-3, 'two', 2.5]);
  t.is(m.version, '1');
  t.is(info.checksum, checksum);
  t.is(info.subject, 'Release 1');
  t.is(info.parent, null);
  t.false(info.partial);
  const show = await ostree(['show', `--repo=${stream.repoPath}`, checksum]);
  const date = /Date:\s+(\S+ \S+)/.exec(show)?.[1];
  t.is(new Date(`${date?.replace(' ', 'T')}Z`).getTime() / 1000, info.timestamp);
  const ls = await ostree(['ls', `--repo=${stream.repoPath}`, '-X', '-d', '-C', checksum, '/']);
  t.true(ls.includes(info.rootMetadataChecksum), ls);
  t.regex(info.rootContentsChecksum, /^[0-9a-f]{64}$/);
});

test('a child commit names its parent', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const first = await stream.commit({ ref: 'os/stable', version: '1' });
  const second = await stream.commit({ ref: 'os/stable', version: '2' });
  t.is(Repo.open(stream.repoPath).loadCommit(second).parent, first);
});

test('refs: list, resolve, set and delete, local and remote', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const a = await stream.commit({ ref: 'os/stable', version: '1' });
  const b = await stream.commit({ ref: 'os/beta', version: '2', parent: null });
  const repo = Repo.open(stream.repoPath);
  t.deepEqual(repo.listRefs(), { 'os/stable': a, 'os/beta': b });
  t.is(repo.resolveRev('os/stable'), a);
  t.is(repo.resolveRev('os/none', true), null);
  repo.setRef(null, 'os/copy', b);
  repo.setRef('upstream', 'os/stable', a);
  t.is((await ostree(['rev-parse', `--repo=${stream.repoPath}`, 'os/copy'])).trim(), b);
  t.is(repo.resolveRev('upstream:os/stable'), a);
  const refs = repo.listRefs();
  t.is(refs['upstream:os/stable'], a);
  t.is(refs['os/copy'], b);
  repo.setRef(null, 'os/copy', null);
  t.is(repo.resolveRev('os/copy', true), null);
  t.false('os/copy' in repo.listRefs());
  const err = t.throws(() => repo.resolveRev('os/none', false));
  t.true(err instanceof OstreeError);
});

test('remotes: add with options, list, options, url, delete', async (t) => {
  const dir = await makeTempDir(t);
  const repo = Repo.create(path.join(dir, 'repo'), 'bare-user-only');
  t.is(repo.mode(), 'bare-user-only');
  repo.remoteAdd('origin', 'http://127.0.0.1:1/repo', { 'gpg-verify': false, branches: 'os/stable;' });
  repo.remoteAdd('other', 'http://127.0.0.1:2/repo', { 'gpg-verify': true });
  t.deepEqual(repo.remoteList().sort(), ['origin', 'other']);
  t.is(repo.remoteGetUrl('origin'), 'http://127.0.0.1:1/repo');
  t.false(repo.remoteGetBooleanOption('origin', 'gpg-verify', true));
  t.true(repo.remoteGetBooleanOption('other', 'gpg-verify', false));
  t.is(repo.remoteGetOption('origin', 'gpg-verify'), 'false');
  t.is(repo.remoteGetOption('origin', 'unset-key', 'fallback'), 'fallback');
  t.is(repo.remoteGetOption('origin', 'unset-key'), null);
  // What the CLI sees agrees with what the binding wrote.
  const cli = await ostree(['config', `--repo=${repo.path}`, 'get', 'remote "origin".gpg-verify']);
  t.is(cli.trim(), 'false');
  repo.remoteDelete('other');
  t.deepEqual(repo.remoteList(), ['origin']);
  const err = t.throws(() => repo.remoteGetUrl('other'));
  t.true(err instanceof OstreeError);
});

test('remotes: gpg import counts keys, and a bad keyring is a clear error', async (t) => {
  const dir = await makeTempDir(t);
  const key = await makeGpgKey(path.join(dir, 'gpg'));
  const repo = Repo.create(path.join(dir, 'repo'), 'archive');
  repo.remoteAdd('origin', 'http://127.0.0.1:1/repo', {});
  t.is(repo.remoteGpgImport('origin', key.publicKeyPath), 1);
  const bogus = path.join(dir, 'bogus.asc');
  await writeFile(bogus, 'not a key\n');
  t.throws(() => repo.remoteGpgImport('origin', bogus), { instanceOf: OstreeError });
  t.throws(() => repo.remoteGpgImport('origin', path.join(dir, 'missing.asc')), {
    instanceOf: OstreeError,
    message: /No such file/,
  });
});

test('GError mapping: a missing commit is G_IO_ERROR_NOT_FOUND in g-io-error-quark', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  await stream.commit({ ref: 'os/stable', version: '1' });
  const repo = Repo.open(stream.repoPath);
  const err = t.throws(() => repo.loadCommit('0'.repeat(64)), { instanceOf: OstreeError }) as OstreeError;
  t.is(err.name, 'OstreeError');
  t.is(err.domain, 'g-io-error-quark');
  t.is(err.code, 'G_IO_ERROR_NOT_FOUND');
  t.is(err.gcode, 1);
  t.false(repo.hasObject('commit', '0'.repeat(64)));
});

test('opening something that is not a repo throws an OstreeError', async (t) => {
  const dir = await makeTempDir(t);
  t.throws(() => Repo.open(dir), { instanceOf: OstreeError });
});

test('bad arguments are TypeErrors naming the parameter', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const repo = Repo.open(stream.repoPath);
  t.throws(() => repo.loadCommit('abc'), {
    instanceOf: TypeError,
    message: /Expected checksum to be a 64-hex checksum/,
  });
  t.throws(() => repo.hasObject('blob' as never, '0'.repeat(64)), {
    instanceOf: TypeError,
    message: /objectType/,
  });
  t.throws(() => Repo.create(stream.repoPath, 'zip' as never), { instanceOf: TypeError, message: /mode/ });
  // The native layer checks too, for callers that bypass the wrapper.
  t.throws(() => repo.native.loadCommit(42 as never), { instanceOf: TypeError });
});

test('commitSizes matches ostree.sizes as the CLI reports it', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const checksum = await stream.commit({
    ref: 'os/stable',
    version: '1',
    payload: [
      { path: 'usr/share/a.bin', size: 100_000, random: true, seed: 'a' },
      { path: 'usr/share/b.bin', size: 3000, random: true, seed: 'b' },
    ],
  });
  const plain = await stream.commit({ ref: 'os/other', version: '1', generateSizes: false, parent: null });
  const repo = Repo.open(stream.repoPath);
  const sizes = repo.commitSizes(checksum);
  t.true(sizes.length > 0);
  // g_format_size separates number and unit with a no-break space.
  const show = (await ostree(['show', `--repo=${stream.repoPath}`, '--print-sizes', checksum])).replace(
    /\u00a0/g,
    ' ',
  );
  // The CLI prints totals with g_format_size: "Unpacked size (needed/total): 0 bytes/103.9 kB".
  const objects = /Number of objects \(needed\/total\): \d+\/(\d+)/.exec(show)?.[1];
  t.is(sizes.length, Number(objects), show);
  const kB = (n: bigint): string => `${(Number(n) / 1000).toFixed(1)} kB`;
  const total = (pick: (s: (typeof sizes)[number]) => bigint): bigint =>
    sizes.reduce((sum, s) => sum + pick(s), 0n);
  t.true(show.includes(`Unpacked size (needed/total): 0 bytes/${kB(total((s) => s.unpacked))}`), show);
  t.true(show.includes(`Compressed size (needed/total): 0 bytes/${kB(total((s) => s.archived))}`), show);
  const payload = sizes.find((s) => s.unpacked === 100_000n);
  t.truthy(payload);
  t.is(payload?.objectType, 'file');
  t.true(repo.hasObject('file', payload?.checksum ?? ''));
  for (const entry of sizes) t.true(entry.archived > 0n && entry.unpacked >= 0n);
  t.deepEqual(repo.commitSizes(plain), []);
});

test('drainLog returns an array and libostreeVersion names 2022.7 or later', (t) => {
  const native = loadNative();
  t.true(Array.isArray(native.drainLog()));
  t.regex(native.libostreeVersion, /^20\d\d\.\d+$/);
});
