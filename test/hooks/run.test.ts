// SPDX-License-Identifier: LGPL-2.1-or-later
import test, { type ExecutionContext } from 'ava';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isCairnError } from '../../src/errors';
import { OUTPUT_TAIL_BYTES, runBootHooks, type BootHookEnv, type RunBootHooksOptions } from '../../src/hooks';
import type { HookRecord } from '../../src/state';
import { makeDeployment, type HookFile, type TestDeployment } from './helpers/deployment';

const FROM = '1'.repeat(64);
const TO = '2'.repeat(64);

function envFor(d: TestDeployment): BootHookEnv {
  return {
    CAIRN_DEPLOYMENT: `${TO}.0`,
    CAIRN_FROM_COMMIT: FROM,
    CAIRN_TO_COMMIT: TO,
    CAIRN_SYSROOT: path.dirname(d.root),
    CAIRN_VAR: d.varDir,
  };
}

/** A hook that appends its name to $CAIRN_VAR/ran, then runs `body`. */
function hook(name: string, body = 'exit 0'): string {
  return `#!/bin/sh\necho ${name} >> "$CAIRN_VAR/ran"\n${body}\n`;
}

async function ranHooks(d: TestDeployment): Promise<string[]> {
  try {
    return (await fs.readFile(path.join(d.varDir, 'ran'), 'utf8')).trim().split('\n');
  } catch {
    return [];
  }
}

interface Harness {
  d: TestDeployment;
  records: HookRecord[];
  /** A JSON copy of the records at every save. */
  saves: HookRecord[][];
  options: (extra?: Partial<RunBootHooksOptions>) => RunBootHooksOptions;
}

/** Persists records to $CAIRN_VAR/records.json at every save, as the engine does with the state file. */
async function harness(t: ExecutionContext, hooks: Record<string, string | HookFile>): Promise<Harness> {
  const d = await makeDeployment(t, hooks);
  const records: HookRecord[] = [];
  const saves: HookRecord[][] = [];
  const options = (extra: Partial<RunBootHooksOptions> = {}): RunBootHooksOptions => ({
    deploymentRoot: d.root,
    env: envFor(d),
    timeoutMs: 20_000,
    records,
    bootId: 'boot-1',
    save: async (current) => {
      saves.push(JSON.parse(JSON.stringify(current)));
      await fs.writeFile(path.join(d.varDir, 'records.json'), JSON.stringify(current));
    },
    ...extra,
  });
  return { d, records, saves, options };
}

test('hooks run in name order, once per deployment', async (t) => {
  const h = await harness(t, { '20-b': hook('20-b'), '10-a': hook('10-a'), '30-c': hook('30-c') });
  const first = await runBootHooks(h.options());
  t.deepEqual(first.ran, ['10-a', '20-b', '30-c']);
  t.deepEqual(first.succeeded, ['10-a', '20-b', '30-c']);
  t.deepEqual(first.pending, []);
  t.is(first.failed, null);
  t.deepEqual(await ranHooks(h.d), ['10-a', '20-b', '30-c']);
  t.true(h.records.every((r) => r.status === 'succeeded' && r.exitCode === 0 && r.attempts === 1));
  t.true(h.records.every((r) => r.bootId === 'boot-1' && r.finishedAt !== null));

  const second = await runBootHooks({ ...h.options(), bootId: 'boot-2' });
  t.deepEqual(second.ran, []);
  t.deepEqual(second.pending, []);
  t.deepEqual(await ranHooks(h.d), ['10-a', '20-b', '30-c']);
});

test('a running record is saved before each hook starts and the outcome after it ends', async (t) => {
  // The hook prints the records as persisted at its start: it must see itself as running.
  const h = await harness(t, { '10-look': '#!/bin/sh\ncat "$CAIRN_VAR/records.json"\n' });
  await runBootHooks(h.options());
  const seen = JSON.parse(h.records[0].outputTail) as HookRecord[];
  t.is(seen[0].name, '10-look');
  t.is(seen[0].status, 'running');
  t.is(seen[0].finishedAt, null);
  t.deepEqual(
    h.saves.map((save) => save.map((r) => `${r.name}:${r.status}`)),
    [['10-look:running'], ['10-look:succeeded']],
  );
});

