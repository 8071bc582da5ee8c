// SPDX-License-Identifier: LGPL-2.1-or-later
// The real libostree pulling through the relay (pull option override-url) over a link that cuts
// every 1 MB: objects of 1-4 MB arrive whole, while a plain pull on the same link fails.
import test, { type ExecutionContext } from 'ava';
import path from 'node:path';
import { Repo } from '../../src/binding';
import { ResumeRelay } from '../../src/fetch';
import { fsck } from '../helpers/device';
import { RepoServer } from '../helpers/server';
import { ReleaseStream } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';
import { MB } from './fixtures';

const REF = 'cairnos/stable';

async function publish(t: ExecutionContext) {
  const dir = await makeTempDir(t, 'cairn-fetch-ostree-');
  const stream = await ReleaseStream.create(path.join(dir, 'server'));
  const payload = [1.2, 2.5, 3.9, 1.7].map((size, i) => ({
    path: `usr/share/blobs/blob-${i}`,
    size: Math.round(size * MB),
    random: true,
    seed: `${dir}-${i}`,
  }));
  const commit = await stream.commit({ ref: REF, version: '1', payload });
  await stream.summary();
  const server = await RepoServer.start(path.join(dir, 'server'));
  t.teardown(() => server.close());
  const client = Repo.create(path.join(dir, 'client'), 'archive');
  client.remoteAdd('origin', `${server.url}/repo`, { 'gpg-verify': false });
  return { dir, commit, server, client };
}

test('a pull through the relay completes on a link that cuts every 1 MB; a plain pull does not', async (t) => {
  const { dir, commit, server, client } = await publish(t);
  server.faults = { cutEveryBytes: MB };

  const plain = client.pull('origin', { refs: [REF], nNetworkRetries: 2 });
  await t.throwsAsync(plain);
  t.is(client.resolveRev(`origin:${REF}`, true), null);

  const relay = await ResumeRelay.start({
    upstreamUrl: `${server.url}/repo`,
    cacheDir: path.join(dir, 'relay-cache'),
    backoff: { initialMs: 5, maxMs: 50 },
  });
  t.teardown(() => relay.close());
  server.resetCounters();
  await client.pull('origin', { refs: [REF], overrideUrl: relay.url });
  t.is(client.resolveRev(`origin:${REF}`, false), commit);
  await fsck(client.path);
  t.true(relay.stats.resumes >= 5, `${relay.stats.resumes} resumes`);
  t.true(server.bytesServed <= 1.15 * relay.stats.servedBytes, `${server.bytesServed} upstream bytes`);
});
