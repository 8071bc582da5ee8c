// SPDX-License-Identifier: LGPL-2.1-or-later
// Benchmark: a 30 MB update step (random 1-4 MB files, as objects and as a static delta) over a link
// that cuts every 1 MB. Compares the resume relay with plain `ostree pull`, and measures what a
// SIGKILL of the fetching process at ~50% costs when a new process continues over the same cache.
// Bytes are counted where the server hands them to its sockets, so a kill also loses what sat in
// the kernel's socket buffers.
//
//   node dist/bench/flaky-link.js            run the benchmark
//   node dist/bench/flaky-link.js --child J  (internal) pull in a child process, J = JSON ChildJob
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Repo } from '../src/binding';
import { ResumeRelay } from '../src/fetch';
import { ostreeEnv, run } from '../test/helpers/exec';
import { RepoServer } from '../test/helpers/server';
import { ReleaseStream } from '../test/helpers/stream';
import { removeTree } from '../test/helpers/tmp';

const MB = 1024 * 1024;
const REF = 'cairnos/stable';
const STEP_BYTES = 30 * MB;
const CUT_EVERY = MB;
/** Pulls in a row that bring no new byte before the retry loop gives up (like the engine). */
const MAX_IDLE_PULLS = 3;

interface ChildJob {
  repoPath: string;
  upstreamUrl: string;
  cacheDir: string;
  disableStaticDeltas: boolean;
}

interface Published {
  stream: ReleaseStream;
  from: string;
  to: string;
}

/** A small base release and a 30 MB step on top of it, plus a static delta between them. */
async function publish(dir: string): Promise<Published> {
  const stream = await ReleaseStream.create(dir);
  const from = await stream.commit({ ref: REF, version: '1' });
  const payload = [];
  for (let total = 0, i = 0; total < STEP_BYTES; i++) {
    const size = Math.min(STEP_BYTES - total, MB + ((i * 7919) % 3) * MB + ((i * 104729) % MB));
    payload.push({ path: `usr/share/blobs/blob-${i}`, size, random: true, seed: `flaky-link-${i}` });
    total += size;
  }
  const to = await stream.commit({ ref: REF, version: '2', payload });
  await stream.delta(from, to);
  await stream.summary();
  return { stream, from, to };
}

/** A device repo at the base release, its remote pointing at the server. */
async function device(dir: string, name: string, server: RepoServer, from: string): Promise<Repo> {
  const repo = Repo.create(path.join(dir, name), 'bare-user');
  repo.remoteAdd('origin', `${server.url}/repo`, { 'gpg-verify': false });
  const faults = server.faults;
  server.faults = {};
  await repo.pull('origin', { refs: [from] });
  repo.setRef('origin', REF, from);
  server.faults = faults;
  return repo;
}

/** The engine's loop: pull through the relay again while pulls keep making progress. */
async function pullThroughRelay(
  repo: Repo,
  relay: ResumeRelay,
  disableStaticDeltas: boolean,
): Promise<number> {
  let pulls = 0;
  for (let idle = 0, seen = -1; ;) {
    pulls++;
    try {
      await repo.pull('origin', { refs: [REF], overrideUrl: relay.url, disableStaticDeltas });
      return pulls;
    } catch (err) {
      const progress = relay.stats.upstreamBytes + relay.stats.cacheHits;
      idle = progress > seen ? 0 : idle + 1;
      seen = progress;
      if (idle >= MAX_IDLE_PULLS) throw err;
    }
  }
}

async function runChild(job: ChildJob): Promise<void> {
  const repo = Repo.open(job.repoPath);
  const relay = await ResumeRelay.start({ upstreamUrl: job.upstreamUrl, cacheDir: job.cacheDir });
  try {
    await pullThroughRelay(repo, relay, job.disableStaticDeltas);
    await relay.clearCache();
  } finally {
    await relay.close();
  }
}

/** Pulls in a child process; kills it with SIGKILL once the server sent `killAtBytes` (if given). */
async function childPull(
  job: ChildJob,
  server: RepoServer,
  killAtBytes: number | null,
): Promise<'done' | 'killed'> {
  const child = spawn(process.execPath, [__filename, '--child', JSON.stringify(job)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: ostreeEnv(),
  });
  const exited = once(child, 'exit');
  let killed = false;
  while (child.exitCode === null && child.signalCode === null) {
    if (killAtBytes !== null && !killed && server.bytesServed >= killAtBytes) {
      child.kill('SIGKILL');
      killed = true;
    }
    await Promise.race([exited, delay(5)]);
  }
  const [code] = (await exited) as [number | null];
  if (killed) return 'killed';
  if (code !== 0) throw new Error(`the pull child exited with ${code}`);
  return 'done';
}

/** Bytes in the relay cache's data files. */
async function cacheBytes(cacheDir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(cacheDir).catch(() => [] as string[])) {
    if (name.endsWith('.data')) total += (await stat(path.join(cacheDir, name))).size;
  }
  return total;
}

function mb(bytes: number): string {
  return `${(bytes / MB).toFixed(1)} MB`;
}