test('hooks get the CAIRN_ environment, cwd /, stdin /dev/null and not the updater environment', async (t) => {
  process.env.CAIRN_TEST_SECRET = 'leaked';
  t.teardown(() => delete process.env.CAIRN_TEST_SECRET);
  const script = [
    '#!/bin/sh',
    'for v in CAIRN_DEPLOYMENT CAIRN_FROM_COMMIT CAIRN_TO_COMMIT CAIRN_SYSROOT CAIRN_VAR CAIRN_TEST_SECRET; do',
    '  eval "echo $v=\\${$v:-unset}"',
    'done',
    'echo cwd=$(pwd)',
    'echo stdin=$(readlink /proc/self/fd/0)',
    'command -v sh >/dev/null && echo path=ok',
  ].join('\n');
  const h = await harness(t, { '10-env': script });
  const lines: string[] = [];
  await runBootHooks(h.options({ onOutput: (name, line) => lines.push(`${name}|${line}`) }));
  const env = envFor(h.d);
  t.deepEqual(lines, [
    `10-env|CAIRN_DEPLOYMENT=${env.CAIRN_DEPLOYMENT}`,
    `10-env|CAIRN_FROM_COMMIT=${FROM}`,
    `10-env|CAIRN_TO_COMMIT=${TO}`,
    `10-env|CAIRN_SYSROOT=${env.CAIRN_SYSROOT}`,
    `10-env|CAIRN_VAR=${h.d.varDir}`,
    '10-env|CAIRN_TEST_SECRET=unset',
    '10-env|cwd=/',
    '10-env|stdin=/dev/null',
    '10-env|path=ok',
  ]);
});

test('a failing hook stops the chain, is recorded, and runs again on the next call', async (t) => {
  const h = await harness(t, {
    '10-ok': hook('10-ok'),
    '20-fail': hook('20-fail', 'echo "database migration failed" >&2\nexit 3'),
    '30-later': hook('30-later'),
  });
  const first = await runBootHooks(h.options());
  t.deepEqual(first.ran, ['10-ok', '20-fail']);
  t.deepEqual(first.succeeded, ['10-ok']);
  t.deepEqual(first.pending, ['20-fail', '30-later']);
  t.is(first.failed?.name, '20-fail');
  t.is(first.failed?.exitCode, 3);
  t.true(isCairnError(first.error, 'hook-failed'));
  t.is(first.error?.message, 'boot hook 20-fail exited with code 3: database migration failed');
  t.deepEqual(await ranHooks(h.d), ['10-ok', '20-fail']);
  const failed = h.records.find((r) => r.name === '20-fail');
  t.like(failed, { status: 'failed', exitCode: 3, signal: null, timedOut: false, attempts: 1 });
  t.is(failed?.outputTail, 'database migration failed\n');
  t.false(h.records.some((r) => r.name === '30-later'));

  await fs.writeFile(path.join(h.d.hooksDir, '20-fail'), hook('20-fail'));
  const second = await runBootHooks(h.options());
  t.deepEqual(second.ran, ['20-fail', '30-later']);
  t.deepEqual(second.pending, []);
  t.like(
    h.records.find((r) => r.name === '20-fail'),
    { status: 'succeeded', exitCode: 0, attempts: 2 },
  );
});

