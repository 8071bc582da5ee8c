// SPDX-License-Identifier: LGPL-2.1-or-later
// `npm run demo`: a whole update walk on this machine, in a temporary directory.
//   1. A publisher makes a release stream with `cairn repo`: v1, an in-stream checkpoint v2 whose
//      boot hook migrates app data in /var, v3, a rename checkpoint v4 that ends os/stable and names
//      os/stable-v2 (its hook migrates the data again), and v5 on os/stable-v2.
//   2. The stream is served on 127.0.0.1 through a link that drops the connection every 3 MB.
//   3. A device (a directory sysroot) runs v1 and is walked to v5 by `cairn update`, one step per
//      simulated reboot, with `cairn boot-hooks` after each reboot, as cairn-boot-hooks.service does.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildOsTree, type OsTreeOptions } from '../test/helpers/os-tree';
import { makeDevice } from '../test/helpers/device';
import { ostree } from '../test/helpers/exec';
import { RepoServer } from '../test/helpers/server';
import { removeTree } from '../test/helpers/tmp';

const ROOT = path.resolve(__dirname, '..', '..');
const CAIRN = path.join(ROOT, 'bin', 'cairn');
const MB = 1_000_000;

const bold = (text: string) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[0m` : text);

function banner(text: string): void {
  process.stdout.write(`\n${bold(`== ${text}`)}\n`);
}

/** Runs `cairn ARGS` with its output on this terminal; resolves to the exit code. */
function cairn(args: string[], quiet = false): Promise<number> {
  if (!quiet) process.stdout.write(`${bold(`$ cairn ${args.join(' ')}`)}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CAIRN, ...args], { stdio: quiet ? 'ignore' : 'inherit' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

async function mustCairn(args: string[], expected: number[] = [0]): Promise<number> {
  const code = await cairn(args);
  if (!expected.includes(code)) throw new Error(`cairn ${args.join(' ')} exited ${code}`);
  return code;
}

// Hooks get CAIRN_VAR, the stateroot's /var. Both are idempotent: run twice, same result.
const MIGRATE_TO_V2 = `#!/bin/sh
set -eu
dir="$CAIRN_VAR/lib/demo-app"
[ -f "$dir/notes.txt" ] || { echo "no notes to migrate"; exit 0; }
if [ ! -f "$dir/notes.v2" ]; then
  nl -ba "$dir/notes.txt" > "$dir/notes.v2.tmp" && mv "$dir/notes.v2.tmp" "$dir/notes.v2"
fi
rm -f "$dir/notes.txt"
echo "migrated notes to format 2 ($(wc -l < "$dir/notes.v2") lines)"
`;

const MIGRATE_TO_V3 = `#!/bin/sh
set -eu
dir="$CAIRN_VAR/lib/demo-app"
[ -f "$dir/notes.v2" ] || { echo "no format-2 notes to migrate"; exit 0; }
if [ ! -f "$dir/notes.json" ]; then
  awk 'BEGIN { printf "[" } { sub(/^ *[0-9]+\\t/, ""); gsub(/"/, "\\\\\\""); printf "%s\\"%s\\"", (NR > 1 ? "," : ""), $0 } END { print "]" }' \\
    "$dir/notes.v2" > "$dir/notes.json.tmp" && mv "$dir/notes.json.tmp" "$dir/notes.json"
fi
rm -f "$dir/notes.v2"
echo "migrated notes to JSON: $(cat "$dir/notes.json")"
`;

function release(version: string, extra: Partial<OsTreeOptions> = {}): OsTreeOptions {
  return {
    version,
    payload: [
      { path: 'usr/share/demo/base.bin', size: 3 * MB, random: true, seed: 'base' },
      {
        path: `usr/share/demo/release-${version}.bin`,
        size: 3 * MB,
        random: true,
        seed: `release-${version}`,
      },
    ],
    ...extra,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'cairn-demo-'));
  const repo = path.join(work, 'server', 'repo');
  const tree = path.join(work, 'tree');
  let server: RepoServer | null = null;
  try {
    banner('Publisher: build the release stream with `cairn repo`');
    await fs.mkdir(repo, { recursive: true });
    await ostree(['init', '--mode=archive', `--repo=${repo}`]);
    const commit = async (version: string, opts: OsTreeOptions, extra: string[]) => {
      await removeTree(tree);
      await buildOsTree(tree, opts);
      await mustCairn([
        'repo',
        'commit',
        '--repo',
        repo,
        '--branch',
        'os/stable',
        '--tree',
        tree,
        '--version',
        version,
        '--subject',
        `Release ${version}`,
        ...extra,
      ]);
    };
    await commit('1', release('1'), []);
    const v1 = (await ostree(['rev-parse', `--repo=${repo}`, 'os/stable'])).trim();
    await commit('2', release('2', { hooks: { '10-notes-format-2': MIGRATE_TO_V2 } }), [
      '--checkpoint',
      '--reason',
      'notes move to format 2; cairn 2 reads only that',
    ]);
    await commit('3', release('3'), []);
    await removeTree(tree);
    await buildOsTree(tree, release('4', { hooks: { '10-notes-json': MIGRATE_TO_V3 } }));
    await mustCairn([
      'repo',
      'rename-ref',
      '--repo',
      repo,
      '--from',
      'os/stable',
      '--to',
      'os/stable-v2',
      '--tree',
      tree,
      '--version',
      '4',
      '--reason',
      'the stream moves to os/stable-v2 and notes to JSON',
    ]);
    await removeTree(tree);
    await buildOsTree(tree, release('5'));
    await mustCairn([
      'repo',
      'commit',
      '--repo',
      repo,
      '--branch',
      'os/stable-v2',
      '--tree',
      tree,
      '--version',
      '5',
      '--subject',
      'Release 5',
    ]);
    await mustCairn(['repo', 'deltas', '--repo', repo, '--ref', 'os/stable-v2']);
    await mustCairn(['repo', 'index', '--repo', repo]);

    banner('Server: 127.0.0.1, a link that drops the connection every 3 MB');
    server = await RepoServer.start(repo);
    process.stdout.write(`serving ${repo} at ${server.url}\n`);

    banner('Device: a sysroot running v1, with app data in /var');
    const device = await makeDevice(path.join(work, 'device'), {
      remoteUrl: server.url,
      ref: 'os/stable',
      commit: v1,
    });
    const notesDir = path.join(device.varPath, 'lib', 'demo-app');
    await fs.mkdir(notesDir, { recursive: true });
    await fs.writeFile(
      path.join(notesDir, 'notes.txt'),
      'water the plants\ncall "Ana"\nback up the photos\n',
    );
    process.stdout.write(`sysroot ${device.sysroot}, v1 = ${v1.slice(0, 12)}, notes.txt written\n`);
    // The device was installed over a good link; from now on the link drops every 3 MB.
    server.faults = { cutEveryBytes: 3 * MB };
    server.resetCounters();
    const sysroot = ['--sysroot', device.sysroot];

    banner('The plan');
    await mustCairn([...sysroot, 'check']);

    for (let boot = 1; boot <= 8; boot++) {
      banner(`Update ${boot}`);
      const code = await mustCairn([...sysroot, 'update', '--stall-timeout', '10s'], [0, 3, 4]);
      if (code === 3) break;
      process.stdout.write(`\n-- simulated reboot: the new deployment is now the current one --\n`);
      await mustCairn([...sysroot, 'boot-hooks']);
    }

    banner('Final state');
    await mustCairn([...sysroot, 'status']);
    const files = await fs.readdir(notesDir);
    process.stdout.write(`/var/lib/demo-app: ${files.join(', ')}\n`);
    for (const file of files)
      process.stdout.write(`  ${file}: ${(await fs.readFile(path.join(notesDir, file), 'utf8')).trim()}\n`);
    process.stdout.write(
      `\nserver: ${server.requests} requests, ${(server.bytesServed / MB).toFixed(1)} MB sent; demo took ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );
  } finally {
    await server?.close();
    if (!process.env.CAIRN_DEMO_KEEP) await removeTree(work);
    else process.stdout.write(`kept ${work}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
