// SPDX-License-Identifier: LGPL-2.1-or-later
// The daemon side of D-Bus: owns org.cairn.Updater1 (and, by default, com.endlessm.Updater), exports
// both interfaces over one UpdaterCore, runs at most one operation at a time and reports activity so
// the daemon can exit when idle.
import { EventEmitter } from 'node:events';
import { NameFlag, RequestNameReply } from 'dbus-next';
import type { Message, MessageBus } from 'dbus-next';
import { CairnError, isCairnError } from '../errors';
import { openBus } from './bus-connection';
import { CairnInterface } from './cairn-interface';
import type { CoreOperation, UpdaterCore } from './core';
import { fromDBusError } from './dbus-errors';
import { EosInterface } from './eos-interface';
import { CAIRN_BUS_NAME, CAIRN_OBJECT_PATH, EOS_BUS_NAME, EOS_OBJECT_PATH } from './names';

const METHOD_CALL = 1;

export interface UpdaterServiceOptions {
  /** A D-Bus address; default: the system bus (DBUS_SYSTEM_BUS_ADDRESS when set). */
  busAddress?: string;
  /**
   * Also request the name com.endlessm.Updater (default true). It is never taken from another owner
   * (a real eos-updater keeps it); the eos interface is then still served on org.cairn.Updater1.
   */
  eosName?: boolean;
  /** Minimum time between announcements of progress counters (default 100 ms: at most 10/s). */
  progressIntervalMs?: number;
  /** How long stop() waits for a cancelled operation to finish (default 10 s). */
  stopTimeoutMs?: number;
  /** Where notices go (default stderr, i.e. the journal). */
  log?: (line: string) => void;
}

/**
 * Events: 'activity' (a method call arrived or the core changed), 'disconnected' (the bus went away;
 * the service is dead).
 */
export class UpdaterService extends EventEmitter {
  private running: Promise<void> | null = null;
  private stopped = false;
  private readonly onCoreChanged = () => {
    this.cairn.refresh();
    this.eos.refresh();
    this.emit('activity');
  };

  private constructor(
    private readonly bus: MessageBus,
    private readonly core: UpdaterCore,
    private readonly cairn: CairnInterface,
    private readonly eos: EosInterface,
    private readonly opts: UpdaterServiceOptions,
    /** Whether this service owns com.endlessm.Updater. */
    readonly ownsEosName: boolean,
  ) {
    super();
  }

  /** Connects, exports the objects and takes the names. Rejects with 'busy' when another daemon runs. */
  static async start(core: UpdaterCore, opts: UpdaterServiceOptions = {}): Promise<UpdaterService> {
    const log = opts.log ?? ((line: string) => process.stderr.write(`cairn daemon: ${line}\n`));
    const interval = opts.progressIntervalMs ?? 100;
    const bus = await openBus({ busAddress: opts.busAddress });
    // Operations are started through this late-bound hook, so both interfaces share one runner.
    let startOp: (op: CoreOperation) => void = () => undefined;
    const cairn = new CairnInterface(core, (op) => startOp(op), interval);
    const eos = new EosInterface(core, (op) => startOp(op), interval);
    try {
      bus.export(CAIRN_OBJECT_PATH, cairn);
      bus.export(EOS_OBJECT_PATH, eos);
      const reply = await bus.requestName(CAIRN_BUS_NAME, NameFlag.DO_NOT_QUEUE).catch((err: unknown) => {
        throw fromDBusError(err);
      });
      if (reply !== RequestNameReply.PRIMARY_OWNER) {
        throw new CairnError('busy', `${CAIRN_BUS_NAME} is already owned: another cairn daemon is running`);
      }
      const ownsEos = opts.eosName !== false && (await requestEosName(bus, log));
      const service = new UpdaterService(bus, core, cairn, eos, { ...opts, log }, ownsEos);
      startOp = (op) => service.startOperation(op);
      service.listen();
      return service;
    } catch (err) {
      cairn.dispose();
      eos.dispose();
      bus.disconnect();
      throw err;
    }
  }

  /** True while an operation runs (the core's or one this service started). */
  get busy(): boolean {
    return this.running !== null || this.core.busy;
  }

  /** Cancels a running operation (waiting a bounded time), releases the names and disconnects. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.core.removeListener('changed', this.onCoreChanged);
    if (this.running !== null) {
      try {
        this.core.cancel();
        await waitAtMost(this.running, this.opts.stopTimeoutMs ?? 10_000);
      } catch (err) {
        // A core that cannot cancel must not keep the names: release them all the same.
        this.opts.log?.(`cancel failed while stopping: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.cairn.dispose();
    this.eos.dispose();
    try {
      if (this.ownsEosName) await this.bus.releaseName(EOS_BUS_NAME);
      await this.bus.releaseName(CAIRN_BUS_NAME);
    } catch {
      // The bus may already be gone; disconnecting below is all that is left to do.
    }
    this.bus.unexport(CAIRN_OBJECT_PATH, this.cairn);
    this.bus.unexport(EOS_OBJECT_PATH, this.eos);
    this.bus.disconnect();
  }

  private listen(): void {
    this.core.on('changed', this.onCoreChanged);
    this.bus.on('message', (msg: Message) => {
      if (Number(msg.type) === METHOD_CALL) this.emit('activity');
    });
    this.bus.on('error', (err: unknown) => {
      if (this.stopped) return;
      this.opts.log?.(`lost the bus connection: ${err instanceof Error ? err.message : String(err)}`);
      this.emit('disconnected', err);
    });
  }

  private startOperation(op: CoreOperation): void {
    if (this.running !== null) throw new CairnError('busy', 'another operation is running');
    const log = this.opts.log;
    const run = this.core[op]()
      .catch((err: unknown) => {
        // The outcome is already in the core's snapshot (State/LastError); the journal gets a line.
        if (!isCairnError(err, 'cancelled'))
          log?.(`${op} failed: ${err instanceof Error ? err.message : String(err)}`);
      })
      .finally(() => {
        this.running = null;
        this.emit('activity');
      });
    this.running = run;
  }
}

/** Takes com.endlessm.Updater unless someone (a real eos-updater) has it or the policy forbids it. */
async function requestEosName(bus: MessageBus, log: (line: string) => void): Promise<boolean> {
  try {
    const reply = await bus.requestName(EOS_BUS_NAME, NameFlag.DO_NOT_QUEUE);
    if (reply === RequestNameReply.PRIMARY_OWNER) return true;
    log(`${EOS_BUS_NAME} is owned by another service (eos-updater?); not taking it`);
  } catch (err) {
    log(`cannot own ${EOS_BUS_NAME}: ${fromDBusError(err).message}`);
  }
  return false;
}

function waitAtMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
