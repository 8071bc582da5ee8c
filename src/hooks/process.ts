// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs one hook executable: stdin /dev/null, cwd '/', its own process group. On timeout the whole
// group gets SIGTERM, then SIGKILL after a grace period. When the hook itself has exited, whatever
// it left running in its group is killed, as systemd does for a oneshot service.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { OutputCollector } from './output';

export interface HookProcessOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL on timeout. */
  killGraceMs: number;
  onLine?: (line: string) => void;
}

export interface HookProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the executable could not be started at all. */
  spawnError: string | null;
  /** The last bytes of stdout and stderr together. */
  outputTail: string;
}

/** How long to wait for the output pipes to drain once the hook's group is gone. */
const DRAIN_MS = 1000;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export async function runHookProcess(file: string, options: HookProcessOptions): Promise<HookProcessResult> {
  const output = new OutputCollector(options.onLine);
  const child = spawn(file, [], {
    cwd: '/',
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a new process group, so a timeout can kill the hook's children too
  });
  child.stdout.on('data', (chunk: Buffer) => output.push('stdout', chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push('stderr', chunk));
  const streamsClosed = Promise.all([once(child.stdout, 'close'), once(child.stderr, 'close')]);

  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const timeoutTimer = setTimeout(() => {
    if (child.pid === undefined) return;
    const pid = child.pid;
    timedOut = true;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), options.killGraceMs);
  }, options.timeoutMs);

  const outcome = await new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    error: string | null;
  }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, error: null }));
    child.once('error', (err: NodeJS.ErrnoException) => {
      const hint =
        err.code === 'ENOENT' ? ': the file or the interpreter named on its #! line is missing' : '';
      resolve({ code: null, signal: null, error: `${err.message}${hint}` });
    });
  });
  clearTimeout(timeoutTimer);
  clearTimeout(killTimer);
  if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');

  let drainTimer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    streamsClosed.then(() => true),
    new Promise<boolean>((resolve) => (drainTimer = setTimeout(() => resolve(false), DRAIN_MS))),
  ]);
  clearTimeout(drainTimer);
  if (!drained) {
    // A process outside the group (it called setsid) still holds the pipes: stop reading them.
    child.stdout.destroy();
    child.stderr.destroy();
  }
  return {
    exitCode: outcome.code,
    signal: outcome.signal,
    timedOut,
    spawnError: outcome.error,
    outputTail: output.finish(),
  };
}
