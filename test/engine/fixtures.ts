// SPDX-License-Identifier: LGPL-2.1-or-later
// What the engine's acceptance tests share: the CLI bound to one device, a configuration file, boot
// hooks that leave a trace in the stateroot's /var, and views of the device (deployments, origin,
// refs, hook log) taken with the ostree CLI and the file system, never with cairn itself.
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { adminStatus, type Device } from '../helpers/device';
import { ostree } from '../helpers/exec';
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
