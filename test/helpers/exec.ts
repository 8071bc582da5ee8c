// SPDX-License-Identifier: LGPL-2.1-or-later
// Running commands from tests: stdout and stderr collected, a readable error on failure.
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs cmd; resolves with its output on exit 0, rejects with the command line and stderr otherwise. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) {
        resolve({ stdout, stderr });
        return;
      }
      const how = signal === null ? `exit ${code}` : `signal ${signal}`;
      reject(new Error(`${cmd} ${args.join(' ')} failed (${how}): ${stderr.trim() || stdout.trim()}`));
    });
    if (opts.input !== undefined && child.stdin !== null) {
      child.stdin.on('error', () => {
        // The child may exit without reading its input; the exit code tells the story.
      });
      child.stdin.end(opts.input);
    }
  });
}

/**
 * The environment every ostree CLI call gets: deployments stay mutable so test trees can be removed,
 * and traffic to the local test servers never goes through a proxy.
 */
export function ostreeEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    OSTREE_SYSROOT_DEBUG: 'mutable-deployments',
    no_proxy: '127.0.0.1,localhost',
    NO_PROXY: '127.0.0.1,localhost',
    ...extra,
  };
}

/** The ostree CLI; resolves with its stdout. */
export async function ostree(args: string[], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { stdout } = await run('ostree', args, { env: ostreeEnv(opts.env) });
  return stdout;
}
