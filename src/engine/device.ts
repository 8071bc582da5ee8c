// SPDX-License-Identifier: LGPL-2.1-or-later
// What cairn knows about the device it runs on: the sysroot, the current deployment, the ref it
// tracks, and where its state lives. "Current" is the booted deployment on a booted system and the
// default deployment (deployments[0]) in a sysroot that is not booted: a simulated reboot there is
// "the newest deployment becomes current" (DESIGN.md §1).
import * as path from 'node:path';
import { Sysroot } from '../binding';
import type { DeploymentInfo, Repo } from '../binding';
import { CairnError } from '../errors';

export interface DeviceOptions {
  sysrootPath: string;
  /** Stateroot; default: the current deployment's. */
  osName?: string;
}

export interface Device {
  sysroot: Sysroot;
  repo: Repo;
  osName: string;
  booted: boolean;
  current: DeploymentInfo;
  /** The remote and ref of the current deployment's origin. */
  remote: string;
  ref: string;
  /** The stateroot's /var, shared by all its deployments. */
  varPath: string;
  stateDir: string;
  /** Deployments other than the current one that are newer (deployed, waiting for a reboot). */
  pending: DeploymentInfo | null;
}

export function parseRefspec(refspec: string): { remote: string; ref: string } {
  const colon = refspec.indexOf(':');
  if (colon <= 0) {
    throw new CairnError('bad-ref', `origin refspec "${refspec}" has no remote; cairn tracks remote:ref`);
  }
  return { remote: refspec.slice(0, colon), ref: refspec.slice(colon + 1) };
}

export function deploymentKey(deployment: Pick<DeploymentInfo, 'checksum' | 'deployserial'>): string {
  return `${deployment.checksum}.${deployment.deployserial}`;
}

/** Loads the sysroot fresh: call again after every deploy, never cache across operations. */
export function openDevice(options: DeviceOptions): Device {
  const sysroot = Sysroot.open(options.sysrootPath);
  sysroot.load();
  const deployments = sysroot.deployments();
  const booted = sysroot.isBooted();
  const current = booted ? sysroot.bootedDeployment() : (deployments[0] ?? null);
  if (!current) {
    throw new CairnError('not-found', `no deployment in sysroot ${options.sysrootPath}`);
  }
  const osName = options.osName ?? current.osname;
  if (!current.originRefspec) {
    throw new CairnError('not-found', `deployment ${current.checksum} has no origin refspec to follow`);
  }
  const { remote, ref } = parseRefspec(current.originRefspec);
  const varPath = booted && options.sysrootPath === '/' ? '/var' : sysroot.osVarPath(osName);
  // On a booted system the newest deployment that is not the booted one is the pending one; in a
  // test sysroot nothing is pending (the default deployment is current).
  const pending =
    deployments.find((d) => d.staged || (d.pending && d.index < current.index && d.osname === osName)) ??
    null;
  return {
    sysroot,
    repo: sysroot.repo(),
    osName,
    booted,
    current,
    remote,
    ref,
    varPath,
    stateDir: path.join(varPath, 'lib', 'cairn'),
    pending,
  };
}
