// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import { ostree } from '../helpers/exec';
import { publishCommit } from '../../src/publisher/commit';
import { NativeCommitReader } from '../../src/publisher/commit-reader';
import { isCairnError } from '../../src/errors';
import { cairn, makeWorkspace, metadataText, refs, revParse } from './fixtures';

test('previous-checkpoint is right over checkpoints, plain commits and commits made by plain ostree', async (t) => {
  const ws = await makeWorkspace(t);
  const commit = async (
    label: string,
    extra: { checkpoint?: boolean; reason?: string; parent?: string } = {},
  ) =>
    (
      await publishCommit({
        repo: ws.repo,
        branch: 'os/stable',
        tree: await ws.tree(label),
        version: label,
        ...extra,
      })
    ).checksum;
  const ostreeCommit = async (label: string, metadata: string[] = []) =>
    (
      await ostree([
        'commit',
        `--repo=${ws.repo}`,
        '--branch=os/stable',
        `--tree=dir=${await ws.tree(label)}`,
        ...metadata.map((m) => `--add-metadata=${m}`),
      ])
    ).trim();

  const c1 = await commit('1');
  const c2 = await commit('2', { checkpoint: true, reason: 'schema "v2", it\'s big\nsecond line' });
  const c3 = await commit('3');
  const c4 = await ostreeCommit('4');
  const c5 = await commit('5');
  const c6 = await ostreeCommit('6', ['cairn.checkpoint=true']);
  const c7 = await ostreeCommit('7');
  const c8 = await commit('8', { checkpoint: true });
  const c9 = await commit('9');
  const root = await commit('10', { parent: 'none' });

  const pointer = (c: string) => metadataText(ws.repo, c, 'cairn.previous-checkpoint');
  t.is(await pointer(c1), "''", 'no older checkpoint is said explicitly');
  t.is(await pointer(c2), "''");
  t.is(await pointer(c3), `'${c2}'`);
  t.is(await pointer(c4), null, 'plain ostree commit writes none');
  t.is(await pointer(c5), `'${c2}'`, 'walked through the plain commit to its pointer');
  t.is(await pointer(c8), `'${c6}'`, 'a checkpoint made by plain ostree counts');
  t.is(await pointer(c9), `'${c8}'`);
  t.is(await pointer(root), "''", 'a root commit has no older checkpoint');
  t.is(await revParse(ws.repo, `${c7}^`), c6);

  const reader = new NativeCommitReader(ws.repo);
  const facts = await reader.read(c2);
  t.is(facts?.checkpoint, true);
  t.is(facts?.reason, 'schema "v2", it\'s big\nsecond line');
  t.is(facts?.version, '2');
  t.is((await reader.read(c5))?.checkpoint, false);

  const sizes = await ostree(['show', `--repo=${ws.repo}`, '--print-sizes', c9]);
  t.regex(sizes, /Compressed size/i, 'ostree.sizes is generated');
  const all = await refs(ws.repo);
  t.true(all.includes(`cairn/checkpoints/os/stable/${c2}`));
  t.true(all.includes(`cairn/checkpoints/os/stable/${c8}`));
  t.false(
    all.some((r) => r.endsWith(c6)),
    'only cairn checkpoints get a keep ref at commit time',
  );
});

test('the CLI prints the checksum, writes the options and moves the branch', async (t) => {
  const ws = await makeWorkspace(t);
  const first = await cairn([
    'repo',
    'commit',
    '--repo',
    ws.repo,
    '--branch',
    'os/x',
    '--tree',
    await ws.tree('a'),
    '--version',
    '1.0',
    '--checkpoint',
    '--reason',
    'first',
  ]);
  t.is(first.code, 0, first.stderr);
  const c1 = first.stdout.trim();
  t.regex(c1, /^[0-9a-f]{64}$/);
  const second = await cairn([
    '--json',
    'repo',
    'commit',
    '--repo',
    ws.repo,
    '--branch',
    'os/x',
    '--tree',
    await ws.tree('b'),
    '--subject',
    'Two',
    '--add-metadata-string',
    'ostree.endoflife=bye=now',
    '--timestamp',
    '2021-02-03T04:05:06Z',
  ]);
  t.is(second.code, 0, second.stderr);
  const json = JSON.parse(second.stdout) as { checksum: string; parent: string; previousCheckpoint: string };
  t.is(json.parent, c1);
  t.is(json.previousCheckpoint, c1);
  t.is(await revParse(ws.repo, 'os/x'), json.checksum);
  t.is(await metadataText(ws.repo, json.checksum, 'ostree.endoflife'), "'bye=now'");
  t.is(await metadataText(ws.repo, c1, 'version'), "'1.0'");
  t.is(await metadataText(ws.repo, c1, 'cairn.checkpoint'), 'true');
  const log = await ostree(['log', `--repo=${ws.repo}`, json.checksum]);
  t.regex(log, /Date:\s+2021-02-03 04:05:06 \+0000/);
  t.regex(log, /Two/);
});

test('bad input is refused with clear errors and exit codes', async (t) => {
  const ws = await makeWorkspace(t);
  const tree = await ws.tree('x');
  const base = ['repo', 'commit', '--repo', ws.repo, '--tree', tree];

  const reserved = await cairn([
    ...base,
    '--branch',
    'os/a',
    '--add-metadata-string',
    'cairn.previous-checkpoint=abc',
  ]);
  t.is(reserved.code, 2);
  t.regex(reserved.stderr, /cairn\.previous-checkpoint is written by cairn/);

  const badRef = await cairn(['--json', ...base, '--branch', 'os//a']);
  t.is(badRef.code, 1);
  t.is((JSON.parse(badRef.stdout) as { error: { code: string } }).error.code, 'bad-ref');

  t.is(
    (await cairn([...base, '--branch', 'os/a', '--reason', 'why'])).code,
    2,
    '--reason needs --checkpoint',
  );
  t.is((await cairn([...base, '--branch', 'os/a', '--parent', 'abc'])).code, 2, 'bad parent checksum');
  t.is((await cairn([...base, '--branch', 'os/a', '--timestamp', 'yesterday'])).code, 2);
  t.is((await cairn([...base, '--branch', 'os/a', '--gpg-homedir', ws.dir])).code, 2);
  t.is((await cairn(['repo', 'commit', '--repo', ws.repo, '--branch', 'os/a'])).code, 2, 'missing --tree');

  await t.throwsAsync(publishCommit({ repo: ws.dir, branch: 'os/a', tree }), {
    instanceOf: Error,
    message: /no OSTree repository/,
  });
  const missingParent = await publishCommit({
    repo: ws.repo,
    branch: 'os/a',
    tree,
    parent: 'f'.repeat(64),
  }).catch((e: unknown) => e);
  t.true(isCairnError(missingParent, 'not-found'));
  const missingTree = await publishCommit({ repo: ws.repo, branch: 'os/a', tree: `${tree}-nope` }).catch(
    (e: unknown) => e,
  );
  t.true(isCairnError(missingTree, 'not-found'));
  t.deepEqual(await refs(ws.repo), [], 'nothing was written');
});
