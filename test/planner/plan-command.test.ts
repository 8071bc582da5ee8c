// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn plan` against a remote URL alone, before any device exists: JSON document and exit codes.
import test from 'ava';
import * as path from 'node:path';
import { Command } from 'commander';
import { registerPlanCommands } from '../../src/cli/plan-commands';
import { formatBytes, formatPlan } from '../../src/cli/format-plan';
import { CHECKPOINT } from '../../src/metadata/keys';
import type { Plan } from '../../src/planner';
import { RepoServer } from '../helpers/server';
import { meta, ReleaseStream } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';

/** Runs `cairn <args>` in-process (the global options as main.ts defines them); stdout and exit code. */
async function cairn(args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command('cairn')
    .option('--sysroot <path>', '', '/')
    .option('--os <name>')
    .option('--json')
    .exitOverride();
  registerPlanCommands(program);
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  const previous = process.exitCode;
  try {
    await program.parseAsync(['node', 'cairn', ...args]);
    return { stdout, exitCode: Number(process.exitCode ?? 0) };
  } finally {
    process.stdout.write = write;
    process.exitCode = previous;
  }
}

test.serial('cairn plan --remote URL prints the DESIGN §5 document and exits by state', async (t) => {
  const dir = await makeTempDir(t);
  process.env.CAIRN_CACHE_DIR = path.join(dir, 'cache');
  t.teardown(() => delete process.env.CAIRN_CACHE_DIR);
  const stream = await ReleaseStream.create(path.join(dir, 'server'));
  const v1 = await stream.commit({ ref: 'os/a', version: '1' });
  const v2 = await stream.commit({ ref: 'os/a', version: '2', metadata: { [CHECKPOINT]: meta.b(true) } });
  const v3 = await stream.commit({ ref: 'os/a', version: '3' });
  await stream.summary();
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());

  const run = await cairn(['--json', 'plan', '--from', v1, '--to', 'os/a', '--remote', server.url]);
  t.is(run.exitCode, 0);
  const plan = JSON.parse(run.stdout) as Plan;
  t.is(plan.state, 'update-available');
  t.deepEqual(plan.current, { commit: v1, ref: 'os/a', remote: 'origin', version: '1' });
  t.deepEqual(
    plan.steps.map((s) => [s.commit, s.version, s.checkpoint, s.kind]),
    [
      [v2, '2', true, 'checkpoint'],
      [v3, '3', false, 'final'],
    ],
  );
  for (const step of plan.steps) {
    t.deepEqual(Object.keys(step).sort(), [
      'checkpoint',
      'commit',
      'delta',
      'estimatedDownloadBytes',
      'kind',
      'reason',
      'ref',
      'version',
    ]);
  }
  t.is(plan.error, null);

  const upToDate = await cairn(['--json', 'plan', '--from', v3, '--to', 'os/a', '--remote', server.url]);
  t.is(upToDate.exitCode, 3);
  t.is((JSON.parse(upToDate.stdout) as Plan).state, 'up-to-date');

  const toCommit = await cairn(['plan', '--from', v1, '--to', v2, '--ref', 'os/a', '--remote', server.url]);
  t.is(toCommit.exitCode, 0);
  t.regex(toCommit.stdout, /Update available: 1 step/);
  t.regex(toCommit.stdout, new RegExp(v2.slice(0, 12)));
});

test('human output: a table with sizes and the total', (t) => {
  const step = { ref: 'os/a', version: '2', checkpoint: true, reason: 'migrate', delta: true } as const;
  const plan: Plan = {
    state: 'update-available',
    current: { commit: 'a'.repeat(64), ref: 'os/a', remote: 'origin', version: '1' },
    steps: [
      { ...step, commit: 'b'.repeat(64), kind: 'checkpoint', estimatedDownloadBytes: 1536 },
      { ...step, commit: 'c'.repeat(64), kind: 'final', estimatedDownloadBytes: null, delta: false },
    ],
    estimatedTotalDownloadBytes: null,
    error: null,
    finalRef: 'os/a',
    refChanges: [],
    waitingFor: null,
    endOfLife: 'os/a is retired',
  };
  const text = formatPlan(plan);
  t.regex(text, /1\.5 KiB \(delta\)/);
  t.regex(text, /bbbbbbbbbbbb/);
  t.regex(text, /Total download: unknown/);
  t.regex(text, /End of life: os\/a is retired/);
  t.is(formatBytes(512), '512 B');
  t.is(formatBytes(3 * 1024 * 1024), '3.0 MiB');
});
