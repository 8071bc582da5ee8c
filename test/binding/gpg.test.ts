// SPDX-License-Identifier: LGPL-2.1-or-later
// GPG verification through the binding: signed pulls pass with the key imported, unsigned or
// wrongly signed commits fail with an OstreeError that says why.
import test from 'ava';
import * as path from 'node:path';

import { OstreeError } from '../../src/binding';
import { makeGpgKey } from '../helpers/gpg';
import { makeTempDir } from '../helpers/tmp';
import { clientRepo, servedStream } from './fixtures';

test('signed pull with the key imported passes', async (t) => {
  const key = await makeGpgKey(path.join(await makeTempDir(t), 'gpg'));
  const { dir, server, commit } = await servedStream(t, { gpgKey: key });
  const repo = clientRepo(path.join(dir, 'client'), server.url, { 'gpg-verify': true });
  t.is(repo.remoteGpgImport('origin', key.publicKeyPath), 1);
  await repo.pull('origin', { refs: ['os/stable'] });
  t.is(repo.resolveRev('origin:os/stable'), commit);
});

test('unsigned commit on a verifying remote fails with a GPG error', async (t) => {
  const key = await makeGpgKey(path.join(await makeTempDir(t), 'gpg'));
  const { dir, server } = await servedStream(t);
  const repo = clientRepo(path.join(dir, 'client'), server.url, { 'gpg-verify': true });
  repo.remoteGpgImport('origin', key.publicKeyPath);
  const err = await t.throwsAsync(repo.pull('origin', { refs: ['os/stable'] }), { instanceOf: OstreeError });
  t.is((err as OstreeError).code, 'OSTREE_GPG_ERROR_NO_SIGNATURE', err?.message);
  t.regex(err?.message ?? '', /signature/i);
});

test('commit signed with another key fails with a missing-key error', async (t) => {
  const tmp = await makeTempDir(t);
  const signer = await makeGpgKey(path.join(tmp, 'signer'), 'signer');
  const other = await makeGpgKey(path.join(tmp, 'other'), 'other');
  const { dir, server } = await servedStream(t, { gpgKey: signer });
  const repo = clientRepo(path.join(dir, 'client'), server.url, { 'gpg-verify': true });
  repo.remoteGpgImport('origin', other.publicKeyPath);
  const err = await t.throwsAsync(repo.pull('origin', { refs: ['os/stable'] }), { instanceOf: OstreeError });
  t.is((err as OstreeError).code, 'OSTREE_GPG_ERROR_MISSING_KEY', err?.message);
  t.true(err?.message.includes(signer.keyId.slice(-8)) || /key/i.test(err?.message ?? ''), err?.message);
});
