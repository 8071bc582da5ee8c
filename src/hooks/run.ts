// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs a deployment's boot hooks once each, in name order (DESIGN.md §4), recording every step in
// the deployment's hook records so a crash or power cut can never make a hook look done:
// a `running` record is saved before the hook starts and the outcome after it ends. A record found
// `running` means the hook was interrupted, so it runs again (hooks must be idempotent).
// A hook that failed earlier runs again too: the caller decides whether to retry at all
// (configuration `hooks.max-retries`) by calling this or not.
import { CairnError } from '../errors';
import type { HookRecord } from '../state/schema';
import { listBootHooks, type BootHook, type IgnoredEntry } from './list';
import { runHookProcess, type HookProcessResult } from './process';

/**
 * The environment of every hook. DESIGN.md §4 names the first four; CAIRN_VAR extends it: the
 * stateroot's /var (`/var` on a booted device, `SYSROOT/ostree/deploy/OS/var` in a test sysroot).
 * CAIRN_FROM_COMMIT is empty when the previous commit is unknown. Besides these a hook gets only
 * PATH and LANG, not the environment of the updater.
 */
export interface BootHookEnv {
  CAIRN_DEPLOYMENT: string;
  CAIRN_FROM_COMMIT: string;
  CAIRN_TO_COMMIT: string;
  CAIRN_SYSROOT: string;
  CAIRN_VAR: string;
}

export interface RunBootHooksOptions {
  deploymentRoot: string;
  env: BootHookEnv;
  /** Per hook, from configuration `hooks.timeout`. */
  timeoutMs: number;
  /** Between SIGTERM and SIGKILL when a hook times out (default 10 s). */
  killGraceMs?: number;
  /** This deployment's records; updated in place. */
  records: HookRecord[];
  /** Persists `records` (the state file); awaited before each hook starts and after it ends. */
  save: (records: HookRecord[]) => Promise<void>;
  onOutput?: (hook: string, line: string) => void;
  /** The current boot's id (`/proc/sys/kernel/random/boot_id`), recorded with each run. */
  bootId: string | null;
}

export interface BootHooksSummary {
  /** Hooks started by this call, in order. */
  ran: string[];
  /** Hooks that succeeded in this call. */
  succeeded: string[];
  /** The hook that failed in this call (the chain stopped there), or null. */
  failed: HookRecord | null;
  /** `hook-failed` or `hook-timeout` describing `failed`, or null. */
  error: CairnError | null;
  /** Hooks that still have to succeed (the failed one and those after it); empty when all are done. */
  pending: string[];
  /** Directory entries that are not hooks (see listBootHooks), for the log. */
  ignored: IgnoredEntry[];
}

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_KILL_GRACE_MS = 10_000;

/** Writes `update` into the record named `name` (keeping fields a newer cairn added), or appends it. */
function upsert(records: HookRecord[], update: HookRecord): HookRecord {
  const existing = records.find((record) => record.name === update.name);
  if (existing === undefined) {
    records.push(update);
    return update;
  }
  return Object.assign(existing, update);
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

function failureError(name: string, result: HookProcessResult, timeoutMs: number): CairnError {
  const how = result.timedOut
    ? `timed out after ${timeoutMs} ms and was killed`
    : result.spawnError !== null
      ? `could not be started (${result.spawnError})`
      : result.signal !== null
        ? `was killed by ${result.signal}`
        : `exited with code ${result.exitCode}`;
  const tail = lastLine(result.outputTail);
  return new CairnError(
    result.timedOut ? 'hook-timeout' : 'hook-failed',
    `boot hook ${name} ${how}${tail === '' ? '' : `: ${tail}`}`,
  );
}

async function runOne(
  hook: BootHook,
  options: RunBootHooksOptions,
): Promise<{ record: HookRecord; result: HookProcessResult }> {
  const previous = options.records.find((record) => record.name === hook.name);
  const running = upsert(options.records, {
    name: hook.name,
    status: 'running',
    exitCode: null,
    signal: null,
    timedOut: false,
    attempts: (previous?.attempts ?? 0) + 1,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    bootId: options.bootId,
    outputTail: '',
  });
  await options.save(options.records);

  const result = await runHookProcess(hook.path, {
    env: { PATH: DEFAULT_PATH, LANG: 'C.UTF-8', ...options.env },
    timeoutMs: options.timeoutMs,
    killGraceMs: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    onLine: options.onOutput && ((line) => options.onOutput?.(hook.name, line)),
  });
  const ok = result.exitCode === 0 && !result.timedOut;
  Object.assign(running, {
    status: ok ? 'succeeded' : 'failed',
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut: result.timedOut,
    finishedAt: new Date().toISOString(),
    outputTail: result.spawnError === null ? result.outputTail : `${result.outputTail}${result.spawnError}\n`,
  } satisfies Partial<HookRecord>);
  await options.save(options.records);
  return { record: running, result };
}

/**
 * Runs the hooks of `deploymentRoot` that have not succeeded yet, stopping at the first failure.
 * Throws `unsafe-hook` (before running anything) when listBootHooks refuses the hooks.
 */
export async function runBootHooks(options: RunBootHooksOptions): Promise<BootHooksSummary> {
  const { hooks, ignored } = await listBootHooks(options.deploymentRoot);
  const summary: BootHooksSummary = {
    ran: [],
    succeeded: [],
    failed: null,
    error: null,
    pending: [],
    ignored,
  };
  for (const hook of hooks) {
    const record = options.records.find((r) => r.name === hook.name);
    if (record?.status === 'succeeded') continue;
    if (summary.failed !== null) {
      summary.pending.push(hook.name);
      continue;
    }
    summary.ran.push(hook.name);
    const { record: finished, result } = await runOne(hook, options);
    if (finished.status === 'succeeded') {
      summary.succeeded.push(hook.name);
    } else {
      summary.failed = finished;
      summary.pending.push(hook.name);
      summary.error = failureError(hook.name, result, options.timeoutMs);
    }
  }
  return summary;
}
