// SPDX-License-Identifier: LGPL-2.1-or-later
// The device commands: status, check, fetch, deploy, update, boot-hooks, cancel (DESIGN.md §5).
// Each is a thin layer over the engine's Updater: parse options, print, pick the exit code.
import type { Command } from 'commander';
import { loadConfig } from '../config';
import { CairnError } from '../errors';
import { Updater, type UpdateOutcome } from '../engine/updater';
import type { Status } from '../engine/status';
import type { Plan } from '../planner';
import { ExitCode } from './exit-codes';
import { formatPlan } from './format-plan';
import { globalOptions, printJson, settingsFor, type GlobalOptions } from './context';
import { ProgressPrinter } from './progress-printer';
import { cancelRunningOperation } from './cancel';
import { cancelViaDaemon, runViaDaemon, useDaemon } from './via-dbus';

interface FetchOptions {
  maxDownloadAttempts?: string;
  stallTimeout?: string;
  jsonProgress?: boolean;
}

async function makeUpdater(
  program: Command,
  fetchOptions: FetchOptions = {},
): Promise<{ updater: Updater; opts: GlobalOptions }> {
  const opts = globalOptions(program);
  const settings = await settingsFor(opts, fetchOptions);
  const updater = new Updater({
    sysrootPath: opts.sysroot,
    osName: opts.os,
    settings,
    version: opts.version,
    log: opts.verbose ? (message) => process.stderr.write(`cairn: ${message}\n`) : undefined,
  });
  updater.on(
    'event',
    new ProgressPrinter({ jsonProgress: Boolean(fetchOptions.jsonProgress), stream: process.stderr }).handle,
  );
  // Ctrl-C and `cairn cancel` (SIGINT to the lock holder) end the operation cleanly.
  const onSignal = () => updater.cancel();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return { updater, opts };
}

function planExitCode(plan: Plan): number {
  switch (plan.state) {
    case 'update-available':
      return ExitCode.Done;
    case 'up-to-date':
    case 'waiting-for-target':
      return ExitCode.NothingToDo;
    case 'blocked':
      return ExitCode.Error;
  }
}

/** Exit 4 when the device must boot (or run its hooks) before cairn may go on. */
async function whenNotReady<T>(opts: GlobalOptions, body: () => Promise<T>): Promise<T | number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof CairnError && err.code === 'hooks-pending') {
      if (opts.json) printJson({ state: 'reboot-required', error: { code: err.code, message: err.message } });
      else process.stderr.write(`cairn: ${err.message}\n`);
      return ExitCode.RebootRequired;
    }
    throw err;
  }
}

function addFetchOptions(command: Command): Command {
  return command
    .option('--max-download-attempts <n>', 'attempts without progress before a download fails')
    .option('--stall-timeout <duration>', 'abort a request that received no byte for this long (e.g. 60s)')
    .option('--json-progress', 'print one JSON object per progress update on stdout');
}

function printOutcome(opts: GlobalOptions, outcome: UpdateOutcome): number {
  if (opts.json) {
    printJson({ ...outcome.plan, deployed: outcome.deployed, rebootRequired: outcome.rebootRequired });
  } else if (outcome.deployed) {
    process.stdout.write(
      `Step ${outcome.deployed.version ?? outcome.deployed.commit.slice(0, 12)} is deployed: reboot to continue${outcome.plan.steps.length > 1 ? ` (${outcome.plan.steps.length - 1} more step(s) after it)` : ''}.\n`,
    );
  } else {
    process.stdout.write(formatPlan(outcome.plan));
  }
  if (outcome.deployed) return ExitCode.RebootRequired;
  return planExitCode(outcome.plan) === ExitCode.Done ? ExitCode.Done : planExitCode(outcome.plan);
}

