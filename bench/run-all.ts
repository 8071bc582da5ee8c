// SPDX-License-Identifier: LGPL-2.1-or-later
// `npm run bench`: runs every benchmark in turn and writes BENCHMARKS.md with the machine, the date,
// the commit and each benchmark's printed figures beside its target. BENCH_QUICK=1 passes smaller
// sizes through the environment where a benchmark supports them.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Bench {
  script: string;
  title: string;
  targets: string;
}

const BENCHES: Bench[] = [
  {
    script: 'pull-overhead.js',
    title: 'Pull overhead: the native binding against the ostree CLI',
    targets: 'wall ratio <= 1.05, CPU ratio <= 1.10, event-loop delay < 50 ms',
  },
  {
    script: 'plan-latency.js',
    title: 'Planning latency: 1,000 commits, 3 checkpoints, 20 ms per request',
    targets: '<= 12 requests with pointers, >= 50x faster than the parent walk',
  },
  {
    script: 'flaky-link.js',
    title: 'Flaky link: a 30 MB step of 1-4 MB objects, the link cuts every 1 MB',
    targets: 'completes; bytes served <= 1.15x an uncut fetch; after a kill at 50%, <= 5% fetched again',
  },
  {
    script: 'dbus-latency.js',
    title: 'D-Bus: property latency during a fetch, daemon idle RSS',
    targets: 'p99 <= 20 ms, RSS <= 60 MB',
  },
];

function run(script: string): Promise<{ code: number; output: string; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(__dirname, script)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('exit', (code) => resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
  });
}

function commitId(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const sections: string[] = [];
  let failed = 0;
  for (const bench of BENCHES) {
    if (only.length > 0 && !only.some((name) => bench.script.startsWith(name))) continue;
    process.stdout.write(`\n### ${bench.title}\n`);
    const result = await run(bench.script);
    if (result.code !== 0) failed += 1;
    sections.push(
      [
        `## ${bench.title}`,
        '',
        `Target: ${bench.targets}. Script: \`bench/${bench.script.replace(/\.js$/, '.ts')}\`, ${result.seconds.toFixed(0)} s, exit ${result.code}.`,
        '',
        '```',
        result.output.trim(),
        '```',
        '',
      ].join('\n'),
    );
  }
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    '# cairn benchmarks',
    '',
    `Machine: ${os.cpus().length} x ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.type()} ${os.release()}, Node ${process.version}.`,
    `Date: ${new Date().toISOString()}. Commit: ${commitId()}. Written by \`npm run bench\`.`,
    '',
  ].join('\n');
  writeFileSync(path.join(__dirname, '..', '..', 'BENCHMARKS.md'), `${header}\n${sections.join('\n')}`);
  process.exitCode = failed > 0 ? 1 : 0;
}

void main();
