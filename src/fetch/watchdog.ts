// SPDX-License-Identifier: LGPL-2.1-or-later
// Stall detection: libostree 2022.7 has no low-speed limit and cairn sets no whole-download timeout,
// so a link that stops sending without closing is caught here: no byte for `timeoutMs` -> onStall.

export class StallWatchdog {
  private timer: NodeJS.Timeout | null;

  constructor(timeoutMs: number, onStall: () => void) {
    this.timer = setTimeout(() => {
      this.timer = null;
      onStall();
    }, timeoutMs);
  }

  /** Something arrived: restart the countdown. */
  poke(): void {
    this.timer?.refresh();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
