// SPDX-License-Identifier: LGPL-2.1-or-later
// The relay's cache: partial files survive the process and are resumed (or discarded when the file
// changed upstream), complete files are reused once, mutable files are never stored.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ResumeRelay } from '../../src/fetch';
import { RepoServer } from '../helpers/server';
import { makeTempDir } from '../helpers/tmp';
import { MB, cachedBytes, get, waitFor, writeObject, writeRepoFile } from './fixtures';

async function setup(t: ExecutionContext) {
  const dir = await makeTempDir(t, 'cairn-fetch-');
  const server = await RepoServer.start(dir);
  t.teardown(() => server.close());
  const upstreamUrl = `${server.url}/repo`;
  const cacheDir = path.join(dir, 'cache');
  const startRelay = async () => {
    const relay = await ResumeRelay.start({ upstreamUrl, cacheDir, backoff: { initialMs: 5, maxMs: 20 } });
    t.teardown(() => relay.close());
    return relay;
  };
  return { root: path.join(dir, 'repo'), server, upstreamUrl, cacheDir, startRelay };
}

/** Starts a fetch that stalls after `bytes`, waits until the relay has them on disk, closes the relay. */
async function leavePartial(
  relay: ResumeRelay,
  server: RepoServer,
  cacheDir: string,
  repoPath: string,
  bytes: number,
) {
  server.faults = { stallAfterBytes: bytes };
  const pending = get(relay.url + repoPath).catch(() => null);
  await waitFor('partial file', async () => (await cachedBytes(cacheDir)) >= bytes);
  await relay.close();
  await pending;
  server.faults = {};
  server.resetCounters();
}

test('a new relay over the same cache resumes a partial file at its offset', async (t) => {
  const { root, server, cacheDir, startRelay } = await setup(t);
  const object = await writeObject(root, 3 * MB);
  await leavePartial(await startRelay(), server, cacheDir, object.path, 2 * MB);
  const relay = await startRelay();
  const fetched = await get(relay.url + object.path);
  t.true(fetched.body.equals(object.body));
  t.is(server.log[0].range, `bytes=${2 * MB}-`);
  t.is(server.bytesServed, MB);
});

test('after SIGKILL of the process the next one resumes from disk', async (t) => {
  const { root, server, upstreamUrl, cacheDir, startRelay } = await setup(t);
  const object = await writeObject(root, 3 * MB);
  server.faults = { stallAfterBytes: 1536 * 1024 };
  const child = spawn(
    process.execPath,
    [path.join(__dirname, 'relay-child.js'), upstreamUrl, cacheDir, object.path],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  t.teardown(() => child.kill('SIGKILL'));
  await once(child.stdout, 'data');
  await waitFor('partial file', async () => (await cachedBytes(cacheDir).catch(() => 0)) >= 1536 * 1024);
  child.kill('SIGKILL');
  await once(child, 'exit');
  server.faults = {};
  server.resetCounters();
  const relay = await startRelay();
  const fetched = await get(relay.url + object.path);
  t.true(fetched.body.equals(object.body));
  t.is(server.bytesServed, object.body.length - 1536 * 1024);
});

test('a file changed upstream discards the partial copy', async (t) => {
  const { root, server, cacheDir, startRelay } = await setup(t);
  const object = await writeObject(root, 2 * MB);
  await leavePartial(await startRelay(), server, cacheDir, object.path, MB);
  // Same name, new bytes (a regenerated delta part, say): new ETag and Last-Modified.
  const replacement = Buffer.alloc(object.body.length + 1000, 7);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await writeRepoFile(root, object.path, replacement);
  const relay = await startRelay();
  const fetched = await get(relay.url + object.path);
  t.true(fetched.body.equals(replacement));
  t.is(server.log[0].status, 200, 'If-Range did not match: the whole new file came back');
  t.not(server.log[0].range, null);
  t.is(relay.stats.resumes, 0);
  t.is(await cachedBytes(cacheDir), replacement.length);
});

test('complete files are reused by the next relay, refetched when asked for again in one session', async (t) => {
  const { root, server, startRelay } = await setup(t);
  const object = await writeObject(root, 500 * 1024);
  const first = await startRelay();
  t.true((await get(first.url + object.path)).body.equals(object.body));
  await first.close();
  server.resetCounters();

  const relay = await startRelay();
  t.true((await get(relay.url + object.path)).body.equals(object.body));
  t.is(relay.stats.cacheHits, 1);
  t.is(server.requests, 0, 'served from the cache');
  // libostree asks again: it rejected what it got.
  t.true((await get(relay.url + object.path)).body.equals(object.body));
  t.is(server.requests, 1);
  t.is(server.log[0].range, null, 'fetched fresh, not resumed');
});

test('mutable files pass through and are never cached', async (t) => {
  const { root, server, cacheDir, startRelay } = await setup(t);
  const commitmeta = `objects/ab/${'c'.repeat(62)}.commitmeta`;
  await writeRepoFile(root, 'summary', 'summary v1');
  await writeRepoFile(root, 'refs/heads/os/stable', 'a'.repeat(64));
  await writeRepoFile(root, 'config', '[core]\nmode=archive-z2\n');
  await writeRepoFile(root, commitmeta, 'signature v1');
  const relay = await startRelay();
  for (const repoPath of ['summary', 'refs/heads/os/stable', 'config', commitmeta]) {
    t.is((await get(relay.url + repoPath)).status, 200);
  }
  await writeRepoFile(root, 'summary', 'summary v2');
  t.is((await get(relay.url + 'summary')).body.toString(), 'summary v2');
  t.deepEqual(await readdir(cacheDir), []);
  t.is(server.requests, 5);
  t.is(relay.stats.cacheHits, 0);
});

test('dropEntry and clearCache remove cached files', async (t) => {
  const { root, server, cacheDir, startRelay } = await setup(t);
  const [a, b] = await Promise.all([writeObject(root, 1000), writeObject(root, 2000)]);
  const relay = await startRelay();
  await get(relay.url + a.path);
  await get(relay.url + b.path);
  t.is(await cachedBytes(cacheDir), 3000);
  await relay.dropEntry(a.path);
  t.is(await cachedBytes(cacheDir), 2000);
  await relay.clearCache();
  t.deepEqual(await readdir(cacheDir), []);
  server.resetCounters();
  await get(relay.url + b.path);
  t.is(server.requests, 1, 'refetched after clearCache');
});

test('requests without the token are refused, and only GET and HEAD are allowed', async (t) => {
  const { root, server, startRelay } = await setup(t);
  const object = await writeObject(root, 1000);
  const relay = await startRelay();
  const origin = new URL(relay.url).origin;
  t.is((await get(`${origin}/${object.path}`)).status, 404);
  t.is((await get(`${origin}/${'0'.repeat(32)}/${object.path}`)).status, 404);
  t.is((await get(`${relay.url}../${object.path}`)).status, 404);
  t.is((await get(relay.url + object.path, 'POST')).status, 405);
  t.is(server.requests, 0);
  t.is((await get(relay.url + object.path, 'HEAD')).status, 200);
  t.is((await get(relay.url + object.path)).status, 200);
});
