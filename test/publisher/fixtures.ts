// SPDX-License-Identifier: LGPL-2.1-or-later
// Fixtures for the publisher tests: an empty archive repo, trees to commit, the cairn CLI as a child
// process (so tests in one file can run at once without sharing stdout), metadata read back.
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { ostree } from '../helpers/exec';
import { makeTempDir } from '../helpers/tmp';

export interface Workspace {
  dir: string;
  repo: string;
  /** Writes a fresh tree directory whose content differs by `label`; returns its path. */
  tree(label: string): Promise<string>;
}

export async function makeWorkspace(t: ExecutionContext): Promise<Workspace> {
  const dir = await makeTempDir(t, 'cairn-publisher-');
  const repo = path.join(dir, 'repo');
  await ostree(['init', `--repo=${repo}`, '--mode=archive']);
  let n = 0;
  return {
    dir,
    repo,
    async tree(label: string): Promise<string> {
      const tree = path.join(dir, `tree-${n++}`);
      await mkdir(path.join(tree, 'usr/lib'), { recursive: true });
      await writeFile(path.join(tree, 'usr/lib/os-release'), `VERSION_ID=${label}\n`);
      await writeFile(path.join(tree, 'usr/lib', `payload-${label}`), `payload ${label}\n`.repeat(200));
      return tree;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAIN = path.join(__dirname, '../../src/cli/main.js');

/** Runs `cairn ARGS...` from this build in a child process. */
export function cairn(args: string[]): Promise<CliResult> {
  const script = `require(${JSON.stringify(MAIN)}).main(['node', 'cairn', ...process.argv.slice(1)]).then((c) => { process.exitCode = c; })`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', script, '--', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** A metadata value as `ostree show --print-metadata-key` prints it (GVariant text), or null when absent. */
export async function metadataText(repo: string, commit: string, key: string): Promise<string | null> {
  try {
    return (await ostree(['show', `--repo=${repo}`, `--print-metadata-key=${key}`, commit])).trim();
  } catch (err) {
    if (err instanceof Error && /No such metadata key/.test(err.message)) return null;
    throw err;
  }
}

export async function revParse(repo: string, rev: string): Promise<string> {
  return (await ostree(['rev-parse', `--repo=${repo}`, rev])).trim();
}

export async function refs(repo: string): Promise<string[]> {
  return (await ostree(['refs', `--repo=${repo}`]))
    .split('\n')
    .filter((line) => line !== '')
    .sort();
}
