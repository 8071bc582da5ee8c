// SPDX-License-Identifier: LGPL-2.1-or-later
// Idle exit for a D-Bus activated daemon: fires once nothing happened for `timeoutMs` and no
// operation runs. Any activity re-arms it; a running operation postpones it.
import type { EventEmitter } from 'node:events';

export interface IdleSource extends EventEmitter {
  readonly busy: boolean;
}

/** Calls `onIdle` once when idle; returns a function that stops watching. */
export function watchIdle(source: IdleSource, timeoutMs: number, onIdle: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => (source.busy ? arm() : onIdle()), timeoutMs);
  };
  source.on('activity', arm);
  arm();
  return () => {
    clearTimeout(timer);
    source.removeListener('activity', arm);
  };
}
