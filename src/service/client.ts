// SPDX-License-Identifier: LGPL-2.1-or-later
// A small client of org.cairn.Updater1 for the CLI (`--via-dbus`): start operations, read the
// properties and wait for a state through PropertiesChanged signals (never by polling).
import { Message } from 'dbus-next';
import type { MessageBus, Variant } from 'dbus-next';
import { CairnError } from '../errors';
import { openBus } from './bus-connection';
import type { BusOptions } from './bus-connection';
import { decodeProperties } from './cairn-properties';
import type { UpdaterProperties } from './cairn-properties';
import { fromDBusError } from './dbus-errors';
import { CAIRN_BUS_NAME, CAIRN_INTERFACE, CAIRN_OBJECT_PATH, PROPERTIES_INTERFACE } from './names';

export type UpdaterMethod = 'Check' | 'Fetch' | 'Deploy' | 'Update' | 'Cancel';

export interface WaitOptions {
  signal?: AbortSignal;
  /** Called with every new set of properties while waiting (progress display). */
  onChange?: (props: UpdaterProperties) => void;
}

export interface UpdaterClient {
  /** Calls a method; D-Bus errors arrive as CairnErrors (busy, access-denied, not-found, ...). */
  call(method: UpdaterMethod): Promise<void>;
  getAll(): Promise<UpdaterProperties>;
  /**
   * Resolves with the properties once `predicate` holds (checked on the current values first).
   * Rejects with 'cancelled' when the signal aborts and 'internal' when the daemon goes away.
   */
  waitForState(
    predicate: (props: UpdaterProperties) => boolean,
    opts?: WaitOptions,
  ): Promise<UpdaterProperties>;
  close(): void;
}

const DBUS = {
  destination: 'org.freedesktop.DBus',
  path: '/org/freedesktop/DBus',
  interface: 'org.freedesktop.DBus',
};
const METHOD_RETURN = 2;
const SIGNAL = 4;

const PROPERTIES_CHANGED_RULE =
  `type='signal',sender='${CAIRN_BUS_NAME}',path='${CAIRN_OBJECT_PATH}',` +
  `interface='${PROPERTIES_INTERFACE}',member='PropertiesChanged',arg0='${CAIRN_INTERFACE}'`;
const OWNER_CHANGED_RULE =
  `type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',` +
  `member='NameOwnerChanged',arg0='${CAIRN_BUS_NAME}'`;

async function callBus(bus: MessageBus, msg: Message): Promise<Message> {
  try {
    const reply = await bus.call(msg);
    if (reply === null) throw new CairnError('internal', `no reply to ${msg.member}`);
    return reply;
  } catch (err) {
    throw fromDBusError(err);
  }
}

function unwrap(values: Record<string, Variant>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, variant] of Object.entries(values)) out[name] = variant.value;
  return out;
}

class Client implements UpdaterClient {
  constructor(private readonly bus: MessageBus) {}

  async call(method: UpdaterMethod): Promise<void> {
    await callBus(
      this.bus,
      new Message({
        destination: CAIRN_BUS_NAME,
        path: CAIRN_OBJECT_PATH,
        interface: CAIRN_INTERFACE,
        member: method,
      }),
    );
  }

  async getAll(): Promise<UpdaterProperties> {
    return decodeProperties(await this.getAllRaw());
  }

  waitForState(
    predicate: (props: UpdaterProperties) => boolean,
    opts: WaitOptions = {},
  ): Promise<UpdaterProperties> {
    return new Promise((resolve, reject) => {
      // Signals that arrive before the GetAll reply are older than its values and are skipped. The
      // reply is taken from the message stream itself: a promise callback would run only after the
      // signals that came in the same read.
      const getAll = this.getAllMessage();
      let values: Record<string, unknown> | null = null;
      const finish = (err: CairnError | null, props?: UpdaterProperties) => {
        this.bus.removeListener('message', onMessage);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err !== null) reject(err);
        else resolve(props as UpdaterProperties);
      };
      const update = (changed: Record<string, Variant>) => {
        values = { ...values, ...unwrap(changed) };
        const props = decodeProperties(values);
        opts.onChange?.(props);
        if (predicate(props)) finish(null, props);
      };
      const onMessage = (msg: Message) => {
        if (values === null) {
          if (Number(msg.type) === METHOD_RETURN && Number(msg.replySerial) === getAll.serial) {
            update(msg.body[0] as Record<string, Variant>);
          }
          return;
        }
        if (Number(msg.type) !== SIGNAL) return;
        if (msg.interface === 'org.freedesktop.DBus' && msg.member === 'NameOwnerChanged') {
          const [name, , newOwner] = msg.body as [string, string, string];
          if (name === CAIRN_BUS_NAME && newOwner === '') {
            finish(new CairnError('internal', 'the cairn daemon exited while waiting for it'));
          }
          return;
        }
        if (msg.path !== CAIRN_OBJECT_PATH || msg.member !== 'PropertiesChanged') return;
        const [iface, changed] = msg.body as [string, Record<string, Variant>];
        if (iface === CAIRN_INTERFACE) update(changed);
      };
      const onAbort = () => finish(new CairnError('cancelled', 'stopped waiting for the cairn daemon'));
      if (opts.signal?.aborted) {
        onAbort();
        return;
      }
      opts.signal?.addEventListener('abort', onAbort);
      this.bus.on('message', onMessage);
      callBus(this.bus, getAll).catch((err: unknown) => finish(fromDBusError(err)));
    });
  }

  close(): void {
    this.bus.disconnect();
  }

  private async getAllRaw(): Promise<Record<string, unknown>> {
    const reply = await callBus(this.bus, this.getAllMessage());
    return unwrap(reply.body[0] as Record<string, Variant>);
  }

  private getAllMessage(): Message {
    return new Message({
      destination: CAIRN_BUS_NAME,
      path: CAIRN_OBJECT_PATH,
      interface: PROPERTIES_INTERFACE,
      member: 'GetAll',
      signature: 's',
      body: [CAIRN_INTERFACE],
    });
  }
}

/** Connects to the system bus and subscribes to the daemon's signals. */
export async function connectUpdater(opts: BusOptions = {}): Promise<UpdaterClient> {
  const bus = await openBus(opts);
  try {
    for (const rule of [PROPERTIES_CHANGED_RULE, OWNER_CHANGED_RULE]) {
      await callBus(bus, new Message({ ...DBUS, member: 'AddMatch', signature: 's', body: [rule] }));
    }
    return new Client(bus);
  } catch (err) {
    bus.disconnect();
    throw err;
  }
}

/** Whether a cairn daemon currently owns its name (it may still be D-Bus activatable when not). */
export async function isDaemonRunning(opts: BusOptions = {}): Promise<boolean> {
  const bus = await openBus(opts);
  try {
    const reply = await callBus(
      bus,
      new Message({ ...DBUS, member: 'NameHasOwner', signature: 's', body: [CAIRN_BUS_NAME] }),
    );
    return reply.body[0] === true;
  } finally {
    bus.disconnect();
  }
}
