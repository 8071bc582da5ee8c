// SPDX-License-Identifier: LGPL-2.1-or-later
// org.cairn.Updater1 at /org/cairn/Updater1: a thin adapter over UpdaterCore. Mutating methods start
// the operation and return at once; its outcome shows in State and LastError.
import { interface as dbusInterface } from 'dbus-next';
import { CairnError } from '../errors';
import { AdapterInterface, configureAdapter } from './adapter-interface';
import { CAIRN_PROPERTIES } from './cairn-properties';
import type { CoreOperation, UpdaterCore } from './core';
import { guard } from './dbus-errors';
import { CAIRN_INTERFACE } from './names';
import { PropertyMirror } from './property-mirror';

export class CairnInterface extends AdapterInterface {
  protected readonly mirror: PropertyMirror;

  constructor(
    private readonly core: UpdaterCore,
    private readonly start: (op: CoreOperation) => void,
    throttleMs: number,
  ) {
    super(CAIRN_INTERFACE);
    this.mirror = new PropertyMirror(
      CAIRN_PROPERTIES,
      () => core.snapshot(),
      (changed) => dbusInterface.Interface.emitPropertiesChanged(this, changed, []),
      throttleMs,
    );
  }

  refresh(): void {
    this.mirror.refresh();
  }

  dispose(): void {
    this.mirror.dispose();
  }

  Check(): void {
    guard(() => this.startOperation('check'));
  }

  Fetch(): void {
    guard(() => this.startOperation('fetch'));
  }

  Deploy(): void {
    guard(() => this.startOperation('deploy'));
  }

  Update(): void {
    guard(() => this.startOperation('update'));
  }

  /** Aborts the running operation; a no-op when nothing runs, so it is always safe to call. */
  Cancel(): void {
    guard(() => this.core.cancel());
  }

  private startOperation(op: CoreOperation): void {
    if (this.core.busy)
      throw new CairnError('busy', `another operation is running (state ${this.core.snapshot().state})`);
    this.start(op);
  }
}

configureAdapter(CairnInterface, {
  properties: CAIRN_PROPERTIES,
  methods: { Check: [], Fetch: [], Deploy: [], Update: [], Cancel: [] },
  signals: {},
});
