// SPDX-License-Identifier: LGPL-2.1-or-later
// Acceptance: a device walks a whole release stream through the CLI, one step per simulated reboot,
// never deploying past a checkpoint whose boot hooks have not succeeded. The stream is made with the
// publisher CLI (`cairn repo ...`):
//   os/stable:    v1 - v2 (checkpoint, hook) - v3 - v4 (rename to os/stable-v2, hook)
//   os/stable-v2: v4 - v5 - v6 (ostree.endoflife-rebase=os/next)
//   os/next:      v6 - v7
// The planner's rules (src/planner/plan.ts): v3 and v5 are plain commits under a newer step, and the
// redirect tip v6 is not a checkpoint, so it is no step either: the device goes v1 -> v2 -> v4 -> v7.
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { adminStatus, fsck, makeDevice, type Device } from '../helpers/device';
import { ostree } from '../helpers/exec';
import { buildOsTree, type PayloadFile } from '../helpers/os-tree';
import { RepoServer, type FaultPlan } from '../helpers/server';
import { makeTempDir, removeTree } from '../helpers/tmp';
import { cairn, describe, jsonOf, strictJsonOf } from './cli';
import {
  defaultCommit,
  defaultOrigin,
  deployments,
  deviceCli,
  deviceRefs,
  hookLog,
  makeBench,
  statusOf,
  tracingHook,
  writeConfig,
  type DeviceCli,
} from './fixtures';

const KB = 1000;
const MB = 1_000_000;

interface WalkStream {
  repoPath: string;
  commits: Record<'v1' | 'v2' | 'v3' | 'v4' | 'v5' | 'v6' | 'v7', string>;
}

/** `cairn repo ARGS --json`, which must succeed; its JSON answer. */
async function publish(args: string[]): Promise<Record<string, unknown>> {
  const result = await cairn(['--json', 'repo', ...args]);
  if (result.code !== 0) throw new Error(`cairn repo ${args[0]} failed: ${describe(result)}`);
  return jsonOf(result);
}

/** The release stream of this file, every release carrying `payload(version)` besides its OS files. */
async function publishWalkStream(
  dir: string,
  payload: (version: string) => PayloadFile[],
): Promise<WalkStream> {
  const repoPath = path.join(dir, 'repo');
  const tree = path.join(dir, 'tree');
  await mkdir(repoPath, { recursive: true });
  await ostree(['init', '--mode=archive', `--repo=${repoPath}`]);
  // Explicit, increasing timestamps: commits made in the same second must still be ordered.
  const base = Date.now() - 3600_000;
  let minute = 0;
  const stamp = () => ['--timestamp', new Date(base + ++minute * 60_000).toISOString()];
  const makeTree = async (version: string, hooks?: Record<string, string>) => {
    await removeTree(tree);
    await buildOsTree(tree, { version, payload: payload(version), hooks });
    return tree;
  };
  const commit = async (
    version: string,
    branch: string,
    extra: string[] = [],
    hooks?: Record<string, string>,
  ) => {
    const args = [
      'commit',
      '--repo',
      repoPath,
      '--branch',
      branch,
      '--version',
      version,
      ...stamp(),
      ...extra,
    ];
    const result = await publish([...args, '--tree', await makeTree(version, hooks)]);
    return result.checksum as string;
  };
  const v1 = await commit('1', 'os/stable');
  const v2 = await commit('2', 'os/stable', ['--checkpoint', '--reason', 'data moves to format 2'], {
    '10-format-2': tracingHook('v2'),
  });
  const v3 = await commit('3', 'os/stable');
  const renamed = await publish([
    'rename-ref',
    '--repo',
    repoPath,
    '--from',
    'os/stable',
    '--to',
    'os/stable-v2',
    '--version',
    '4',
    '--reason',
    'the stream moves to os/stable-v2',
    ...stamp(),
    '--tree',
    await makeTree('4', { '10-format-3': tracingHook('v4') }),
  ]);
  const v4 = renamed.checksum as string;
  const v5 = await commit('5', 'os/stable-v2');
  const v6 = await commit('6', 'os/stable-v2', ['--add-metadata-string', 'ostree.endoflife-rebase=os/next']);
  const v7 = await commit('7', 'os/next', ['--parent', v6]);
  await publish(['deltas', '--repo', repoPath, '--ref', 'os/stable']);
  await publish(['index', '--repo', repoPath]);
  await removeTree(tree);
  return { repoPath, commits: { v1, v2, v3, v4, v5, v6, v7 } };
}

interface Step {
  commit: string;
  /** The label its tracing hook writes, when it has one. */
  hook?: string;
}

/**
 * Loops `update` (exit 4) + `boot-hooks` (the simulated reboot) until `update` exits 3, checking
 * after each step what is current, which hooks ran, and that nothing moves while hooks are pending.
 */
