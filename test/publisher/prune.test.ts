// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import { ostree } from '../helpers/exec';
import { buildCheckpointIndex } from '../../src/publisher/checkpoint-index';
import { publishCommit } from '../../src/publisher/commit';
import { cairn, makeWorkspace, refs } from './fixtures';

test('prune deletes old commits but keeps every checkpoint and the links between them', async (t) => {
  const ws = await makeWorkspace(t);
  const old = (day: number) => `2020-01-${String(day).padStart(2, '0')}T00:00:00Z`;
  const commit = async (label: string, day: number, checkpoint = false) =>
    (
      await publishCommit({
        repo: ws.repo,
        branch: 'os/a',
        tree: await ws.tree(label),
        checkpoint,
        timestamp: old(day),
      })
    ).checksum;
  const c1 = await commit('1', 1);
  const k2 = await commit('2', 2, true);
  const c3 = await commit('3', 3);
  const c4 = await commit('4', 4);
  // A checkpoint made by plain ostree, without pointer: its walk back to k2 crosses c4, which has one.
  const k5 = (
    await ostree([
      'commit',
      `--repo=${ws.repo}`,
      '-b',
      'os/a',
      `--tree=dir=${await ws.tree('5')}`,
      '--add-metadata=cairn.checkpoint=true',
      `--timestamp=${old(5)}`,
    ])
  ).trim();
  const c6 = await commit('6', 6);
  const tip = (await publishCommit({ repo: ws.repo, branch: 'os/a', tree: await ws.tree('7') })).checksum;
  const before = await buildCheckpointIndex(ws.repo);
  t.deepEqual(before['os/a'], [k2, k5]);

  const res = await cairn(['--json', 'repo', 'prune', '--repo', ws.repo, '--keep-younger-than', '30']);
  t.is(res.code, 0, res.stderr);
  const result = JSON.parse(res.stdout) as { checkpoints: string[]; keepRefsCreated: string[] };
  t.deepEqual(result.checkpoints.sort(), [k2, k5].sort());
  t.deepEqual(
    result.keepRefsCreated.sort(),
    [`cairn/checkpoints/os/a/${k5}`, `cairn/history/os/a/${c4}`].sort(),
  );

  const present = async (c: string) =>
    ostree(['show', `--repo=${ws.repo}`, c]).then(
      () => true,
      () => false,
    );
  t.true(await present(tip));
  t.true(await present(k2));
  t.true(await present(k5));
  t.true(await present(c4), 'the link from the pointer-less checkpoint is kept');
  for (const c of [c1, c3, c6]) t.false(await present(c), `old commit ${c} is pruned`);
  t.deepEqual(await buildCheckpointIndex(ws.repo), before, 'checkpoints are still found after pruning');
  t.true((await refs(ws.repo)).includes(`cairn/checkpoints/os/a/${k2}`));
  await ostree(['fsck', `--repo=${ws.repo}`]);

  const again = await cairn(['repo', 'prune', '--repo', ws.repo]);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /kept 2 checkpoints \(0 keep refs added\)/);
  t.is((await cairn(['repo', 'prune', '--repo', ws.repo, '--keep-younger-than', '-1'])).code, 2);
});
