// SPDX-License-Identifier: LGPL-2.1-or-later
// com.endlessm.Updater at /com/endlessm/Updater: lets existing eos-updater clients drive cairn.
// Poll -> check, Fetch/FetchFull -> fetch, Apply -> deploy, with eos-updater's state rules.
import { DBusError, interface as dbusInterface } from 'dbus-next';
import { AdapterInterface, configureAdapter } from './adapter-interface';
import type { CoreOperation, UpdaterCore } from './core';
import { guard } from './dbus-errors';
import { EOS_PROPERTIES, EOS_WRONG_STATE, eosAllows, eosState } from './eos-state';
import type { EosMethod } from './eos-state';
import { EOS_INTERFACE } from './names';
import { PropertyMirror } from './property-mirror';

export class EosInterface extends AdapterInterface {
  protected readonly mirror: PropertyMirror;

  constructor(
    private readonly core: UpdaterCore,
    private readonly start: (op: CoreOperation) => void,
    throttleMs: number,
  ) {
    super(EOS_INTERFACE);
    this.mirror = new PropertyMirror(
      EOS_PROPERTIES,
      () => core.snapshot(),
      (changed) => {
        dbusInterface.Interface.emitPropertiesChanged(this, changed, []);
        if ('State' in changed) this.StateChanged(changed.State as number);
      },
      throttleMs,
    );
  }

  refresh(): void {
    this.mirror.refresh();
  }

  dispose(): void {
    this.mirror.dispose();
  }

  Poll(): void {
    guard(() => this.startIn('Poll', 'check'));
  }

  Fetch(): void {
    guard(() => this.startIn('Fetch', 'fetch'));
  }

  /** Options (`force`, `scheduling-timeout-seconds`) are accepted and ignored: cairn has no metered-data scheduler. */
  FetchFull(_options: Record<string, unknown>): void {
    guard(() => this.startIn('Fetch', 'fetch'));
  }

  Apply(): void {
    guard(() => this.startIn('Apply', 'deploy'));
  }

  Cancel(): void {
    guard(() => {
      this.assertState('Cancel');
      this.core.cancel();
    });
  }

  /** Signal body: dbus-next emits what this returns. */
  StateChanged(state: number): number {
    return state;
  }

  private startIn(method: EosMethod, op: CoreOperation): void {
    this.assertState(method);
    // An operation started through org.cairn.Updater1 may sit in a state eos allows (e.g. Update
    // between its steps): the state is the mutex for eos clients, so this is WrongState too.
    if (this.core.busy) throw new DBusError(EOS_WRONG_STATE, 'another operation is running');
    this.start(op);
  }

  private assertState(method: EosMethod): void {
    const state = eosState(this.core.snapshot());
    if (!eosAllows(method, state))
      throw new DBusError(EOS_WRONG_STATE, `${method} is not allowed in state ${state}`);
  }
}

configureAdapter(EosInterface, {
  properties: EOS_PROPERTIES,
  methods: {
    Poll: [],
    Fetch: [],
    FetchFull: [{ name: 'options', type: 'a{sv}' }],
    Apply: [],
    Cancel: [],
  },
  signals: { StateChanged: [{ name: 'state', type: 'u' }] },
});