test('an interrupted hook (record still running) runs again; succeeded ones do not', async (t) => {
  const h = await harness(t, {
    '10-done': hook('10-done'),
    '20-cut': hook('20-cut'),
    '30-new': hook('30-new'),
  });
  const base = { signal: null, timedOut: false, bootId: 'boot-0', outputTail: '' };
  h.records.push(
    {
      ...base,
      name: '10-done',
      status: 'succeeded',
      exitCode: 0,
      attempts: 1,
      startedAt: 'x',
      finishedAt: 'y',
    },
    {
      ...base,
      name: '20-cut',
      status: 'running',
      exitCode: null,
      attempts: 1,
      startedAt: 'x',
      finishedAt: null,
    },
  );
  const summary = await runBootHooks(h.options());
  t.deepEqual(summary.ran, ['20-cut', '30-new']);
  t.deepEqual(await ranHooks(h.d), ['20-cut', '30-new']);
  t.like(
    h.records.find((r) => r.name === '20-cut'),
    { status: 'succeeded', attempts: 2, bootId: 'boot-1' },
  );
  t.is(h.records.length, 3);
});

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie waiting for its reaper is dead
  } catch {
    return false;
  }
}

test('a hook that times out is killed with its whole process group', async (t) => {
  const script = '#!/bin/sh\nsleep 60 &\necho $! > "$CAIRN_VAR/child.pid"\necho started\nsleep 60\n';
  const h = await harness(t, { '10-slow': script, '20-next': hook('20-next') });
  const started = Date.now();
  const summary = await runBootHooks(h.options({ timeoutMs: 300, killGraceMs: 5000 }));
  t.true(Date.now() - started < 4000, 'SIGTERM did not end the hook');
  t.true(isCairnError(summary.error, 'hook-timeout'));
  t.regex(summary.error?.message ?? '', /^boot hook 10-slow timed out after 300 ms and was killed: started$/);
  t.like(summary.failed, {
    name: '10-slow',
    status: 'failed',
    timedOut: true,
    exitCode: null,
    signal: 'SIGTERM',
  });
  t.deepEqual(summary.pending, ['10-slow', '20-next']);
  const child = Number(await fs.readFile(path.join(h.d.varDir, 'child.pid'), 'utf8'));
  for (let i = 0; i < 50 && alive(child); i++) await sleep(20);
  t.false(alive(child), `the hook's child ${child} survived`);
});

test('a hook that ignores SIGTERM is killed with SIGKILL after the grace period', async (t) => {
  const h = await harness(t, { '10-stubborn': "#!/bin/sh\ntrap '' TERM\nsleep 60\n" });
  const summary = await runBootHooks(h.options({ timeoutMs: 200, killGraceMs: 200 }));
  t.like(summary.failed, { timedOut: true, signal: 'SIGKILL' });
});

test('the record keeps only the last 4 KiB of output', async (t) => {
  const script = '#!/bin/sh\nhead -c 10000 /dev/zero | tr "\\0" x\necho\necho END\n';
  const h = await harness(t, { '10-chatty': script });
  await runBootHooks(h.options());
  const tail = h.records[0].outputTail;
  t.is(Buffer.byteLength(tail), OUTPUT_TAIL_BYTES);
  t.true(tail.endsWith('x\nEND\n'));
});

test('unsafe hooks stop everything before any hook runs', async (t) => {
  const h = await harness(t, {
    '10-fine': hook('10-fine'),
    '20-open': { script: hook('20-open'), mode: 0o777 },
  });
  const err = await t.throwsAsync(runBootHooks(h.options()));
  t.true(isCairnError(err, 'unsafe-hook'));
  t.deepEqual(await ranHooks(h.d), []);
  t.deepEqual(h.saves, []);
});

test('a hook that cannot be started is a recorded failure', async (t) => {
  // execve fails with ENOENT when the interpreter is missing.
  const h = await harness(t, { '10-broken': '#!/nonexistent/cairn-interpreter\n' });
  const summary = await runBootHooks(h.options());
  t.is(summary.failed?.name, '10-broken');
  t.true(isCairnError(summary.error, 'hook-failed'));
  t.is(h.records[0].status, 'failed');
  t.regex(
    summary.error?.message ?? '',
    /^boot hook 10-broken could not be started \(.*ENOENT: the file or the interpreter named on its #! line/,
  );
});
