// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import { ostree } from '../helpers/exec';
import { publishCommit } from '../../src/publisher/commit';
import { planDeltaPairs } from '../../src/publisher/deltas';
import { renameRef } from '../../src/publisher/rename-ref';
import { cairn, makeWorkspace } from './fixtures';

test('delta pairs: recent commits to each checkpoint, checkpoint to checkpoint, to the tip', (t) => {
  const commits = ['a', 'b', 'c', 'K1', 'd', 'e', 'K2', 'f', 'g', 'h', 'tip'];
  const pairs = planDeltaPairs(commits, new Set(['K1', 'K2']), 2).map((p) => `${p.from}>${p.to}`);
  t.deepEqual(pairs, ['c>K1', 'b>K1', 'K1>K2', 'e>K2', 'd>K2', 'K2>tip', 'h>tip', 'g>tip']);
  t.deepEqual(
    planDeltaPairs(['a', 'K'], new Set(['K']), 3).map((p) => `${p.from}>${p.to}`),
    ['a>K'],
    'a checkpoint tip is the last stop, once',
  );
  t.deepEqual(planDeltaPairs(['only'], new Set(), 3), []);
});

test('deltas follow the path across a rename, are made once, then skipped, with sizes', async (t) => {
  const ws = await makeWorkspace(t);
  const commit = async (branch: string, label: string, checkpoint = false) =>
    (await publishCommit({ repo: ws.repo, branch, tree: await ws.tree(label), checkpoint })).checksum;
  const c1 = await commit('os/a', '1');
  const k1 = await commit('os/a', '2', true);
  const c3 = await commit('os/a', '3');
  const rename = (await renameRef({ repo: ws.repo, from: 'os/a', to: 'os/b' })).checksum;
  const c5 = await commit('os/b', '5');
  const tip = await commit('os/b', '6');

  const dry = await cairn([
    '--json',
    'repo',
    'deltas',
    '--repo',
    ws.repo,
    '--ref',
    'os/a',
    '--recent',
    '1',
    '--dry-run',
  ]);
  t.is(dry.code, 0, dry.stderr);
  t.is(
    (await ostree(['static-delta', 'list', `--repo=${ws.repo}`])).includes('-'),
    false,
    'dry run made nothing',
  );

  const first = await cairn([
    '--json',
    'repo',
    'deltas',
    '--repo',
    ws.repo,
    '--ref',
    'os/a',
    '--recent',
    '1',
  ]);
  t.is(first.code, 0, first.stderr);
  type Report = {
    refs: string[];
    generated: { from: string; to: string; sizeBytes: number }[];
    skipped: unknown[];
  };
  const report = JSON.parse(first.stdout) as Report;
  t.deepEqual(report.refs, ['os/a', 'os/b']);
  t.deepEqual(
    report.generated.map((d) => [d.from, d.to]),
    [
      [c1, k1],
      [k1, rename],
      [c3, rename],
      [rename, tip],
      [c5, tip],
    ],
  );
  t.deepEqual(
    (JSON.parse(dry.stdout) as Report).generated.map((d) => [d.from, d.to]),
    report.generated.map((d) => [d.from, d.to]),
  );
  const listed = await ostree(['static-delta', 'list', `--repo=${ws.repo}`]);
  for (const d of report.generated) {
    t.true(listed.includes(`${d.from}-${d.to}`));
    const shown = await ostree(['static-delta', 'show', `--repo=${ws.repo}`, `${d.from}-${d.to}`]);
    t.is(d.sizeBytes, Number(/^Total Size: (\d+)/m.exec(shown)?.[1]));
    t.true(d.sizeBytes > 0);
  }

  const second = await cairn(['repo', 'deltas', '--repo', ws.repo, '--ref', 'os/a', '--recent', '1']);
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /^0 generated, 5 skipped along os\/a -> os\/b$/m);
  t.is(second.stdout.match(/^skipped \(exists\) [0-9a-f]{64} -> [0-9a-f]{64} \d+ bytes$/gm)?.length, 5);

  const bad = await cairn(['repo', 'deltas', '--repo', ws.repo, '--ref', 'os/none']);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /os\/none does not exist/);
  t.is((await cairn(['repo', 'deltas', '--repo', ws.repo, '--ref', 'os/a', '--recent', 'x'])).code, 2);
});
