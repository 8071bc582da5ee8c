// SPDX-License-Identifier: LGPL-2.1-or-later
// What every device command needs from the command line: the global options, the engine settings
// from the configuration (overridden by command-line options), and JSON output.
import type { Command } from 'commander';
import { CairnError } from '../errors';
import { loadConfig } from '../config';
import { DEFAULT_SETTINGS, type EngineSettings } from '../engine/settings';
import { parseDuration } from '../config';
import { CAIRN_VERSION } from '../version';

export interface GlobalOptions {
  sysroot: string;
  os?: string;
  config?: string;
  json: boolean;
  verbose: boolean;
  /** Always go through the daemon on the system bus. */
  viaDbus: boolean;
  version: string;
}

export function globalOptions(program: Command): GlobalOptions {
  const opts = program.opts<{
    sysroot: string;
    os?: string;
    config?: string;
    json?: boolean;
    verbose?: boolean;
    viaDbus?: boolean;
  }>();
  return {
    sysroot: opts.sysroot,
    os: opts.os,
    config: opts.config,
    json: Boolean(opts.json),
    verbose: Boolean(opts.verbose),
    viaDbus: Boolean(opts.viaDbus),
    version: CAIRN_VERSION,
  };
}

export function printJson(value: unknown): void {
  process.stdout.write(
    `${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v), 2)}\n`,
  );
}

function positiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new CairnError('bad-usage', `${name} must be a whole number >= 1, not "${text}"`);
  return value;
}

/** Engine settings: defaults, then the configuration files, then command-line options. */
export async function settingsFor(
  opts: GlobalOptions,
  overrides: { maxDownloadAttempts?: string; stallTimeout?: string } = {},
): Promise<EngineSettings> {
  const { config } = await loadConfig({ file: opts.config });
  const settings: EngineSettings = {
    ...DEFAULT_SETTINGS,
    maxDownloadAttempts: config.download.maxDownloadAttempts,
    stallTimeoutMs: config.download.stallTimeoutMs,
    backoff: { initialMs: config.download.backoffInitialMs, maxMs: config.download.backoffMaxMs },
    urlOverride: config.download.urlOverride,
    freeSpaceMargin: config.download.freeSpaceMargin,
    hookTimeoutMs: config.hooks.timeoutMs,
    hookMaxRetries: config.hooks.maxRetries,
  };
  if (overrides.maxDownloadAttempts !== undefined) {
    settings.maxDownloadAttempts = positiveInteger('--max-download-attempts', overrides.maxDownloadAttempts);
  }
  if (overrides.stallTimeout !== undefined) {
    try {
      settings.stallTimeoutMs = parseDuration(overrides.stallTimeout);
    } catch (err) {
      throw new CairnError(
        'bad-usage',
        `--stall-timeout: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return settings;
}
