// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn repo ...`: the publisher's commands (DESIGN.md §5). Parsing and printing only; the work is in
// src/publisher/. Human output by default, one JSON document with the global --json.
import type { Command } from 'commander';
import { generateDeltas, type DeltaEntry } from '../publisher/deltas';
import { publishCommit } from '../publisher/commit';
import { writeCheckpointIndex } from '../publisher/checkpoint-index';
import { gpgFromOptions } from '../publisher/ostree-commit';
import { pruneRepo } from '../publisher/prune';
import { renameRef } from '../publisher/rename-ref';
import { parseCount } from '../publisher/validate';

interface GpgOptions {
  gpgSign?: string;
  gpgHomedir?: string;
}

export function registerRepoCommands(program: Command): void {
  const repo = program.command('repo').description('publisher tools for the update server\u2019s repository');
  registerCommit(repo);
  registerRenameRef(repo);
  registerDeltas(repo);
  registerIndex(repo);
  registerPrune(repo);
}

function registerCommit(repo: Command): void {
  repo
    .command('commit')
    .description('commit a tree like `ostree commit`, with sizes and the checkpoint metadata')
    .requiredOption('--repo <path>', 'server repository')
    .requiredOption('--branch <ref>', 'ref to commit to')
    .requiredOption('--tree <dir>', 'directory to commit')
    .option('--subject <text>', 'one line subject')
    .option('--body <text>', 'full description')
    .option('--version <version>', 'display version (metadata key `version`)')
    .option('--checkpoint', 'make this commit a mandatory checkpoint')
    .option('--reason <text>', 'why it is a checkpoint (shown to users)')
    .option('--parent <commit>', 'parent commit checksum, or "none" (default: the branch tip)')
    .option('--add-metadata-string <key=value>', 'extra string metadata (repeatable)', collect, [])
    .option('--gpg-sign <keyid>', 'GPG key to sign the commit with')
    .option('--gpg-homedir <dir>', 'GPG home directory holding the key')
    .option('--timestamp <iso>', 'commit timestamp (ISO 8601), default now')
    .action(async (opts: CommitCliOptions, cmd: Command) => {
      const result = await publishCommit({
        repo: opts.repo,
        branch: opts.branch,
        tree: opts.tree,
        subject: opts.subject,
        body: opts.body,
        version: opts.version,
        checkpoint: opts.checkpoint === true,
        reason: opts.reason,
        parent: opts.parent,
        metadataStrings: opts.addMetadataString,
        gpg: gpgFromOptions(opts),
        timestamp: opts.timestamp,
      });
      print(cmd, result, result.checksum);
    });
}

interface CommitCliOptions extends GpgOptions {
  repo: string;
  branch: string;
  tree: string;
  subject?: string;
  body?: string;
  version?: string;
  checkpoint?: boolean;
  reason?: string;
  parent?: string;
  addMetadataString: string[];
  timestamp?: string;
}

function registerRenameRef(repo: Command): void {
  repo
    .command('rename-ref')
    .description('end ref A with a checkpoint that moves devices to ref B, and create B')
    .requiredOption('--repo <path>', 'server repository')
    .requiredOption('--from <ref>', 'the ref devices follow now')
    .requiredOption('--to <ref>', 'the ref they follow after the rename')
    .option('--reason <text>', 'why (shown to users)')
    .option(
      '--version <version>',
      'display version of the rename commit (default: that of the tip of --from)',
    )
    .option('--tree <dir>', 'commit this directory (default: the tree of the tip of --from, unchanged)')
    .option('--force', 'move --to even when it exists')
    .option('--gpg-sign <keyid>', 'GPG key to sign the commit with')
    .option('--gpg-homedir <dir>', 'GPG home directory holding the key')
    .option('--timestamp <iso>', 'commit timestamp (ISO 8601), default now')
    .action(async (opts: RenameCliOptions, cmd: Command) => {
      const result = await renameRef({
        repo: opts.repo,
        from: opts.from,
        to: opts.to,
        reason: opts.reason,
        version: opts.version,
        tree: opts.tree,
        force: opts.force === true,
        gpg: gpgFromOptions(opts),
        timestamp: opts.timestamp,
      });
      print(cmd, result, `${result.from} -> ${result.to}: ${result.checksum}`);
    });
}

