// SPDX-License-Identifier: LGPL-2.1-or-later
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import test from 'ava';
import { ostree } from '../helpers/exec';
import { makeGpgKey, withGpgHomedir } from '../helpers/gpg';
import { publishCommit } from '../../src/publisher/commit';
import { renameRef } from '../../src/publisher/rename-ref';
import { cairn, makeWorkspace } from './fixtures';

test('index writes every ref with its checkpoints, oldest first, into a signed summary', async (t) => {
  const ws = await makeWorkspace(t);
  const commit = async (branch: string, label: string, checkpoint = false) =>
    (await publishCommit({ repo: ws.repo, branch, tree: await ws.tree(label), checkpoint })).checksum;
  await commit('os/plain', 'p');
  const k1 = await commit('os/a', '1', true);
  await commit('os/a', '2');
  const k3 = (
    await ostree([
      'commit',
      `--repo=${ws.repo}`,
      '-b',
      'os/a',
      `--tree=dir=${await ws.tree('3')}`,
      '--add-metadata=cairn.checkpoint=true',
    ])
  ).trim();
  await commit('os/a', '4');
  const rename = (await renameRef({ repo: ws.repo, from: 'os/a', to: 'os/b' })).checksum;
  const k6 = await commit('os/b', '6', true);
  await commit('os/b', '7');

  const key = await makeGpgKey(ws.dir);
  const res = await withGpgHomedir(key.homedir, () =>
    cairn([
      '--json',
      'repo',
      'index',
      '--repo',
      ws.repo,
      '--gpg-sign',
      key.keyId,
      '--gpg-homedir',
      key.homedir,
    ]),
  );
  t.is(res.code, 0, res.stderr);
  const expected = { 'os/a': [k1, k3, rename], 'os/b': [k1, k3, rename, k6], 'os/plain': [] };
  t.deepEqual((JSON.parse(res.stdout) as { checkpoints: unknown }).checkpoints, expected);

  const summary = await ostree(['summary', `--repo=${ws.repo}`, '--view']);
  const line = /^cairn\.checkpoints: (.*)$/m.exec(summary)?.[1] ?? '';
  const printed = line.replace(/'/g, '"').replace(/@as /g, '');
  t.deepEqual(JSON.parse(printed), expected);
  await t.notThrowsAsync(access(path.join(ws.repo, 'summary.sig')));
});

test('index of a repository without refs, and of a path that is not a repository', async (t) => {
  const ws = await makeWorkspace(t);
  const res = await cairn(['repo', 'index', '--repo', ws.repo]);
  t.is(res.code, 0, res.stderr);
  t.regex(
    await ostree(['summary', `--repo=${ws.repo}`, '--view']),
    /cairn\.checkpoints: @a\{sas\} \{\}|cairn\.checkpoints: \{\}/,
  );
  const missing = await cairn(['repo', 'index', '--repo', path.join(ws.dir, 'nope')]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no OSTree repository/);
});
