// SPDX-License-Identifier: LGPL-2.1-or-later
// Throw-away GPG signing keys. Every use of a homedir goes through withGpgHomedir: uses of one homedir
// are serialized and the gpg-agent it starts is killed afterwards, so no test leaves an agent behind
// and no test kills an agent another test is signing with.
import { mkdir } from 'node:fs/promises';
import * as path from 'node:path';
import type { TestFn } from 'ava';
import { run } from './exec';
import { lazySharedTempDir } from './tmp';

export interface GpgKey {
  /** Holds the secret key, and `trustedkeys.gpg` so `--gpg-homedir` verification finds the public key. */
  homedir: string;
  /** The key's fingerprint (40 hex digits), usable as ostree's --gpg-sign KEY-ID. */
  keyId: string;
  /** Armored public key, for `ostree remote add --gpg-import` and friends. */
  publicKeyPath: string;
}

const queues = new Map<string, Promise<unknown>>();

async function killAgent(homedir: string): Promise<void> {
  await run('gpgconf', ['--homedir', homedir, '--kill', 'all']).catch(() => undefined);
}

/** Runs fn with exclusive use of homedir, then kills the agents started for it. */
export function withGpgHomedir<T>(homedir: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(homedir) ?? Promise.resolve();
  const result = previous.then(fn, fn).finally(() => killAgent(homedir));
  const settled = result.catch(() => undefined);
  queues.set(homedir, settled);
  void settled.then(() => {
    if (queues.get(homedir) === settled) queues.delete(homedir);
  });
  return result;
}

/** A new RSA-2048 signing key, without passphrase, in the homedir `dir/gnupg-<name>`. */
export async function makeGpgKey(dir: string, name = 'cairn test'): Promise<GpgKey> {
  const slug = name.replace(/[^A-Za-z0-9]+/g, '-');
  const homedir = path.join(dir, `gnupg-${slug}`);
  await mkdir(homedir, { recursive: true, mode: 0o700 });
  const gpg = (args: string[]) => run('gpg', ['--batch', '--homedir', homedir, ...args]);
  return withGpgHomedir(homedir, async () => {
    const uid = `${name} <test@cairn.invalid>`;
    await gpg([
      '--passphrase',
      '',
      '--pinentry-mode',
      'loopback',
      '--quick-gen-key',
      uid,
      'rsa2048',
      'sign',
      'never',
    ]);
    const { stdout } = await gpg(['--with-colons', '--list-secret-keys']);
    const fpr = stdout.split('\n').find((line) => line.startsWith('fpr:'));
    const keyId = fpr?.split(':')[9];
    if (keyId === undefined || !/^[0-9A-F]{40}$/.test(keyId)) {
      throw new Error(`no fingerprint for the new key in ${homedir}: ${stdout}`);
    }
    const publicKeyPath = path.join(dir, `${slug}.asc`);
    await gpg(['--armor', '--output', publicKeyPath, '--export', keyId]);
    // libostree's --gpg-homedir verification reads *.gpg keyring files, not gpg's pubring.kbx.
    await gpg(['--output', path.join(homedir, 'trustedkeys.gpg'), '--export', keyId]);
    return { homedir, keyId, publicKeyPath };
  });
}

/**
 * One key for all tests of a file, made in a `test.before` hook. Call at the top level; the getter
 * returns the key once the hooks have run (that is, inside tests).
 */
export function useSharedGpgKey<Context>(test: TestFn<Context>, name?: string): () => GpgKey {
  const sharedDir = lazySharedTempDir(test, 'cairn-gpg');
  let key: GpgKey | undefined;
  test.before(async () => {
    key = await makeGpgKey(await sharedDir(), name);
  });
  return () => {
    if (key === undefined) throw new Error('the shared GPG key is made in test.before');
    return key;
  };
}
