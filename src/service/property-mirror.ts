// SPDX-License-Identifier: LGPL-2.1-or-later
// Keeps the D-Bus view of the core's snapshot and decides when to announce changes: state-like
// properties at once, fast-moving ones (progress, byte counts) at most once per interval, so a
// download cannot flood the bus with PropertiesChanged signals.
import type { CoreSnapshot } from './core';

export interface PropertySpec {
  /** D-Bus property name. */
  name: string;
  /** D-Bus signature of the value. */
  signature: string;
  read(snapshot: CoreSnapshot): unknown;
  /** Announced at most once per interval (progress counters). */
  throttled?: boolean;
}

export type Publish = (changed: Record<string, unknown>) => void;

export class PropertyMirror {
  private latest = new Map<string, unknown>();
  private published = new Map<string, unknown>();
  private lastFlush = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly specs: readonly PropertySpec[],
    private readonly snapshot: () => CoreSnapshot,
    private readonly publish: Publish,
    private readonly intervalMs: number,
  ) {
    this.read();
    this.published = new Map(this.latest);
  }

  /** The current value of a property (fresh, even when its announcement is still held back). */
  value(name: string): unknown {
    return this.latest.get(name);
  }

  /** Re-reads the snapshot and announces what changed, now or after the throttle interval. */
  refresh(): void {
    this.read();
    let urgent = false;
    let throttled = false;
    for (const spec of this.specs) {
      if (this.latest.get(spec.name) === this.published.get(spec.name)) continue;
      if (spec.throttled) throttled = true;
      else urgent = true;
    }
    const wait = this.lastFlush + this.intervalMs - Date.now();
    if (urgent || (throttled && wait <= 0)) this.flush();
    else if (throttled && this.timer === null) this.timer = setTimeout(() => this.flush(), wait);
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private read(): void {
    const snapshot = this.snapshot();
    for (const spec of this.specs) this.latest.set(spec.name, spec.read(snapshot));
  }

  private flush(): void {
    this.dispose();
    const changed: Record<string, unknown> = {};
    let any = false;
    for (const [name, value] of this.latest) {
      if (value === this.published.get(name)) continue;
      changed[name] = value;
      this.published.set(name, value);
      any = true;
    }
    this.lastFlush = Date.now();
    if (any) this.publish(changed);
  }
}
