// SPDX-License-Identifier: LGPL-2.1-or-later
import { access, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import test from 'ava';
import { makeDevice } from '../helpers/device';
import { ostree, run } from '../helpers/exec';
import { type GpgKey, makeGpgKey } from '../helpers/gpg';
import { RepoServer } from '../helpers/server';
import { ReleaseStream } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';

async function agentRunning(key: GpgKey): Promise<boolean> {
  const { stdout } = await run('gpgconf', ['--homedir', key.homedir, '--list-dirs', 'agent-socket']);
  const socket = stdout.trim();
  // The agent removes its socket when it exits.
  return access(socket).then(
    () => true,
    () => false,
  );
}

test('makeGpgKey makes a usable key and leaves no agent behind', async (t) => {
  const dir = await makeTempDir(t);
  const key = await makeGpgKey(dir, 'release key');
  t.regex(key.keyId, /^[0-9A-F]{40}$/);
  t.regex(await readFile(key.publicKeyPath, 'utf8'), /BEGIN PGP PUBLIC KEY BLOCK/);
  t.false(await agentRunning(key));
  const other = await makeGpgKey(dir, 'other key');
  t.not(other.keyId, key.keyId);
  t.not(other.homedir, key.homedir);
});

test('signed commits verify with the key, unsigned and foreign-signed ones do not', async (t) => {
  const dir = await makeTempDir(t);
  const [key, stranger] = await Promise.all([makeGpgKey(dir, 'publisher'), makeGpgKey(dir, 'stranger')]);
  const stream = await ReleaseStream.create(path.join(dir, 'pub'), { gpgKey: key });
  const signed = await stream.commit({ ref: 'os/stable', version: '1' });
  const unsigned = await stream.commit({ ref: 'os/unsigned', version: '1', sign: false });
  await stream.summary();
  t.false(await agentRunning(key));

  const shown = await ostree(['show', `--repo=${stream.repoPath}`, `--gpg-homedir=${key.homedir}`, signed]);
  t.regex(shown, /Good signature/);
  t.true(shown.includes(key.keyId.slice(-16)));
  t.notRegex(
    await ostree(['show', `--repo=${stream.repoPath}`, `--gpg-homedir=${key.homedir}`, unsigned]),
    /signature/i,
  );

  const foreign = await ReleaseStream.create(path.join(dir, 'foreign'), { gpgKey: stranger });
  await foreign.commit({ ref: 'os/stable', version: '1' });

  const server = await RepoServer.start(stream.repoPath);
  const foreignServer = await RepoServer.start(foreign.repoPath);
  t.teardown(() => Promise.all([server.close(), foreignServer.close()]));

  const device = await makeDevice(path.join(dir, 'dev'), {
    remoteUrl: server.url,
    ref: 'os/stable',
    gpgKeyPath: key.publicKeyPath,
  });
  t.is(device.commit, signed);
  t.regex(
    await ostree(['config', `--repo=${device.repoPath}`, 'get', '--group=remote "origin"', 'gpg-verify']),
    /true/,
  );
  await t.throwsAsync(ostree(['pull', `--repo=${device.repoPath}`, 'origin', 'os/unsigned']), {
    message: /signature/i,
  });
  await t.throwsAsync(
    makeDevice(path.join(dir, 'dev2'), {
      remoteUrl: foreignServer.url,
      ref: 'os/stable',
      gpgKeyPath: key.publicKeyPath,
    }),
    { message: /signature|key/i },
  );
});
