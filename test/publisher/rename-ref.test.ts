// SPDX-License-Identifier: LGPL-2.1-or-later
import * as path from 'node:path';
import test from 'ava';
import { ostree } from '../helpers/exec';
import { publishCommit } from '../../src/publisher/commit';
import { renameRef } from '../../src/publisher/rename-ref';
import { isCairnError } from '../../src/errors';
import { cairn, makeWorkspace, metadataText, refs, revParse } from './fixtures';

test('rename-ref ends A with a checkpoint carrying the target, and B points at it', async (t) => {
  const ws = await makeWorkspace(t);
  const c1 = (
    await publishCommit({
      repo: ws.repo,
      branch: 'eos/amd64/eos3',
      tree: await ws.tree('1'),
      checkpoint: true,
    })
  ).checksum;
  const c2 = (
    await publishCommit({ repo: ws.repo, branch: 'eos/amd64/eos3', tree: await ws.tree('2'), version: '3.9' })
  ).checksum;
  const res = await cairn([
    '--json',
    'repo',
    'rename-ref',
    '--repo',
    ws.repo,
    '--from',
    'eos/amd64/eos3',
    '--to',
    'eos/amd64/eos4',
    '--reason',
    'new base',
  ]);
  t.is(res.code, 0, res.stderr);
  const { checksum } = JSON.parse(res.stdout) as { checksum: string };
  t.is(await revParse(ws.repo, 'eos/amd64/eos3'), checksum);
  t.is(await revParse(ws.repo, 'eos/amd64/eos4'), checksum);
  t.is(await revParse(ws.repo, `${checksum}^`), c2);
  t.is(await metadataText(ws.repo, checksum, 'eos.checkpoint-target'), "'eos/amd64/eos4'");
  t.is(await metadataText(ws.repo, checksum, 'cairn.checkpoint'), 'true');
  t.is(await metadataText(ws.repo, checksum, 'cairn.checkpoint-reason'), "'new base'");
  t.is(await metadataText(ws.repo, checksum, 'cairn.previous-checkpoint'), `'${c1}'`);
  t.is(await metadataText(ws.repo, checksum, 'version'), "'3.9'", 'version carried over from the tip');
  const tree = (rev: string) => ostree(['ls', `--repo=${ws.repo}`, '-R', '-C', rev]);
  t.is(await tree(checksum), await tree(c2), 'same tree as the old tip');
  t.true((await refs(ws.repo)).includes(`cairn/checkpoints/eos/amd64/eos3/${checksum}`));

  // A device pulling the new ref by name accepts the commit (its ref binding names both refs).
  const client = path.join(ws.dir, 'client');
  await ostree(['init', `--repo=${client}`, '--mode=bare-user']);
  await ostree(['remote', 'add', `--repo=${client}`, '--no-gpg-verify', 'origin', `file://${ws.repo}`]);
  await ostree(['pull', `--repo=${client}`, '--commit-metadata-only', 'origin', 'eos/amd64/eos4']);
  t.is(await revParse(client, 'origin:eos/amd64/eos4'), checksum);

  // The next commit on B points back to the rename commit.
  const next = await publishCommit({ repo: ws.repo, branch: 'eos/amd64/eos4', tree: await ws.tree('4') });
  t.is(next.previousCheckpoint, checksum);
});

test('rename-ref refuses a missing source, an existing target (unless forced) and bad names', async (t) => {
  const ws = await makeWorkspace(t);
  await publishCommit({ repo: ws.repo, branch: 'os/a', tree: await ws.tree('a') });
  const other = (await publishCommit({ repo: ws.repo, branch: 'os/b', tree: await ws.tree('b') })).checksum;

  const missing = await renameRef({ repo: ws.repo, from: 'os/none', to: 'os/c' }).catch((e: unknown) => e);
  t.true(isCairnError(missing, 'not-found'));
  const exists = await cairn(['repo', 'rename-ref', '--repo', ws.repo, '--from', 'os/a', '--to', 'os/b']);
  t.is(exists.code, 2);
  t.regex(exists.stderr, /os\/b already exists/);
  t.is(await revParse(ws.repo, 'os/b'), other, 'B untouched');
  const bad = await renameRef({ repo: ws.repo, from: 'os/a', to: '/os' }).catch((e: unknown) => e);
  t.true(isCairnError(bad, 'bad-ref'));
  t.true(
    isCairnError(
      await renameRef({ repo: ws.repo, from: 'os/a', to: 'os/a' }).catch((e: unknown) => e),
      'bad-usage',
    ),
  );

  const forced = await renameRef({ repo: ws.repo, from: 'os/a', to: 'os/b', force: true, version: '9' });
  t.is(await revParse(ws.repo, 'os/b'), forced.checksum);
  t.is(await metadataText(ws.repo, forced.checksum, 'version'), "'9'");
  t.is(forced.previousCheckpoint, null);
});
