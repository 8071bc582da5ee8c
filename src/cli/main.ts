// SPDX-License-Identifier: LGPL-2.1-or-later
// Entry point of the `cairn` command: builds the commander program from the command modules and
// maps errors to the exit codes of DESIGN.md §5.
import { Command, CommanderError } from 'commander';
import { CairnError } from '../errors';
import { EngineCore } from '../engine/core';
import { Updater } from '../engine/updater';
import { CAIRN_VERSION } from '../version';
import { settingsFor } from './context';
import { registerDaemonCommand } from './daemon-command';
import { ExitCode } from './exit-codes';
import { registerPlanCommands } from './plan-commands';
import { registerRepoCommands } from './repo-commands';
import { registerUpdateCommands } from './update-commands';

export function buildProgram(): Command {
  const program = new Command('cairn')
    .description('Checkpoint-aware OSTree OS updater')
    .option('--sysroot <path>', 'OSTree sysroot to operate on', '/')
    .option('--os <name>', 'stateroot (default: the booted or default deployment\u2019s)')
    .option('--config <file>', 'configuration file (default: /etc/cairn/cairn.conf and drop-ins)')
    .option('--json', 'print one JSON document on stdout')
    .option('--verbose', 'more detail on stderr')
    .option('--via-dbus', 'drive the running cairn daemon (the default on / when it owns its bus name)')
    .exitOverride()
    .showHelpAfterError();
  registerUpdateCommands(program);
  registerPlanCommands(program);
  registerDaemonCommand(program, async (opts) => {
    const settings = await settingsFor({
      ...opts,
      json: false,
      verbose: Boolean(opts.verbose),
      viaDbus: false,
      version: CAIRN_VERSION,
    });
    const updater = new Updater({
      sysrootPath: opts.sysroot,
      osName: opts.os,
      settings,
      version: CAIRN_VERSION,
      log: opts.verbose ? (message) => process.stderr.write(`cairn: ${message}\n`) : undefined,
    });
    return EngineCore.create(updater);
  });
  registerRepoCommands(program);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // Not commander's .version(): `cairn repo commit --version V` must stay the publisher's option.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${CAIRN_VERSION}\n`);
    return ExitCode.Done;
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? ExitCode.Done : Number(process.exitCode);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here with exit code 0.
      return err.exitCode === 0 ? ExitCode.Done : ExitCode.BadUsage;
    }
    if (err instanceof CairnError && err.code === 'bad-usage') {
      process.stderr.write(`cairn: ${err.message}\n`);
      return ExitCode.BadUsage;
    }
    const json = Boolean(program.opts().json);
    const code = err instanceof CairnError ? err.code : 'internal';
    const message = err instanceof Error ? err.message : String(err);
    if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
    process.stderr.write(`cairn: ${message}${err instanceof CairnError ? ` [${code}]` : ''}\n`);
    if (program.opts().verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
    return ExitCode.Error;
  }
}
