// SPDX-License-Identifier: LGPL-2.1-or-later
// The real-repo adapter: planning against a release stream served over loopback HTTP, with GPG.
import test from 'ava';
import * as path from 'node:path';
import { Repo } from '../../src/binding';
import { CHECKPOINT, PREVIOUS_CHECKPOINT, SUMMARY_CHECKPOINTS } from '../../src/metadata/keys';
import { planFromRemote } from '../../src/planner';
import { makeGpgKey, type GpgKey } from '../helpers/gpg';
import { RepoServer } from '../helpers/server';
import { meta, ReleaseStream } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';

const CONTENT = /\.(filez|file|dirtree|dirmeta)$/;

async function client(dir: string, url: string, key: GpgKey | null): Promise<Repo> {
  const repo = Repo.create(path.join(dir, 'client'), 'bare-user');
  repo.remoteAdd('origin', url, { 'gpg-verify': key !== null });
  if (key) repo.remoteGpgImport('origin', key.publicKeyPath);
  return repo;
}

test('plans through pointers and the summary index, sizes from a delta and ostree.sizes, no content', async (t) => {
  const dir = await makeTempDir(t);
  const key = await makeGpgKey(path.join(dir, 'gpg'));
  const stream = await ReleaseStream.create(path.join(dir, 'server'), { gpgKey: key });
  const payload = [{ path: 'usr/share/data.bin', size: 64 * 1024, random: true }];
  const v1 = await stream.commit({ ref: 'os/a', version: '1', payload: [{ ...payload[0], seed: '1' }] });
  const v2 = await stream.commit({
    ref: 'os/a',
    version: '2',
    metadata: { [CHECKPOINT]: meta.b(true) },
    payload: [{ ...payload[0], seed: '2' }],
  });
  const v3 = await stream.commit({
    ref: 'os/a',
    version: '3',
    metadata: { [PREVIOUS_CHECKPOINT]: meta.s(v2) },
    payload: [{ ...payload[0], seed: '3' }],
  });
  await stream.delta(v2, v3);
  await stream.summary({ metadata: { [SUMMARY_CHECKPOINTS]: meta.raw(`{'os/a': ['${v2}']}`) } });
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());
  const repo = await client(dir, server.url, key);

  const plan = await planFromRemote(repo, { currentCommit: v1, ref: 'os/a', remote: 'origin' });
  t.is(plan.error, null);
  t.is(plan.state, 'update-available');
  t.deepEqual(
    plan.steps.map((s) => [s.commit, s.kind, s.version, s.delta]),
    [
      [v2, 'checkpoint', '2', false],
      [v3, 'final', '3', true],
    ],
  );
  // v2's random 64 KiB payload is missing locally: at least that much, from ostree.sizes.
  t.true(plan.steps[0].estimatedDownloadBytes! >= 64 * 1024, String(plan.steps[0].estimatedDownloadBytes));
  t.true(plan.steps[1].estimatedDownloadBytes! > 0);
  t.is(
    plan.estimatedTotalDownloadBytes,
    plan.steps[0].estimatedDownloadBytes! + plan.steps[1].estimatedDownloadBytes!,
  );
  t.deepEqual(
    server.log.filter((r) => CONTENT.test(r.path)).map((r) => r.path),
    [],
  );
});

test('a commit that is not signed by a trusted key blocks the plan', async (t) => {
  const dir = await makeTempDir(t);
  const key = await makeGpgKey(path.join(dir, 'gpg'));
  const stream = await ReleaseStream.create(path.join(dir, 'server'), { gpgKey: key });
  const v1 = await stream.commit({ ref: 'os/a', version: '1' });
  await stream.commit({ ref: 'os/a', version: '2', sign: false });
  await stream.summary();
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());
  const repo = await client(dir, server.url, key);
  // The device's own commit is local already (as on a real device).
  await repo.pull('origin', { refs: [v1], commitMetadataOnly: true, depth: 0 });

  const plan = await planFromRemote(repo, { currentCommit: v1, ref: 'os/a', remote: 'origin' });
  t.is(plan.state, 'blocked');
  t.is(plan.error?.code, 'unverified');
});

test('without a summary refs are resolved by pulling commit metadata; a missing ref is not found', async (t) => {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(path.join(dir, 'server'));
  const v1 = await stream.commit({ ref: 'os/a', version: '1' });
  const v2 = await stream.commit({ ref: 'os/a', version: '2', metadata: { [CHECKPOINT]: meta.b(true) } });
  const v3 = await stream.commit({ ref: 'os/a', version: '3' });
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());
  const repo = await client(dir, server.url, null);

  const plan = await planFromRemote(repo, { currentCommit: v1, ref: 'os/a', remote: 'origin' });
  t.is(plan.error, null);
  t.deepEqual(
    plan.steps.map((s) => s.commit),
    [v2, v3],
  );
  const missing = await planFromRemote(repo, { currentCommit: v1, ref: 'os/none', remote: 'origin' });
  t.is(missing.state, 'blocked');
  t.is(missing.error?.code, 'not-found');
});
