// SPDX-License-Identifier: LGPL-2.1-or-later
// Common ground of the exported interfaces: members declared from one spec (dbus-next decorators do
// not work under TypeScript), read-only properties served from a PropertyMirror, and introspection
// that names method and signal arguments (dbus-next alone leaves them unnamed).
import { DBusError, interface as dbusInterface } from 'dbus-next';
import type { PropertyMirror, PropertySpec } from './property-mirror';

export interface ArgSpec {
  name: string;
  type: string;
}

export interface InterfaceSpec {
  properties: readonly PropertySpec[];
  /** Method name to its in-arguments; no method returns a value. */
  methods: Record<string, readonly ArgSpec[]>;
  signals: Record<string, readonly ArgSpec[]>;
}

/** The shape of dbus-next's introspection data (xml2js objects). */
interface IntrospectArg {
  $: { name?: string; direction?: string; type: string };
}
interface IntrospectMember {
  $: { name: string };
  arg?: IntrospectArg[];
}
interface IntrospectInterface {
  $: { name: string };
  method?: IntrospectMember[];
  signal?: IntrospectMember[];
  property?: unknown[];
}

export abstract class AdapterInterface extends dbusInterface.Interface {
  protected abstract readonly mirror: PropertyMirror;

  /** Called by dbus-next for Introspect; adds the argument names of our spec. */
  $introspect(): IntrospectInterface {
    const base = (
      dbusInterface.Interface.prototype as unknown as { $introspect(this: unknown): IntrospectInterface }
    ).$introspect.call(this);
    const spec = (this.constructor as { spec?: InterfaceSpec }).spec;
    if (spec === undefined) return base;
    const name = (members: IntrospectMember[] | undefined, args: Record<string, readonly ArgSpec[]>) => {
      for (const member of members ?? []) {
        const inArgs = (member.arg ?? []).filter((arg) => arg.$.direction !== 'out');
        inArgs.forEach((arg, i) => {
          const argName = args[member.$.name]?.[i]?.name;
          if (argName !== undefined) arg.$ = { name: argName, ...arg.$ };
        });
      }
    };
    name(base.method, spec.methods);
    name(base.signal, spec.signals);
    return base;
  }
}

type AdapterClass = (abstract new (...args: never[]) => AdapterInterface) & {
  configureMembers: typeof dbusInterface.Interface.configureMembers;
  spec?: InterfaceSpec;
};

/** Declares the members of `cls` from `spec`. Methods and signals must exist on its prototype. */
export function configureAdapter(cls: AdapterClass, spec: InterfaceSpec): void {
  const properties: Record<string, dbusInterface.PropertyOptions> = {};
  for (const p of spec.properties) {
    properties[p.name] = { signature: p.signature, access: 'read' };
    Object.defineProperty(cls.prototype, p.name, {
      get(this: AdapterInterface) {
        return (this as unknown as { mirror: PropertyMirror }).mirror.value(p.name);
      },
      // dbus-next would report a failed write with a JS stack; every property here is read-only.
      set() {
        throw new DBusError('org.freedesktop.DBus.Error.PropertyReadOnly', `${p.name} is read-only`);
      },
    });
  }
  const signature = (args: readonly ArgSpec[]) => args.map((a) => a.type).join('');
  const methods: Record<string, dbusInterface.MethodOptions> = {};
  for (const [name, args] of Object.entries(spec.methods)) methods[name] = { inSignature: signature(args) };
  const signals: Record<string, dbusInterface.SignalOptions> = {};
  for (const [name, args] of Object.entries(spec.signals)) signals[name] = { signature: signature(args) };
  cls.configureMembers({ properties, methods, signals });
  cls.spec = spec;
}