function percent(part: number, whole: number): string {
  return `${((100 * part) / whole).toFixed(1)}%`;
}

async function scenario(
  dir: string,
  server: RepoServer,
  published: Published,
  delta: boolean,
): Promise<void> {
  const label = delta ? 'static delta' : 'objects';
  const disableStaticDeltas = !delta;
  console.log(`\n== ${label} ==`);

  // Baseline: the same step on a clean link, no relay.
  server.faults = {};
  const clean = await device(dir, `${label}-clean`, server, published.from);
  server.resetCounters();
  await clean.pull('origin', { refs: [REF], disableStaticDeltas });
  const baseline = server.bytesServed;
  console.log(`uncut fetch:                 ${mb(baseline)} in ${server.requests} requests`);

  // Through the relay on a link that cuts every 1 MB.
  server.faults = { cutEveryBytes: CUT_EVERY };
  const viaRelay = await device(dir, `${label}-relay`, server, published.from);
  server.resetCounters();
  const relay = await ResumeRelay.start({
    upstreamUrl: `${server.url}/repo`,
    cacheDir: path.join(dir, `${label}-relay-cache`),
    backoff: { initialMs: 100, maxMs: 2000 },
  });
  const started = Date.now();
  try {
    const pulls = await pullThroughRelay(viaRelay, relay, disableStaticDeltas);
    const ok = viaRelay.resolveRev(`origin:${REF}`, false) === published.to;
    console.log(
      `relay, cut every 1 MB:       ${ok ? 'complete' : 'WRONG COMMIT'} after ${pulls} pull(s), ` +
        `${(Date.now() - started) / 1000}s, upstream ${mb(server.bytesServed)} = ` +
        `${(server.bytesServed / baseline).toFixed(3)}x uncut (target <= 1.15x), ${relay.stats.resumes} resumes`,
    );
  } finally {
    await relay.close();
  }

  // Plain ostree pull (the CLI, its default retries) on the same link.
  const plainRepo = await device(dir, `${label}-plain`, server, published.from);
  server.resetCounters();
  const cliArgs = ['pull', `--repo=${plainRepo.path}`, 'origin', REF];
  if (disableStaticDeltas) cliArgs.push('--disable-static-deltas');
  try {
    await run('ostree', cliArgs, { env: ostreeEnv() });
    console.log(`plain ostree pull, cut:      complete, upstream ${mb(server.bytesServed)}`);
  } catch (err) {
    const reason = (err as Error).message.split('\n').pop()?.slice(-120) ?? '';
    console.log(
      `plain ostree pull, cut:      FAILED after ${server.requests} requests, ` +
        `${mb(server.bytesServed)} sent: ${reason}`,
    );
  }

  // SIGKILL at ~50%, then a new process over the same cache (within the boot, and after a reboot).
  for (const reboot of [false, true]) {
    server.faults = { bandwidthBytesPerSec: 20 * MB };
    const repo = await device(dir, `${label}-kill-${reboot}`, server, published.from);
    const job: ChildJob = {
      repoPath: repo.path,
      upstreamUrl: `${server.url}/repo`,
      cacheDir: path.join(dir, `${label}-kill-${reboot}-cache`),
      disableStaticDeltas,
    };
    server.resetCounters();
    const outcome = await childPull(job, server, Math.round(baseline / 2));
    const beforeKill = server.bytesServed;
    const onDisk = await cacheBytes(job.cacheDir);
    // A reboot loses libostree's staged objects (keyed by boot id); only the relay cache remains.
    if (reboot) await rm(path.join(repo.path, 'tmp'), { recursive: true, force: true });
    await childPull(job, server, null);
    const done = Repo.open(repo.path).resolveRev(`origin:${REF}`, false) === published.to;
    const again = server.bytesServed - baseline;
    console.log(
      `SIGKILL at ${percent(beforeKill, baseline)}${reboot ? ', reboot' : ''}: `.padEnd(29) +
        `${outcome === 'killed' ? '' : '(finished before the kill) '}${done ? 'complete' : 'WRONG COMMIT'}, ` +
        `fetched again ${mb(Math.max(0, again))} = ${percent(Math.max(0, again), baseline)} of the step ` +
        `(target <= 5%); the relay cache held ${mb(onDisk)} at the kill`,
    );
  }
}

export async function runFlakyLinkBench(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-flaky-link-'));
  let server: RepoServer | null = null;
  try {
    console.log('flaky-link: publishing a 30 MB step of 1-4 MB random files...');
    const published = await publish(path.join(dir, 'server'));
    const deltaFiles = await readdir(path.join(published.stream.repoPath, 'deltas'), { recursive: true });
    console.log(`flaky-link: ${deltaFiles.length} entries under deltas/`);
    server = await RepoServer.start(path.join(dir, 'server'));
    for (const delta of [false, true]) await scenario(dir, server, published, delta);
  } finally {
    await server?.close();
    await removeTree(dir);
  }
}

if (require.main === module) {
  const childAt = process.argv.indexOf('--child');
  const main =
    childAt >= 0 ? runChild(JSON.parse(process.argv[childAt + 1]) as ChildJob) : runFlakyLinkBench();
  main.catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
