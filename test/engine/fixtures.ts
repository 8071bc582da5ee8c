// SPDX-License-Identifier: LGPL-2.1-or-later
// What the engine's acceptance tests share: the CLI bound to one device, a configuration file, boot
// hooks that leave a trace in the stateroot's /var, and views of the device (deployments, origin,
// refs, hook log) taken with the ostree CLI and the file system, never with cairn itself.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { adminStatus, makeDevice, type Device } from '../helpers/device';
import { ostree } from '../helpers/exec';
import type { GpgKey } from '../helpers/gpg';
import type { PayloadFile } from '../helpers/os-tree';
import { RepoServer } from '../helpers/server';
import { meta, ReleaseStream } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';
import { cairn, jsonOf, startCairn, type CairnProcess, type CairnResult, type CairnRunOptions } from './cli';

export const HOOK_LOG = 'hooks.log';

export interface DeviceCli {
  (args: string[], opts?: CairnRunOptions): Promise<CairnResult>;
  start(args: string[], opts?: CairnRunOptions): CairnProcess;
}

/** `cairn --sysroot DEVICE --config CONFIG ...`: the host's /etc/cairn never leaks into a test. */
export function deviceCli(device: Device, configPath: string): DeviceCli {
  const global = ['--sysroot', device.sysroot, '--config', configPath];
  const run = ((args: string[], opts?: CairnRunOptions) => cairn([...global, ...args], opts)) as DeviceCli;
  run.start = (args, opts) => startCairn([...global, ...args], opts);
  return run;
}

/** Writes DIR/cairn.conf with the given keyfile text and returns its path. */
export async function writeConfig(dir: string, text = ''): Promise<string> {
  const file = path.join(dir, 'cairn.conf');
  await writeFile(file, text);
  return file;
}

/** A boot hook that appends `LABEL COMMIT` to $CAIRN_VAR/hooks.log, then exits with `exitCode`. */
export function tracingHook(label: string, exitCode = 0): string {
  return `#!/bin/sh
set -eu
echo "${label} $CAIRN_TO_COMMIT" >> "$CAIRN_VAR/${HOOK_LOG}"
exit ${exitCode}
`;
}

/** The lines the tracing hooks wrote, in order. */
export async function hookLog(device: Device): Promise<string[]> {
  try {
    const text = await readFile(path.join(device.varPath, HOOK_LOG), 'utf8');
    return text.split('\n').filter((line) => line !== '');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** How many times the hook labelled LABEL ran. */
export async function hookRuns(device: Device, label: string): Promise<number> {
  return (await hookLog(device)).filter((line) => line.split(' ')[0] === label).length;
}

/** The deployments as `ostree admin status` lists them, newest (the default) first: COMMIT.SERIAL. */
export async function deployments(device: Device): Promise<string[]> {
  return [...(await adminStatus(device)).matchAll(/\b([0-9a-f]{64}\.\d+)\b/g)].map((m) => m[1]);
}

/** The commit of the default deployment: the current one after a simulated reboot. */
export async function defaultCommit(device: Device): Promise<string> {
  const [first] = await deployments(device);
  if (first === undefined) throw new Error(`no deployment in ${device.sysroot}`);
  return first.split('.')[0];
}

/** The `refspec=` of the default deployment's origin file. */
export async function defaultOrigin(device: Device): Promise<string> {
  const [first] = await deployments(device);
  const file = path.join(device.sysroot, 'ostree', 'deploy', device.osName, 'deploy', `${first}.origin`);
  const match = /^refspec=(.*)$/m.exec(await readFile(file, 'utf8'));
  if (match === null) throw new Error(`no refspec in ${file}`);
  return match[1];
}

/** The refs of the device's repository (`ostree refs`), e.g. `origin:os/stable`. */
export async function deviceRefs(device: Device): Promise<string[]> {
  const text = await ostree(['refs', `--repo=${device.repoPath}`]);
  return text.split('\n').filter((line) => line !== '');
}

export interface StatusJson {
  state: string;
  current: { commit: string; ref: string; remote: string; version: string | null };
  pendingDeployment: unknown;
  hooks: { name: string; status: string; exitCode: number | null; attempts: number }[];
  lastError: { code: string; message: string } | null;
}

/** `cairn status --json`, which must exit 0. */
export async function statusOf(cli: DeviceCli): Promise<StatusJson> {
  const result = await cli(['--json', 'status']);
  if (result.code !== 0) throw new Error(`cairn status failed: ${result.stderr}`);
  return jsonOf<StatusJson>(result);
}

/** The state file of the device. */
export function stateFile(device: Device): string {
  return path.join(device.varPath, 'lib', 'cairn', 'state.json');
}

export interface Release {
  version: string;
  checkpoint?: boolean;
  hooks?: Record<string, string>;
  payload?: PayloadFile[];
}

export interface Bench {
  dir: string;
  stream: ReleaseStream;
  /** The commits of the releases, in order, all on os/stable. */
  commits: string[];
  server: RepoServer;
  device: Device;
  cli: DeviceCli;
}

/**
 * A test bench: RELEASES committed on os/stable (summary written, signed with gpgKey if given),
 * served on 127.0.0.1, and a device on the first release whose remote requires GPG when gpgKey is
 * given. The CLI uses a configuration file with `config` (fast retries by default).
 */
export async function makeBench(
  t: ExecutionContext,
  releases: Release[],
  opts: { config?: string; gpgKey?: GpgKey; mountDevice?: (sysroot: string) => Promise<void> } = {},
): Promise<Bench> {
  const dir = await makeTempDir(t, 'cairn-engine');
  const stream = await ReleaseStream.create(path.join(dir, 'server'), { gpgKey: opts.gpgKey });
  const commits: string[] = [];
  for (const release of releases) {
    commits.push(
      await stream.commit({
        ref: 'os/stable',
        version: release.version,
        hooks: release.hooks,
        payload: release.payload ?? [
          { path: 'usr/share/bench/base.bin', size: 50_000, random: true, seed: 'base' },
        ],
        metadata: release.checkpoint ? { 'cairn.checkpoint': meta.b(true) } : undefined,
      }),
    );
  }
  await stream.summary();
  const server = await RepoServer.start(stream.repoPath);
  t.teardown(() => server.close());
  const deviceDir = path.join(dir, 'device');
  await opts.mountDevice?.(path.join(deviceDir, 'sysroot'));
  const device = await makeDevice(deviceDir, {
    remoteUrl: server.url,
    ref: 'os/stable',
    commit: commits[0],
    gpgKeyPath: opts.gpgKey?.publicKeyPath,
  });
  server.resetCounters();
  const config = opts.config ?? '[download]\nbackoff-initial=100ms\nbackoff-max=1s\n';
  const cli = deviceCli(device, await writeConfig(dir, config));
  return { dir, stream, commits, server, device, cli };
}
