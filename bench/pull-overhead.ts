// SPDX-License-Identifier: LGPL-2.1-or-later
// Pull overhead of the native binding against the `ostree pull` CLI: the same repo served by the
// same local server, fresh client repos, runs alternating. Prints medians and ratios as Markdown.
//   node dist/bench/pull-overhead.js            (BENCH_RUNS=5, BENCH_MB=200, BENCH_OBJECTS=5000)
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { Repo } from '../src/binding';
import { RepoServer } from '../test/helpers/server';
import { ReleaseStream } from '../test/helpers/stream';
import { removeTree } from '../test/helpers/tmp';

interface Sample {
  wallMs: number;
  cpuMs: number;
  maxLoopDelayMs?: number;
}

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const MB = Number(process.env.BENCH_MB ?? 200);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 5000);

/** Child mode: pull with the binding into a fresh repo and report wall, CPU and loop delay. */
async function childPull(url: string, repoPath: string): Promise<void> {
  const repo = Repo.create(repoPath, 'archive');
  repo.remoteAdd('origin', url, { 'gpg-verify': false });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await repo.pull('origin', { refs: ['os/stable'], onProgress: () => undefined });
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  delay.disable();
  const sample: Sample = { wallMs, cpuMs: (used.user + used.system) / 1000, maxLoopDelayMs: delay.max / 1e6 };
  process.stdout.write(JSON.stringify(sample));
}

function bindingRun(url: string, repoPath: string): Sample {
  const out = execFileSync(process.execPath, [__filename, '--child', url, repoPath], { encoding: 'utf8' });
  return JSON.parse(out) as Sample;
}

// Children's rusage is not exposed by Node; python's RUSAGE_CHILDREN covers the ostree process.
const RUSAGE = `import resource, subprocess, sys, time
t = time.monotonic(); subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
w = (time.monotonic() - t) * 1000; r = resource.getrusage(resource.RUSAGE_CHILDREN)
print('{"wallMs": %f, "cpuMs": %f}' % (w, (r.ru_utime + r.ru_stime) * 1000))`;

function cliRun(url: string, repoPath: string): Sample {
  execFileSync('ostree', ['init', `--repo=${repoPath}`, '--mode=archive']);
  execFileSync('ostree', ['remote', 'add', `--repo=${repoPath}`, '--no-gpg-verify', 'origin', url]);
  const out = execFileSync(
    'python3',
    ['-c', RUSAGE, 'ostree', 'pull', `--repo=${repoPath}`, 'origin', 'os/stable'],
    {
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as Sample;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'cairn-bench-'));
  try {
    const size = Math.floor((MB * 1024 * 1024) / OBJECTS);
    console.log(`Building a ${MB} MB repo in ${OBJECTS} files of ${size} bytes...`);
    const stream = await ReleaseStream.create(path.join(work, 'server'));
    const payload = Array.from({ length: OBJECTS }, (_, i) => ({
      path: `usr/share/bench/${i % 100}/${i}.bin`,
      size,
      random: true,
      seed: `bench-${i}`,
    }));
    await stream.commit({ ref: 'os/stable', version: '1', payload });
    await stream.summary();
    const server = await RepoServer.start(stream.repoPath);
    const binding: Sample[] = [];
    const cli: Sample[] = [];
    try {
      for (let run = 0; run < RUNS; run++) {
        // Alternate which goes first so caches and server warm-up favour neither.
        const order = run % 2 === 0 ? (['binding', 'cli'] as const) : (['cli', 'binding'] as const);
        for (const kind of order) {
          const repoPath = path.join(work, `${kind}-${run}`);
          const sample = kind === 'binding' ? bindingRun(server.url, repoPath) : cliRun(server.url, repoPath);
          (kind === 'binding' ? binding : cli).push(sample);
          console.log(
            `run ${run + 1} ${kind}: wall ${sample.wallMs.toFixed(0)} ms, cpu ${sample.cpuMs.toFixed(0)} ms`,
          );
          await removeTree(repoPath);
        }
      }
    } finally {
      await server.close();
    }
    const bWall = median(binding.map((s) => s.wallMs));
    const cWall = median(cli.map((s) => s.wallMs));
    const bCpu = median(binding.map((s) => s.cpuMs));
    const cCpu = median(cli.map((s) => s.cpuMs));
    const loop = Math.max(...binding.map((s) => s.maxLoopDelayMs ?? 0));
    console.log(`\n${RUNS} runs each, ${MB} MB in ${OBJECTS} objects, medians:\n`);
    console.log('| | wall (ms) | CPU (ms) | max loop delay (ms) |');
    console.log('|---|---:|---:|---:|');
    console.log(`| binding | ${bWall.toFixed(0)} | ${bCpu.toFixed(0)} | ${loop.toFixed(1)} |`);
    console.log(`| ostree pull | ${cWall.toFixed(0)} | ${cCpu.toFixed(0)} | - |`);
    console.log(
      `| ratio | ${(bWall / cWall).toFixed(3)} (target <= 1.05) | ${(bCpu / cCpu).toFixed(3)} (target <= 1.10) | target < 50 |`,
    );
  } finally {
    await removeTree(work);
  }
}

if (process.argv[2] === '--child') {
  childPull(process.argv[3], process.argv[4]).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
