// SPDX-License-Identifier: LGPL-2.1-or-later
// Benchmark: planning over a 1,000-commit stream with 3 checkpoints, served with 20 ms per request.
// Compares the planner with pointers (+ the summary index), the planner walking parents (a stream
// without pointers), and `ostree pull --commit-metadata-only --depth=-1` of the same ref.
// Target: <= 12 requests with pointers, and >= 50x faster than the parent walk.
//
//   node dist/bench/plan-latency.js [--commits N]
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Repo } from '../src/binding';
import { CHECKPOINT, PREVIOUS_CHECKPOINT, SUMMARY_CHECKPOINTS } from '../src/metadata/keys';
import { planFromRemote, type Plan } from '../src/planner';
import { ostree } from '../test/helpers/exec';
import { RepoServer } from '../test/helpers/server';
import { removeTree } from '../test/helpers/tmp';

const LATENCY_MS = 20;

interface Stream {
  ref: string;
  first: string;
  checkpoints: string[];
}

/**
 * Writes `count` commits on `ref`, all sharing one tiny tree (`--tree=ref=`), one second apart;
 * checkpoints at 1/4, 1/2 and 3/4; pointers on every commit after the first checkpoint if asked.
 */
async function writeStream(
  repo: string,
  tree: string,
  ref: string,
  count: number,
  pointers: boolean,
): Promise<Stream> {
  const positions = [1, 2, 3].map((q) => Math.floor((count * q) / 4));
  const checkpoints: string[] = [];
  let first = '';
  for (let i = 0; i < count; i++) {
    const args = [
      'commit',
      `--repo=${repo}`,
      `--branch=${ref}`,
      `--tree=ref=${tree}`,
      `--timestamp=@${1_600_000_000 + i}`,
    ];
    args.push(`--add-metadata-string=version=${i}`);
    if (positions.includes(i)) args.push(`--add-metadata=${CHECKPOINT}=true`);
    if (pointers && checkpoints.length > 0) {
      args.push(`--add-metadata-string=${PREVIOUS_CHECKPOINT}=${checkpoints[checkpoints.length - 1]}`);
    }
    const checksum = (await ostree(args)).trim();
    if (i === 0) first = checksum;
    if (positions.includes(i)) checkpoints.push(checksum);
  }
  return { ref, first, checkpoints };
}

async function measure<T>(
  server: RepoServer,
  body: () => Promise<T>,
): Promise<{ result: T; requests: number; ms: number }> {
  server.resetCounters();
  const started = performance.now();
  const result = await body();
  return { result, requests: server.requests, ms: performance.now() - started };
}

async function planWith(dir: string, name: string, url: string, stream: Stream) {
  const repo = Repo.create(path.join(dir, name), 'bare-user');
  repo.remoteAdd('origin', url, { 'gpg-verify': false });
  return planFromRemote(repo, { currentCommit: stream.first, ref: stream.ref, remote: 'origin' });
}

function describe(plan: Plan): string {
  return `${plan.state}, ${plan.steps.length} steps (${plan.steps.map((s) => s.version).join(', ')})`;
}

async function main(): Promise<void> {
  const countArg = process.argv.indexOf('--commits');
  const count = countArg > 0 ? Number(process.argv[countArg + 1]) : 1000;
  const dir = await mkdtemp(path.join(tmpdir(), 'cairn-bench-plan-'));
  try {
    const repo = path.join(dir, 'server');
    await ostree(['init', `--repo=${repo}`, '--mode=archive']);
    const treeDir = path.join(dir, 'tree');
    await mkdir(path.join(treeDir, 'usr'), { recursive: true });
    await writeFile(path.join(treeDir, 'usr', 'hello'), 'hello\n');
    await ostree(['commit', `--repo=${repo}`, '--branch=tree', treeDir]);

    const setupStarted = performance.now();
    // Two branches, written side by side (the ostree CLI costs one process per commit).
    const [withPointers, withoutPointers] = await Promise.all([
      writeStream(repo, 'tree', 'os/pointers', count, true),
      writeStream(repo, 'tree', 'os/walk', count, false),
    ]);
    const index = `{'os/pointers': [${withPointers.checkpoints.map((c) => `'${c}'`).join(', ')}]}`;
    await ostree(['summary', `--repo=${repo}`, '-u', `--add-metadata=${SUMMARY_CHECKPOINTS}=${index}`]);
    console.log(`setup: ${2 * count} commits in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

    const server = await RepoServer.start(repo, { latencyMs: LATENCY_MS });
    try {
      const fast = await measure(server, () => planWith(dir, 'client-pointers', server.url, withPointers));
      console.log(
        `planner, pointers + index: ${fast.requests} requests, ${fast.ms.toFixed(0)} ms: ${describe(fast.result)}`,
      );
      const slow = await measure(server, () => planWith(dir, 'client-walk', server.url, withoutPointers));
      console.log(
        `planner, parent walk:      ${slow.requests} requests, ${slow.ms.toFixed(0)} ms: ${describe(slow.result)}`,
      );
      const plain = await measure(server, async () => {
        const client = path.join(dir, 'client-ostree');
        await ostree(['init', `--repo=${client}`, '--mode=bare-user']);
        await ostree(['remote', 'add', `--repo=${client}`, '--no-gpg-verify', 'origin', server.url]);
        await ostree([
          'pull',
          `--repo=${client}`,
          '--commit-metadata-only',
          '--depth=-1',
          'origin',
          withPointers.ref,
        ]);
      });
      console.log(
        `ostree pull --commit-metadata-only --depth=-1: ${plain.requests} requests, ${plain.ms.toFixed(0)} ms`,
      );
      const speedup = slow.ms / fast.ms;
      console.log(
        `target: <= 12 requests with pointers: ${fast.requests <= 12 ? 'met' : 'MISSED'}; ` +
          `>= 50x faster than the walk: ${speedup.toFixed(0)}x ${speedup >= 50 ? 'met' : 'MISSED'}`,
      );
    } finally {
      await server.close();
    }
  } finally {
    await removeTree(dir);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
