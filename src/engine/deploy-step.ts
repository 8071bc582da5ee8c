// SPDX-License-Identifier: LGPL-2.1-or-later
// Writes one step as a new deployment: immediately in a sysroot that is not booted, staged (written
// by ostree-finalize-staged at shutdown) on a booted system. The new deployment's origin names the
// step's ref, so after a rename the device follows the new ref; the old ref is then dropped locally
// so its objects can be pruned. Cleanup keeps the new deployment and the current one (the rollback).
import { CairnError } from '../errors';
import type { DeploymentInfo } from '../binding';
import type { Device } from './device';

export interface DeployStepOptions {
  device: Device;
  commit: string;
  ref: string;
}

export async function deployStep({ device, commit, ref }: DeployStepOptions): Promise<DeploymentInfo> {
  const { sysroot, repo, remote } = device;
  const loaded = repo.loadCommit(commit);
  if (loaded.partial) {
    throw new CairnError('deploy-failed', `commit ${commit} is not completely downloaded; fetch it first`);
  }
  await sysroot.lock();
  try {
    const deployment = await sysroot.deploy({
      osname: device.osName,
      checksum: commit,
      originRefspec: `${remote}:${ref}`,
      stage: device.booted,
    });
    // The remote ref now names what the device runs; the old ref after a rename only pins objects.
    repo.setRef(remote, ref, commit);
    if (ref !== device.ref) repo.setRef(remote, device.ref, null);
    // Staged deployments are cleaned up by ostree-finalize-staged; prune the rest now.
    if (!device.booted) await sysroot.cleanup();
    return deployment;
  } catch (err) {
    if (err instanceof CairnError) throw err;
    throw new CairnError(
      'deploy-failed',
      `deploying ${commit}: ${err instanceof Error ? err.message : String(err)}`,
      {
        cause: err,
      },
    );
  } finally {
    sysroot.unlock();
  }
}
