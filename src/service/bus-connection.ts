// SPDX-License-Identifier: LGPL-2.1-or-later
// Opening a connection to the system bus (DBUS_SYSTEM_BUS_ADDRESS when set, as the tests do) and
// waiting until it is usable, so a missing bus is an error here rather than a hang later.
import { systemBus, sessionBus } from 'dbus-next';
import type { MessageBus } from 'dbus-next';
import { CairnError } from '../errors';

export interface BusOptions {
  /** A D-Bus address; default: the system bus. */
  busAddress?: string;
}

export function openBus(opts: BusOptions = {}): Promise<MessageBus> {
  const bus = opts.busAddress === undefined ? systemBus() : sessionBus({ busAddress: opts.busAddress });
  return new Promise((resolve, reject) => {
    const onError = (err: unknown) => {
      bus.removeListener('connect', onConnect);
      try {
        bus.disconnect();
      } catch {
        // The stream may never have opened.
      }
      const why = err instanceof Error ? err.message : String(err);
      reject(new CairnError('not-found', `cannot connect to the D-Bus system bus: ${why}`, { cause: err }));
    };
    const onConnect = () => {
      bus.removeListener('error', onError);
      resolve(bus);
    };
    bus.once('error', onError);
    bus.once('connect', onConnect);
  });
}