function formatStatus(status: Status): string {
  const lines = [
    `State:    ${status.state}`,
    `Current:  ${status.current.version ?? '?'} ${status.current.commit} (${status.current.remote}:${status.current.ref})${status.current.booted ? '' : ' [not booted]'}`,
  ];
  if (status.pendingDeployment) {
    lines.push(
      `Pending:  ${status.pendingDeployment.commit} (${status.pendingDeployment.ref ?? '?'}), waiting for a reboot`,
    );
  }
  for (const hook of status.hooks) {
    lines.push(
      `Hook:     ${hook.name}: ${hook.status}${hook.exitCode !== null ? ` (exit ${hook.exitCode})` : ''}`,
    );
  }
  if (status.plan)
    lines.push(
      `Plan:     ${status.plan.state}, ${status.plan.steps.length} step(s) (planned ${status.plannedAt})`,
    );
  if (status.lastError) lines.push(`Error:    [${status.lastError.code}] ${status.lastError.message}`);
  return `${lines.join('\n')}\n`;
}

export function registerUpdateCommands(program: Command): void {
  program
    .command('status')
    .description('show the current deployment, a pending one, boot hooks, the plan and the last error')
    .action(async () => {
      const { updater, opts } = await makeUpdater(program);
      const status = await updater.status();
      if (opts.json) printJson(status);
      else process.stdout.write(formatStatus(status));
    });

  program
    .command('check')
    .description('plan the path from the current deployment to the newest release')
    .action(async () => {
      if (await useDaemon(globalOptions(program))) {
        process.exitCode = await runViaDaemon('Check', globalOptions(program));
        return;
      }
      const { updater, opts } = await makeUpdater(program);
      process.exitCode = await whenNotReady(opts, async () => {
        const plan = await updater.check();
        if (opts.json) printJson(plan);
        else process.stdout.write(formatPlan(plan));
        return planExitCode(plan);
      });
    });

  addFetchOptions(
    program
      .command('fetch')
      .description('download the next step (or every step with --all) without deploying it')
      .option('--all', 'download every step of the plan'),
  ).action(async (options: FetchOptions & { all?: boolean }) => {
    if (!options.all && (await useDaemon(globalOptions(program)))) {
      process.exitCode = await runViaDaemon('Fetch', globalOptions(program));
      return;
    }
    const { updater, opts } = await makeUpdater(program, options);
    process.exitCode = await whenNotReady(opts, async () => {
      const plan = await updater.fetch({ all: options.all });
      if (opts.json) printJson(plan);
      else if (plan.steps.length === 0) process.stdout.write(formatPlan(plan));
      return plan.steps.length === 0 ? ExitCode.NothingToDo : ExitCode.Done;
    });
  });

  program
    .command('deploy')
    .description('deploy the next step (already fetched); the device must then reboot')
    .action(async () => {
      if (await useDaemon(globalOptions(program))) {
        process.exitCode = await runViaDaemon('Deploy', globalOptions(program));
        return;
      }
      const { updater, opts } = await makeUpdater(program);
      process.exitCode = await whenNotReady(opts, async () => printOutcome(opts, await updater.deploy()));
    });

  addFetchOptions(
    program
      .command('update')
      .description('check, fetch and deploy the next step; exit 4 means reboot to continue')
      .option('--reboot', 'reboot through systemd once a step is deployed (booted systems only)'),
  ).action(async (options: FetchOptions & { reboot?: boolean }) => {
    if (await useDaemon(globalOptions(program))) {
      const code = await runViaDaemon('Update', globalOptions(program));
      if (code === ExitCode.RebootRequired && options.reboot) await requestReboot(globalOptions(program));
      process.exitCode = code;
      return;
    }
    const { updater, opts } = await makeUpdater(program, options);
    process.exitCode = await whenNotReady(opts, async () => {
      const outcome = await updater.update();
      const code = printOutcome(opts, outcome);
      if (code === ExitCode.RebootRequired && options.reboot) await requestReboot(opts);
      return code;
    });
  });

  program
    .command('boot-hooks')
    .description(
      'run the current deployment\u2019s pending boot hooks (run at boot by cairn-boot-hooks.service)',
    )
    .option('--pending', 'only tell: exit 0 when hooks are pending, 1 when not (for ExecCondition=)')
    .action(async (options: { pending?: boolean }) => {
      const { updater, opts } = await makeUpdater(program);
      if (options.pending) {
        process.exitCode = (await updater.hooksPending()) ? ExitCode.Done : ExitCode.Error;
        return;
      }
      const result = await updater.bootHooks();
      const error =
        result.summary?.error ??
        (result.skipped === 'retries-exhausted'
          ? new CairnError('hook-failed', 'boot hooks failed on every allowed boot; not trying again')
          : null);
      if (opts.json) {
        // One document on stdout: the outcome, with the failure as `error` like every other command.
        printJson({ ...result, error: error && { code: error.code, message: error.message } });
        if (error) {
          process.stderr.write(`cairn: ${error.message} [${error.code}]\n`);
          process.exitCode = ExitCode.Error;
        }
        return;
      }
      if (result.summary === null) {
        process.stdout.write(
          result.skipped === 'retries-exhausted'
            ? 'Boot hooks failed on every allowed boot; not trying again (see `cairn status`).\n'
            : 'No boot hooks pending.\n',
        );
      } else {
        const s = result.summary;
        process.stdout.write(
          `Boot hooks: ${s.succeeded.length} succeeded${s.failed ? `, ${s.failed.name} failed` : ''}\n`,
        );
      }
      if (result.summary?.error) throw result.summary.error;
      if (error) process.exitCode = ExitCode.Error;
    });

  program
    .command('auto')
    .description('apply the automatic update policy of the configuration (run by cairn-update.timer)')
    .action(async () => {
      const opts = globalOptions(program);
      const { config } = await loadConfig({ file: opts.config });
      const policy = config.update.policy;
      if (policy === 'none') {
        process.stdout.write('Automatic updates are off ([update] policy=none).\n');
        process.exitCode = ExitCode.NothingToDo;
        return;
      }
      const method = ({ check: 'Check', fetch: 'Fetch', deploy: 'Update' } as const)[policy];
      if (await useDaemon(opts)) {
        const code = await runViaDaemon(method, opts);
        if (code === ExitCode.RebootRequired && config.update.reboot) await requestReboot(opts);
        process.exitCode = code;
        return;
      }
      const { updater } = await makeUpdater(program);
      process.exitCode = await whenNotReady(opts, async () => {
        if (policy === 'check') return planExitCode(await updater.check());
        if (policy === 'fetch') {
          const plan = await updater.fetch();
          return plan.steps.length === 0 ? ExitCode.NothingToDo : ExitCode.Done;
        }
        const code = printOutcome(opts, await updater.update());
        if (code === ExitCode.RebootRequired && config.update.reboot) await requestReboot(opts);
        return code;
      });
    });

  program
    .command('cancel')
    .description('cancel the operation another cairn process is running on this device')
    .action(async () => {
      const opts = globalOptions(program);
      const cancelled = (await useDaemon(opts))
        ? (await cancelViaDaemon())
          ? 'the daemon\u2019s operation'
          : null
        : await cancelRunningOperation(opts);
      if (opts.json) printJson({ cancelled });
      else process.stdout.write(cancelled ? `Cancelled ${cancelled}.\n` : 'Nothing to cancel.\n');
      process.exitCode = cancelled ? ExitCode.Done : ExitCode.NothingToDo;
    });
}

async function requestReboot(opts: GlobalOptions): Promise<void> {
  if (opts.sysroot !== '/') {
    process.stderr.write('cairn: --reboot ignored: the sysroot is not the running system\n');
    return;
  }
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) =>
    execFile('systemctl', ['reboot'], (err) =>
      err ? reject(new CairnError('internal', `systemctl reboot: ${err.message}`)) : resolve(),
    ),
  );
}
