// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn daemon`: serves the updater on the system bus (org.cairn.Updater1 and, by default,
// com.endlessm.Updater) until SIGTERM/SIGINT, or until it has been idle for --idle-exit seconds
// (D-Bus activation brings it back on the next call). Names are released before exiting.
import type { Command } from 'commander';
import { CairnError } from '../errors';
import type { UpdaterCore } from '../service/core';
import { watchIdle } from '../service/idle-watch';
import { UpdaterService } from '../service/updater-service';

/** The global options the engine is built from. */
export interface DaemonCoreOptions {
  sysroot: string;
  os?: string;
  config?: string;
  verbose?: boolean;
}

export type MakeCore = (opts: DaemonCoreOptions) => Promise<UpdaterCore>;

export interface DaemonOptions {
  /** Seconds without activity before exiting; 0 = never. */
  idleExitSeconds: number;
  /** Request com.endlessm.Updater when nobody owns it. */
  eosName: boolean;
  /** A D-Bus address instead of the system bus. */
  busAddress?: string;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) {
    throw new CairnError('bad-usage', `--idle-exit wants a number of seconds >= 0, not '${value}'`);
  }
  return seconds;
}

/** Serves `core` until a stop signal or idleness; resolves after the names are released. */
export async function runDaemon(core: UpdaterCore, opts: DaemonOptions): Promise<void> {
  // Listen for stop signals before taking the names: a SIGTERM sent as soon as the name appears must
  // stop the daemon cleanly, not kill it with the default handler.
  let stopRequested = false;
  let onStop: () => void = () => {
    stopRequested = true;
  };
  const onSignal = () => onStop();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  let stopWatching: () => void = () => undefined;
  try {
    const service = await UpdaterService.start(core, { busAddress: opts.busAddress, eosName: opts.eosName });
    try {
      await new Promise<void>((resolve, reject) => {
        if (stopRequested) return resolve();
        onStop = resolve;
        service.once('disconnected', () =>
          reject(new CairnError('internal', 'lost the connection to the system bus')),
        );
        if (opts.idleExitSeconds > 0) stopWatching = watchIdle(service, opts.idleExitSeconds * 1000, resolve);
      });
    } finally {
      stopWatching();
      await service.stop();
    }
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
}

export function registerDaemonCommand(program: Command, makeCore: MakeCore): Command {
  return program
    .command('daemon')
    .description('serve the updater on the D-Bus system bus (started by systemd / D-Bus activation)')
    .option(
      '--idle-exit <seconds>',
      'exit after this many seconds without activity (0: never)',
      parseSeconds,
      60,
    )
    .option('--no-eos-name', 'do not request the bus name com.endlessm.Updater (eos-updater compatibility)')
    .action(async (opts: { idleExit: number; eosName: boolean }, cmd: Command) => {
      const globals = cmd.optsWithGlobals<DaemonCoreOptions>();
      const core = await makeCore({
        sysroot: globals.sysroot,
        os: globals.os,
        config: globals.config,
        verbose: globals.verbose,
      });
      await runDaemon(core, { idleExitSeconds: opts.idleExit, eosName: opts.eosName });
    });
}
