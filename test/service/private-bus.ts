// SPDX-License-Identifier: LGPL-2.1-or-later
// A real, private system bus for a test (FIELD-NOTES recipe): Debian's system.conf with our own
// socket, no user switch, pidfile, syslog or service dirs, plus the shipped policy file. The socket
// directory is world-readable so an unprivileged child (setpriv) can connect.
import { spawn } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ExecutionContext } from 'ava';
import { makeTempDir } from '../helpers/tmp';

import { REPO_ROOT } from '../helpers/paths';

export { REPO_ROOT };
export const SHIPPED_POLICY = path.join(REPO_ROOT, 'systemd/org.cairn.Updater1.conf');

export interface PrivateBus {
  address: string;
  dir: string;
}

function privateConfig(systemConf: string, socket: string, policy: string): string {
  const conf = systemConf
    .replace(/<listen>[^<]*<\/listen>/, `<listen>unix:path=${socket}</listen>`)
    .replace(/<user>[^<]*<\/user>/, '')
    .replace(/<pidfile>[^<]*<\/pidfile>/, '')
    .replace(/<fork\/>/, '')
    .replace(/<syslog\/>/, '')
    .replace(/<servicehelper>[^<]*<\/servicehelper>/, '')
    .replace(/<standard_system_servicedirs\/>/, '')
    .replace(/<includedir>[^<]*<\/includedir>/g, '');
  return conf.replace('</busconfig>', `  <include>${policy}</include>\n</busconfig>`);
}

export interface RunningBus {
  address: string;
  stop(): void;
}

/** Starts dbus-daemon with its socket and config in `dir` (which must be world-readable for setpriv). */
export async function launchPrivateBus(dir: string, policy = SHIPPED_POLICY): Promise<RunningBus> {
  const socket = path.join(dir, 'system_bus_socket');
  const configFile = path.join(dir, 'system.conf');
  const systemConf = await readFile('/usr/share/dbus-1/system.conf', 'utf8');
  await writeFile(configFile, privateConfig(systemConf, socket, policy));
  const daemon = spawn('dbus-daemon', [`--config-file=${configFile}`, '--nofork', '--print-address'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const address = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    daemon.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0].trim());
    });
    daemon.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    daemon.on('error', reject);
    daemon.on('exit', (code) => reject(new Error(`dbus-daemon exited (${code}): ${err}`)));
  });
  return { address, stop: () => daemon.kill('SIGTERM') };
}

/** Starts a private bus; it is stopped and its directory removed when the test ends. */
export async function startPrivateBus(t: ExecutionContext, policy = SHIPPED_POLICY): Promise<PrivateBus> {
  const dir = await makeTempDir(t, 'cairn-bus-');
  await chmod(dir, 0o755);
  const bus = await launchPrivateBus(dir, policy);
  t.teardown(() => bus.stop());
  return { address: bus.address, dir };
}
