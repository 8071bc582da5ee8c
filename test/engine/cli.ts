// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs the `cairn` CLI the tests exercise: a child node process that loads the compiled entry point
// next to this compiled file (dist/ or .out/NAME/), so the same tests work from every build dir.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { ostreeEnv } from '../helpers/exec';

/** src/cli/main.js of the build this file was compiled into. */
export const CLI_MAIN = path.join(__dirname, '..', '..', 'src', 'cli', 'main.js');

// Exits the way bin/cairn does (exitCode, no process.exit), so a leaked handle shows up as a hang.
// A command whose promise never settles while nothing keeps the event loop alive would exit 0 with
// no output (bin/cairn does exactly that): here it exits 70 with a message, so it can't look like success.
const ENTRY = `let settled = false;
process.on('beforeExit', () => { if (!settled) { process.stderr.write('cairn: the event loop emptied while the command was still running\\n'); process.exitCode = 70; } });
require(${JSON.stringify(CLI_MAIN)}).main(['node', 'cairn', ...process.argv.slice(1)]).then(
  (code) => { settled = true; process.exitCode = code; },
  (err) => { settled = true; process.stderr.write('cairn: ' + (err && err.stack ? err.stack : String(err)) + '\\n'); process.exitCode = 1; },
);`;

export interface CairnResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CairnProcess {
  child: ChildProcess;
  /** Settles when the process has exited; rejects only when it outlives timeoutMs (it is then killed). */
  done: Promise<CairnResult>;
}

export interface CairnRunOptions {
  env?: NodeJS.ProcessEnv;
  /** Kill the process and fail after this long (default 120 s). */
  timeoutMs?: number;
}

/** Starts `cairn ARGS` without waiting, for tests that cancel or kill it. */
export function startCairn(args: string[], opts: CairnRunOptions = {}): CairnProcess {
  const child = spawn(process.execPath, ['-e', ENTRY, '--', ...args], {
    env: ostreeEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const done = new Promise<CairnResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cairn ${args.join(' ')} did not exit within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
  return { child, done };
}

/** Runs `cairn ARGS` to its end, whatever its exit code. */
export function cairn(args: string[], opts: CairnRunOptions = {}): Promise<CairnResult> {
  return startCairn(args, opts).done;
}

/**
 * The JSON document a `--json` run printed on stdout. Lenient about text printed before it (libostree
 * prints "Freed objects" on stdout during cleanup); `strictJsonOf` is the contract of DESIGN.md §5.
 */
export function jsonOf<T = Record<string, unknown>>(result: CairnResult): T {
  const start = result.stdout.search(/^[{[]/m);
  return parseJson<T>(result, start < 0 ? result.stdout : result.stdout.slice(start));
}

/** The JSON document a `--json` run printed, which must be all it printed on stdout. */
export function strictJsonOf<T = Record<string, unknown>>(result: CairnResult): T {
  return parseJson<T>(result, result.stdout);
}

function parseJson<T>(result: CairnResult, text: string): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(
      `not one JSON document on stdout (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

/** A readable summary of a run, for assertion messages. */
export function describe(result: CairnResult): string {
  return `exit ${result.code ?? result.signal}\nstdout: ${result.stdout.trim()}\nstderr: ${result.stderr.trim()}`;
}
