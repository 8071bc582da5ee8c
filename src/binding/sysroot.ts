// SPDX-License-Identifier: LGPL-2.1-or-later
// Sysroot: the typed, validating wrapper around the native OstreeSysroot handle.
import { withCallerStack } from './errors';
import { loadNative } from './load';
import { Repo } from './repo';
import type { DeployOptions, DeploymentInfo, NativeSysroot } from './types';
import {
  assertBoolean,
  assertChecksum,
  assertInteger,
  assertNonEmptyString,
  assertObject,
  assertOptional,
  assertStringArray,
} from './validate';

async function withStack<T>(promise: Promise<T>, caller: Error): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    throw withCallerStack(err, caller);
  }
}

export class Sysroot {
  private constructor(readonly native: NativeSysroot) {}

  /** Opens (does not load) the sysroot at `path`; call load() before reading deployments. */
  static open(path: string): Sysroot {
    assertNonEmptyString(path, 'path');
    return new Sysroot(loadNative().sysrootOpen(path));
  }

  get path(): string {
    return this.native.path;
  }

  load(): void {
    this.native.load();
  }

  /** Waits (off the JS thread) until this process holds the sysroot lock. */
  lock(): Promise<void> {
    return withStack(this.native.lock(), new Error());
  }

  tryLock(): boolean {
    return this.native.tryLock();
  }

  unlock(): void {
    this.native.unlock();
  }

  ensureInitialized(): void {
    this.native.ensureInitialized();
  }

  osInit(osname: string): void {
    assertNonEmptyString(osname, 'osname');
    this.native.osInit(osname);
  }

  /**
   * Deployments in boot order (0 = default). `pending`/`rollback` are only set on a booted sysroot:
   * libostree defines them relative to the booted deployment.
   */
  deployments(): DeploymentInfo[] {
    return this.native.deployments();
  }

  bootedDeployment(): DeploymentInfo | null {
    return this.native.bootedDeployment();
  }

  stagedDeployment(): DeploymentInfo | null {
    return this.native.stagedDeployment();
  }

  isBooted(): boolean {
    return this.native.isBooted();
  }

  osVarPath(osname: string): string {
    assertNonEmptyString(osname, 'osname');
    return this.native.osVarPath(osname);
  }

  /**
   * Writes a new deployment of `checksum` first in the list (immediate), or stages it. libostree
   * refuses to stage on a sysroot that is not booted.
   */
  deploy(options: DeployOptions): Promise<DeploymentInfo> {
    const caller = new Error();
    assertObject(options, 'options');
    assertNonEmptyString(options.osname, 'options.osname');
    assertChecksum(options.checksum, 'options.checksum');
    assertNonEmptyString(options.originRefspec, 'options.originRefspec');
    assertBoolean(options.stage, 'options.stage');
    assertOptional(options.kernelArgs, 'options.kernelArgs', assertStringArray);
    return withStack(this.native.deploy(options), caller);
  }

  /** Removes the deployment at `index` (rewrites the deployment list without it). */
  undeploy(index: number): Promise<void> {
    const caller = new Error();
    assertInteger(index, 'index', 0);
    return withStack(this.native.undeploy(index), caller);
  }

  cleanup(): Promise<void> {
    return withStack(this.native.cleanup(), new Error());
  }

  repo(): Repo {
    return Repo.fromNative(this.native.repo());
  }
}
