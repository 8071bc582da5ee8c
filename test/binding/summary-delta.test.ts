// SPDX-License-Identifier: LGPL-2.1-or-later
// Summaries fetched through the binding, and static-delta superblocks parsed from a repo, checked
// against the files on the server and `ostree static-delta show`.
import test from 'ava';
import { readFile, readdir, stat } from 'node:fs/promises';
import * as path from 'node:path';

import { Repo } from '../../src/binding';
import { ostree } from '../helpers/exec';
import { ReleaseStream, meta } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';
import { clientRepo, randomPayload, servedStream } from './fixtures';

test('fetchSummary parses refs, commit sizes and summary metadata', async (t) => {
  const { dir, stream, server, commit } = await servedStream(t);
  const beta = await stream.commit({ ref: 'os/beta', version: '9', parent: null });
  await stream.summary({
    metadata: { 'cairn.checkpoints': meta.raw(`{'os/stable': ['${commit}']}`), 'cairn.n': meta.t(12n) },
  });
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  const summary = await repo.fetchSummary('origin');
  t.deepEqual(Object.keys(summary.refs).sort(), ['os/beta', 'os/stable']);
  t.is(summary.refs['os/stable'].checksum, commit);
  t.is(summary.refs['os/beta'].checksum, beta);
  const commitFile = path.join(stream.repoPath, 'objects', commit.slice(0, 2), `${commit.slice(2)}.commit`);
  t.is(summary.refs['os/stable'].commitSize, BigInt((await stat(commitFile)).size));
  t.is(typeof summary.refs['os/stable'].metadata['ostree.commit.timestamp'], 'bigint');
  t.deepEqual(summary.metadata['cairn.checkpoints'], { 'os/stable': [commit] });
  t.is(summary.metadata['cairn.n'], 12n);
  t.deepEqual(summary.raw, await readFile(path.join(stream.repoPath, 'summary')));
  t.is(summary.signature, null);
});

test('fetchSummary honours an aborted signal', async (t) => {
  const { dir, server } = await servedStream(t);
  const repo = clientRepo(path.join(dir, 'client'), server.url);
  await t.throwsAsync(repo.fetchSummary('origin', { signal: AbortSignal.abort() }), { name: 'AbortError' });
});

interface ShownDelta {
  parts: { size: bigint; usize: bigint }[];
  fallbacks: string[];
  fallbackSize: bigint;
}

function parseShow(text: string): ShownDelta {
  const parts = [...text.matchAll(/PartMeta\d+: nobjects=\d+ size=(\d+) usize=(\d+)/g)].map((m) => ({
    size: BigInt(m[1]),
    usize: BigInt(m[2]),
  }));
  const fallbackBlock = /Number of fallback entries: \d+\n((?: {2}[0-9a-f]{64}\n)*)/.exec(text)?.[1] ?? '';
  const fallbacks = fallbackBlock
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const fallbackSize = BigInt(/Total Fallback Size: (\d+)/.exec(text)?.[1] ?? '-1');
  return { parts, fallbacks, fallbackSize };
}

test('localDelta and parseDeltaSuperblock agree with ostree static-delta show', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(dir);
  const payload = [
    ...randomPayload(3, 200_000, 'd1'),
    { path: 'usr/share/big.bin', size: 2_000_000, random: true, seed: 'big' },
  ];
  const a = await stream.commit({ ref: 'os/stable', version: '1', payload });
  const b = await stream.commit({
    ref: 'os/stable',
    version: '2',
    payload: [...payload, ...randomPayload(2, 150_000, 'd2')],
  });
  await stream.delta(a, b, { maxChunkSizeMb: 1 });
  await stream.delta(null, a, { minFallbackSizeMb: 1 });
  const repo = Repo.open(stream.repoPath);

  for (const [from, to] of [
    [a, b],
    [null, a],
  ] as const) {
    const delta = repo.localDelta(from, to);
    t.truthy(delta);
    t.is(delta?.from, from);
    t.is(delta?.to, to);
    const shown = parseShow(
      await ostree(['static-delta', 'show', `--repo=${stream.repoPath}`, from ? `${from}-${to}` : to]),
    );
    t.deepEqual(delta?.parts, shown.parts);
    t.deepEqual(
      delta?.fallbackObjects.map((f) => f.checksum),
      shown.fallbacks,
    );
    t.is(
      delta?.fallbackObjects.reduce((sum, f) => sum + f.size, 0n),
      shown.fallbackSize,
    );
  }
  const scratch = repo.localDelta(null, a);
  t.is(scratch?.fallbackObjects.length, 1);
  t.is(scratch?.fallbackObjects[0].objectType, 'file');
  t.is(scratch?.fallbackObjects[0].usize, 2_000_000n);
  t.is(repo.localDelta(b, a), null);
  t.is(repo.localDelta(null, b), null);

  // The same bytes through parseDeltaSuperblock, found by walking deltas/ (checks the path scheme too).
  const superblocks = (await readdir(path.join(stream.repoPath, 'deltas'), { recursive: true }))
    .filter((name) => name.endsWith('superblock'))
    .map((name) => path.join(stream.repoPath, 'deltas', name));
  t.is(superblocks.length, 2);
  const parsed = await Promise.all(
    superblocks.map(async (file) => repo.parseDeltaSuperblock(await readFile(file))),
  );
  t.deepEqual(parsed.map((d) => `${d.from ?? ''}-${d.to}`).sort(), [`${a}-${b}`, `-${a}`].sort());
  t.deepEqual(
    parsed.find((d) => d.from === a),
    repo.localDelta(a, b),
  );
});

test('parseDeltaSuperblock rejects garbage without crashing', async (t) => {
  const stream = await ReleaseStream.create(await makeTempDir(t));
  const repo = Repo.open(stream.repoPath);
  // GVariant reads malformed data as default values; a superblock without a target is refused.
  t.throws(() => repo.parseDeltaSuperblock(Buffer.from('definitely not a superblock')), {
    message: /no target/,
  });
  t.throws(() => repo.parseDeltaSuperblock(Buffer.alloc(0)), { message: /no target/ });
  t.throws(() => repo.parseDeltaSuperblock('x' as never), { instanceOf: TypeError });
});