interface RenameCliOptions extends GpgOptions {
  repo: string;
  from: string;
  to: string;
  reason?: string;
  version?: string;
  tree?: string;
  force?: boolean;
  timestamp?: string;
}

function registerDeltas(repo: Command): void {
  repo
    .command('deltas')
    .description('generate the static deltas along the checkpoint path of a ref')
    .requiredOption('--repo <path>', 'server repository')
    .requiredOption('--ref <ref>', 'ref whose path to cover (renames are followed)')
    .option('--recent <n>', 'recent commits before each checkpoint and the tip that get a delta', '3')
    .option('--dry-run', 'only print what would be generated')
    .action(async (opts: { repo: string; ref: string; recent: string; dryRun?: boolean }, cmd: Command) => {
      const report = await generateDeltas({
        repo: opts.repo,
        ref: opts.ref,
        recent: parseCount(opts.recent, '--recent', { allowZero: true }),
        dryRun: opts.dryRun === true,
      });
      const verb = report.dryRun ? 'would generate' : 'generated';
      const lines = [
        ...report.generated.map((d) => `${verb} ${describeDelta(d)}`),
        ...report.skipped.map((d) => `skipped (exists) ${describeDelta(d)}`),
        `${report.generated.length} ${verb}, ${report.skipped.length} skipped along ${report.refs.join(' -> ')}`,
      ];
      print(cmd, report, lines.join('\n'));
    });
}

function describeDelta(delta: DeltaEntry): string {
  const size = delta.sizeBytes === null ? '' : ` ${delta.sizeBytes} bytes`;
  return `${delta.from} -> ${delta.to}${size}`;
}

function registerIndex(repo: Command): void {
  repo
    .command('index')
    .description('write every ref\u2019s checkpoints into the summary (cairn.checkpoints) and update it')
    .requiredOption('--repo <path>', 'server repository')
    .option('--gpg-sign <keyid>', 'GPG key to sign the summary with')
    .option('--gpg-homedir <dir>', 'GPG home directory holding the key')
    .action(async (opts: GpgOptions & { repo: string }, cmd: Command) => {
      const index = await writeCheckpointIndex({ repo: opts.repo, gpg: gpgFromOptions(opts) });
      const lines = Object.entries(index).map(
        ([ref, list]) => `${ref}: ${list.length ? list.join(' ') : '(none)'}`,
      );
      print(cmd, { checkpoints: index }, lines.join('\n'));
    });
}

function registerPrune(repo: Command): void {
  repo
    .command('prune')
    .description('prune the repository, never deleting checkpoint commits')
    .requiredOption('--repo <path>', 'server repository')
    .option('--keep-younger-than <days>', 'delete commits older than this many days (checkpoints stay)')
    .action(async (opts: { repo: string; keepYoungerThan?: string }, cmd: Command) => {
      const result = await pruneRepo({
        repo: opts.repo,
        keepYoungerThanDays:
          opts.keepYoungerThan === undefined
            ? undefined
            : parseCount(opts.keepYoungerThan, '--keep-younger-than', { allowZero: true }),
      });
      print(
        cmd,
        result,
        `kept ${result.checkpoints.length} checkpoints (${result.keepRefsCreated.length} keep refs added); ` +
          `deleted ${result.objectsDeleted} objects, ${result.bytesFreed} bytes freed`,
      );
    });
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** One JSON document with the global --json, else the human text. */
function print(cmd: Command, json: unknown, human: string): void {
  if (cmd.optsWithGlobals<{ json?: boolean }>().json)
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  else process.stdout.write(`${human}\n`);
}