async function walk(t: ExecutionContext, cli: DeviceCli, device: Device, expected: Step[]): Promise<void> {
  const ranHooks: string[] = [];
  for (const [k, step] of expected.entries()) {
    const update = await cli(['--json', 'update']);
    t.is(update.code, 4, `update towards step ${k + 1}: ${describe(update)}`);
    t.is(jsonOf<{ deployed: { commit: string } }>(update).deployed.commit, step.commit);
    t.is(await defaultCommit(device), step.commit, `step ${k + 1} is the newest deployment`);

    if (step.hook !== undefined) {
      // Booted but hooks not run: the device must not move on.
      const before = await adminStatus(device);
      const early = await cli(['--json', 'update']);
      t.is(early.code, 4, `update before the hooks of step ${k + 1} ran: ${describe(early)}`);
      t.is(await adminStatus(device), before, 'nothing was deployed while hooks were pending');
      const pending = await statusOf(cli);
      t.is(pending.state, 'reboot-required');
      t.deepEqual(
        pending.hooks.map((h) => h.status),
        ['pending'],
      );
    }

    const hooks = await cli(['boot-hooks']);
    t.is(hooks.code, 0, `boot-hooks after step ${k + 1}: ${describe(hooks)}`);
    if (step.hook !== undefined) ranHooks.push(`${step.hook} ${step.commit}`);

    const status = await statusOf(cli);
    t.is(status.current.commit, step.commit, `current commit after reboot ${k + 1}`);
    t.true(
      status.hooks.every((h) => h.status === 'succeeded'),
      JSON.stringify(status.hooks),
    );
    t.is(status.lastError, null);
    // Each hook ran exactly once, with the commit it belongs to.
    t.deepEqual(await hookLog(device), ranHooks);
  }
  const last = await cli(['--json', 'update']);
  t.is(last.code, 3, `update at the end: ${describe(last)}`);
  t.is(jsonOf<{ state: string }>(last).state, 'up-to-date');
}

async function walkTest(t: ExecutionContext, payload: (version: string) => PayloadFile[], faults: FaultPlan) {
  const dir = await makeTempDir(t, 'cairn-walk');
  const stream = await publishWalkStream(path.join(dir, 'server'), payload);
  const { v1, v2, v4, v6, v7 } = stream.commits;
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());
  const device = await makeDevice(path.join(dir, 'device'), {
    remoteUrl: server.url,
    ref: 'os/stable',
    commit: v1,
  });
  // Installed over a good link; the faults apply from now on.
  server.faults = faults;
  server.resetCounters();
  const cli = deviceCli(
    device,
    await writeConfig(dir, '[download]\nbackoff-initial=100ms\nbackoff-max=1s\n'),
  );

  const check = await cli(['--json', 'check']);
  t.is(check.code, 0, describe(check));
  const plan = jsonOf<{ steps: { commit: string; kind: string; ref: string }[] }>(check);
  t.deepEqual(
    plan.steps.map((s) => [s.commit, s.kind, s.ref]),
    [
      [v2, 'checkpoint', 'os/stable'],
      [v4, 'rename', 'os/stable'],
      [v7, 'final', 'os/next'],
    ],
  );

  await walk(t, cli, device, [{ commit: v2, hook: 'v2' }, { commit: v4, hook: 'v4' }, { commit: v7 }]);

  t.is(await defaultOrigin(device), 'origin:os/next');
  const refs = await deviceRefs(device);
  t.true(refs.includes('origin:os/next'), refs.join(', '));
  for (const gone of ['origin:os/stable', 'origin:os/stable-v2'])
    t.false(refs.includes(gone), refs.join(', '));
  t.false(
    refs.some((ref) => ref.startsWith('cairn/')),
    `no download pins left: ${refs.join(', ')}`,
  );
  if (faults.cutEveryBytes !== undefined)
    t.true(
      server.log.some((r) => r.aborted),
      'the link did cut',
    );
  // The redirect tip was never deployed, nor anything past a checkpoint out of order.
  const deployed = (await deployments(device)).map((d) => d.split('.')[0]);
  t.false(deployed.includes(v6));
  t.is(deployed[0], v7);
  await t.notThrowsAsync(fsck(device.repoPath));
  t.log(`server: ${server.requests} requests, ${server.bytesServed} bytes`);
}

test('a device walks v1 -> v2 -> v4 (rename) -> v7 (after the redirect), one checkpoint per boot', async (t) => {
  await walkTest(
    t,
    (version) => [
      { path: 'usr/share/walk/base.bin', size: 200 * KB, random: true, seed: 'base' },
      {
        path: `usr/share/walk/release-${version}.bin`,
        size: 100 * KB,
        random: true,
        seed: `release-${version}`,
      },
    ],
    {},
  );
});

test('the same walk through a link that drops every 1 MB, with objects larger than 1 MB', async (t) => {
  await walkTest(
    t,
    (version) => [
      { path: 'usr/share/walk/base.bin', size: 200 * KB, random: true, seed: 'base' },
      {
        path: `usr/share/walk/release-${version}.bin`,
        size: 1.4 * MB,
        random: true,
        seed: `release-${version}`,
      },
    ],
    { cutEveryBytes: 1 * MB },
  );
});

// Known failure: libostree's ostree_sysroot_cleanup() g_print()s "Freed objects: ..." on stdout
// whenever the prune after a deploy frees something, ahead of the JSON document. The fix belongs in
// the native addon (g_set_print_handler to stderr); then turn this into a plain `test`.
test.failing('update --json prints one JSON document and nothing else on stdout', async (t) => {
  const bench = await makeBench(t, [{ version: '1' }, { version: '2', checkpoint: true }, { version: '3' }]);
  const update = await bench.cli(['--json', 'update']);
  t.is(update.code, 4, describe(update));
  t.is(strictJsonOf<{ deployed: { commit: string } }>(update).deployed.commit, bench.commits[1]);
});
