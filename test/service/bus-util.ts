// SPDX-License-Identifier: LGPL-2.1-or-later
// Raw D-Bus helpers for the service tests: calls by name, property reads, and signal waiting that
// is driven by the signals themselves (never by polling).
import { Message, sessionBus } from 'dbus-next';
import type { MessageBus, Variant } from 'dbus-next';
import type { ExecutionContext } from 'ava';

export async function connect(t: ExecutionContext, address: string): Promise<MessageBus> {
  const bus = sessionBus({ busAddress: address });
  await new Promise<void>((resolve, reject) => {
    bus.once('connect', resolve);
    bus.once('error', reject);
  });
  t.teardown(() => bus.disconnect());
  return bus;
}

export async function call(
  bus: MessageBus,
  dest: string,
  path: string,
  iface: string,
  member: string,
  signature = '',
  body: unknown[] = [],
): Promise<unknown[]> {
  const reply = await bus.call(
    new Message({ destination: dest, path, interface: iface, member, signature, body }),
  );
  return reply?.body ?? [];
}

export async function getProperty(bus: MessageBus, dest: string, path: string, iface: string, name: string) {
  const [variant] = (await call(bus, dest, path, 'org.freedesktop.DBus.Properties', 'Get', 'ss', [
    iface,
    name,
  ])) as [Variant];
  return variant.value as unknown;
}

export async function addMatch(bus: MessageBus, rule: string): Promise<void> {
  await call(bus, 'org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus', 'AddMatch', 's', [
    rule,
  ]);
}

/** Records every signal of `member` on `path` that reaches this connection. */
export async function recordSignals(bus: MessageBus, path: string, iface: string, member: string) {
  await addMatch(bus, `type='signal',path='${path}',interface='${iface}',member='${member}'`);
  const seen: unknown[][] = [];
  const waiters: { test: (body: unknown[]) => boolean; resolve: () => void }[] = [];
  bus.on('message', (msg: Message) => {
    if (msg.path !== path || msg.interface !== iface || msg.member !== member) return;
    seen.push(msg.body);
    for (const w of [...waiters]) {
      if (w.test(msg.body)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  return {
    seen,
    /** Resolves when a signal (already seen or future) satisfies `test`. */
    waitFor(test: (body: unknown[]) => boolean): Promise<void> {
      if (seen.some(test)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}

/** The D-Bus error name a promise rejects with, or 'ok'. */
export async function errorName(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (err) {
    return (err as { type?: string }).type ?? String(err);
  }
}

/** Resolves once `name` has an owner on the bus (waits for NameOwnerChanged, no polling). */
export async function waitForName(bus: MessageBus, name: string): Promise<void> {
  const owners = await recordSignals(
    bus,
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus',
    'NameOwnerChanged',
  );
  const [owned] = await call(
    bus,
    'org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus',
    'NameHasOwner',
    's',
    [name],
  );
  if (owned !== true) await owners.waitFor((body) => body[0] === name && body[2] !== '');
}
