// SPDX-License-Identifier: LGPL-2.1-or-later
// The `ostree` command line, the tool every OSTree server has: the publisher writes the server's
// repository only through it. Arguments always go as an array (no shell).
import { execFile } from 'node:child_process';
import { CairnError } from '../errors';

/** Runs `ostree SUBCOMMAND --repo=REPO ARGS...`; resolves with stdout, rejects with OstreeCliError. */
export function runOstree(repo: string, subcommand: string[], args: string[] = []): Promise<string> {
  const argv = [...subcommand, `--repo=${repo}`, ...args];
  return new Promise((resolve, reject) => {
    execFile('ostree', argv, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err === null) {
        resolve(stdout);
        return;
      }
      const exitCode = typeof err.code === 'number' ? err.code : null;
      reject(new OstreeCliError(argv, stderr.trim() || err.message, exitCode));
    });
  });
}

/** A failed ostree invocation; `stderr` is kept so callers can tell "missing" from real failures. */
export class OstreeCliError extends CairnError {
  constructor(
    readonly argv: string[],
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super('internal', `ostree ${argv[0] ?? ''} failed: ${stderr.replace(/^error: /, '')}`);
  }
}
