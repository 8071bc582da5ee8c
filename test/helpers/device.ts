// SPDX-License-Identifier: LGPL-2.1-or-later
// A device in a directory: an OSTree sysroot that is not booted, with one stateroot, one remote and one
// deployment of a release, exactly as `ostree admin` would leave a freshly installed machine.
import { mkdir, readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { ostree } from './exec';
import { DEFAULT_OS_NAME } from './os-tree';

export interface Device {
  sysroot: string;
  osName: string;
  /** SYSROOT/ostree/repo */
  repoPath: string;
  /** SYSROOT/ostree/deploy/OS/var, shared by all deployments of the stateroot. */
  varPath: string;
  remote: string;
  ref: string;
  /** The deployed commit. */
  commit: string;
  /** The deployment's directory, SYSROOT/ostree/deploy/OS/deploy/COMMIT.SERIAL. */
  deploymentPath: string;
}

export interface MakeDeviceOptions {
  remoteUrl: string;
  ref: string;
  /** Deploy this commit of ref instead of its tip; the origin still tracks REMOTE:REF. */
  commit?: string;
  /** Defaults to `origin`. */
  remote?: string;
  /** Defaults to `cairnos`. */
  osName?: string;
  /** Armored public key: the remote then requires GPG-signed commits. Without it, gpg-verify=false. */
  gpgKeyPath?: string;
}

/** Makes DIR/sysroot, pulls the release from the remote and deploys it with origin REMOTE:REF. */
export async function makeDevice(dir: string, opts: MakeDeviceOptions): Promise<Device> {
  const sysroot = path.join(dir, 'sysroot');
  const osName = opts.osName ?? DEFAULT_OS_NAME;
  const remote = opts.remote ?? 'origin';
  const repoPath = path.join(sysroot, 'ostree', 'repo');
  const repoArg = `--repo=${repoPath}`;
  await mkdir(sysroot, { recursive: true });
  await ostree(['admin', 'init-fs', sysroot]);
  await ostree(['admin', 'os-init', `--sysroot=${sysroot}`, osName]);

  const verify =
    opts.gpgKeyPath === undefined
      ? ['--no-gpg-verify']
      : ['--set=gpg-verify=true', `--gpg-import=${opts.gpgKeyPath}`];
  await ostree(['remote', 'add', repoArg, ...verify, remote, opts.remoteUrl, opts.ref]);
  // REF@COMMIT pulls that commit and points the remote ref REMOTE:REF at it.
  await ostree([
    'pull',
    repoArg,
    remote,
    opts.commit === undefined ? opts.ref : `${opts.ref}@${opts.commit}`,
  ]);
  const refspec = `${remote}:${opts.ref}`;
  const commit = (await ostree(['rev-parse', repoArg, refspec])).trim();
  if (opts.commit !== undefined && commit !== opts.commit) {
    throw new Error(`pulled ${refspec} resolves to ${commit}, expected ${opts.commit}`);
  }
  await ostree(['admin', 'deploy', `--sysroot=${sysroot}`, `--os=${osName}`, refspec]);

  const deployRoot = path.join(sysroot, 'ostree', 'deploy', osName, 'deploy');
  const deployment = (await readdir(deployRoot)).find(
    (name) => name.startsWith(`${commit}.`) && !name.endsWith('.origin'),
  );
  if (deployment === undefined) throw new Error(`no deployment of ${commit} in ${deployRoot}`);
  const origin = await readFile(path.join(deployRoot, `${deployment}.origin`), 'utf8');
  if (!origin.split('\n').includes(`refspec=${refspec}`)) {
    throw new Error(`deployment origin does not track ${refspec}:\n${origin}`);
  }
  return {
    sysroot,
    osName,
    repoPath,
    varPath: path.join(sysroot, 'ostree', 'deploy', osName, 'var'),
    remote,
    ref: opts.ref,
    commit,
    deploymentPath: path.join(deployRoot, deployment),
  };
}

/** `ostree admin status` of the device. */
export function adminStatus(device: Device): Promise<string> {
  return ostree(['admin', 'status', `--sysroot=${device.sysroot}`]);
}

/** Rejects (with ostree's report) when `ostree fsck` finds the repo is not clean. */
export async function fsck(repoPath: string): Promise<void> {
  await ostree(['fsck', `--repo=${repoPath}`]);
}
