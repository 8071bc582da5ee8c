// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn plan --from COMMIT --to REF|COMMIT`: a plan between any two points of a release stream.
// Works against a remote alone (`--remote URL`: a cached bare-user repository holds the commit
// metadata), against a remote of the sysroot's repository (`--remote NAME`), or, without --remote,
// against the remote the device's current deployment follows. (`cairn check`, the plan from the
// device's current deployment, is in update-commands.ts: it also records the plan in the state.)
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { Repo, Sysroot } from '../binding';
import { openDevice } from '../engine/device';
import { CairnError } from '../errors';
import { isChecksum, isValidRef, planFromRemote, type Plan, type PlanRequest } from '../planner';
import { globalOptions, printJson } from './context';
import { ExitCode } from './exit-codes';
import { formatPlan } from './format-plan';

interface PlanOptions {
  from: string;
  to: string;
  remote?: string;
  ref?: string;
  gpgKey?: string;
}

/** Exit code of a plan (DESIGN.md §5): 0 update available, 3 nothing to do, 1 refused. */
export function planExitCode(plan: Plan): number {
  if (plan.state === 'update-available') return ExitCode.Done;
  return plan.state === 'blocked' ? ExitCode.Error : ExitCode.NothingToDo;
}

/** Where planned commit metadata is cached for a bare URL, one repository per URL. */
function cacheRepoPath(url: string): string {
  const base =
    process.env.CAIRN_CACHE_DIR ??
    (process.getuid?.() === 0 ? '/var/cache/cairn' : path.join(os.homedir(), '.cache', 'cairn'));
  return path.join(base, 'plan-remotes', createHash('sha256').update(url).digest('hex').slice(0, 16));
}

async function repoForUrl(url: string, gpgKey: string | undefined): Promise<{ repo: Repo; remote: string }> {
  const repoPath = cacheRepoPath(url);
  let repo: Repo;
  if (existsSync(path.join(repoPath, 'config'))) {
    repo = Repo.open(repoPath);
  } else {
    await mkdir(path.dirname(repoPath), { recursive: true });
    repo = Repo.create(repoPath, 'bare-user');
  }
  const remote = 'origin';
  // Re-added every time so that the key (or its absence) of this run is what verifies.
  if (repo.remoteList().includes(remote)) repo.remoteDelete(remote);
  repo.remoteAdd(remote, url, { 'gpg-verify': gpgKey !== undefined, 'gpg-verify-summary': false });
  if (gpgKey !== undefined) repo.remoteGpgImport(remote, gpgKey);
  return { repo, remote };
}

function requestFor(options: PlanOptions, remote: string, trackedRef: string | undefined): PlanRequest {
  if (!isChecksum(options.from)) throw new CairnError('bad-usage', `--from must be a full commit checksum`);
  if (isChecksum(options.to)) {
    const ref = options.ref ?? trackedRef;
    if (ref === undefined)
      throw new CairnError('bad-usage', '--to COMMIT needs --ref, the ref the commits are on');
    return { currentCommit: options.from, ref, remote, target: { commit: options.to } };
  }
  if (!isValidRef(options.to))
    throw new CairnError('bad-usage', `--to '${options.to}' is neither a commit nor a ref`);
  return { currentCommit: options.from, ref: options.ref ?? options.to, remote, target: { ref: options.to } };
}

async function runPlan(program: Command, options: PlanOptions): Promise<number> {
  const opts = globalOptions(program);
  let repo: Repo;
  let remote: string;
  let trackedRef: string | undefined;
  if (options.remote !== undefined && options.remote.includes('://')) {
    ({ repo, remote } = await repoForUrl(options.remote, options.gpgKey));
  } else if (options.remote !== undefined) {
    const sysroot = Sysroot.open(opts.sysroot);
    sysroot.load();
    repo = sysroot.repo();
    remote = options.remote;
    if (!repo.remoteList().includes(remote)) {
      throw new CairnError('not-found', `the repository of ${opts.sysroot} has no remote '${remote}'`);
    }
  } else {
    const device = openDevice({ sysrootPath: opts.sysroot, osName: opts.os });
    ({ repo, remote } = device);
    trackedRef = device.ref;
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    const plan = await planFromRemote(repo, requestFor(options, remote, trackedRef), {
      signal: controller.signal,
    });
    if (opts.json) printJson(plan);
    else process.stdout.write(formatPlan(plan));
    return planExitCode(plan);
  } finally {
    process.removeListener('SIGINT', onSignal);
  }
}

export function registerPlanCommands(program: Command): void {
  program
    .command('plan')
    .description('plan the steps from one commit to a ref or commit, on a remote or the device')
    .requiredOption('--from <commit>', 'the commit to start from (full checksum)')
    .requiredOption(
      '--to <ref|commit>',
      'where to go: a ref (its tip, following renames and redirects) or a commit',
    )
    .option(
      '--remote <url|name>',
      'a repository URL, or a remote of the sysroot\u2019s repository (default: the device\u2019s)',
    )
    .option('--ref <ref>', 'the ref --from is on (default: --to when it is a ref, else the device\u2019s)')
    .option('--gpg-key <file>', 'with a URL: verify commits with this public key (default: not verified)')
    .action(async (options: PlanOptions) => {
      process.exitCode = await runPlan(program, options);
    });
}
