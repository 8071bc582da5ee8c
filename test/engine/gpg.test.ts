// SPDX-License-Identifier: LGPL-2.1-or-later
// Acceptance: a device whose remote requires GPG signatures walks a signed stream, and refuses, with
// the stable code `unverified`, a ref whose tip is not signed: nothing of it is deployed.
import test from 'ava';
import { adminStatus, fsck } from '../helpers/device';
import { useSharedGpgKey } from '../helpers/gpg';
import { describe, jsonOf } from './cli';
import { defaultCommit, hookRuns, makeBench, statusOf, tracingHook } from './fixtures';

const gpgKey = useSharedGpgKey(test, 'cairn engine test');

test('a signed stream walks through its checkpoint on a remote that requires GPG', async (t) => {
  const bench = await makeBench(
    t,
    [
      { version: '1' },
      { version: '2', checkpoint: true, hooks: { '10-signed': tracingHook('signed') } },
      { version: '3' },
    ],
    { gpgKey: gpgKey() },
  );
  const [, v2, v3] = bench.commits;
  for (const [step, commit] of [v2, v3].entries()) {
    const update = await bench.cli(['update']);
    t.is(update.code, 4, `step ${step + 1}: ${describe(update)}`);
    t.is(await defaultCommit(bench.device), commit);
    const hooks = await bench.cli(['boot-hooks']);
    t.is(hooks.code, 0, describe(hooks));
  }
  t.is((await bench.cli(['update'])).code, 3);
  t.is((await statusOf(bench.cli)).current.commit, v3);
  t.is(await hookRuns(bench.device, 'signed'), 1);
  await t.notThrowsAsync(fsck(bench.device.repoPath));
});

test('an unsigned commit on the ref is refused as unverified and never deployed', async (t) => {
  const bench = await makeBench(t, [{ version: '1' }], { gpgKey: gpgKey() });
  const unsigned = await bench.stream.commit({ ref: 'os/stable', version: '2', sign: false });
  await bench.stream.summary(); // the summary itself stays signed: only the commit lacks a signature
  const before = await adminStatus(bench.device);

  for (const command of ['check', 'update']) {
    const result = await bench.cli(['--json', command]);
    t.is(result.code, 1, `${command}: ${describe(result)}`);
    const answer = jsonOf<{ state: string; error: { code: string; message: string } }>(result);
    t.is(answer.state, 'blocked', command);
    t.is(answer.error.code, 'unverified', `${command}: ${answer.error.message}`);
    t.regex(answer.error.message, /gpg|signature|signed/i, 'the message says what is wrong');
  }
  t.is(await adminStatus(bench.device), before);
  t.not(await defaultCommit(bench.device), unsigned);
  t.is((await statusOf(bench.cli)).lastError?.code, 'unverified');
});
