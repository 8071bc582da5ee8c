// SPDX-License-Identifier: LGPL-2.1-or-later
// Shows the engine's events: a progress bar on a terminal, plain lines otherwise, or one JSON
// object per line (`--json-progress`) for programs.
import type { FetchProgress } from '../engine/progress';
import { formatBytes } from './format-plan';
import type { UpdaterEvent } from '../engine/updater';

export interface ProgressPrinterOptions {
  jsonProgress: boolean;
  /** Human output goes here (stderr, so stdout stays clean for --json). */
  stream: NodeJS.WriteStream;
  /** Minimum milliseconds between two plain-text progress lines. */
  lineIntervalMs?: number;
}

function bar(fraction: number, width: number): string {
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

function describe(p: FetchProgress): string {
  const total = p.estimatedBytes !== null ? ` / ${formatBytes(p.estimatedBytes)}` : '';
  const parts = p.totalDeltaParts > 0 ? `, delta parts ${p.fetchedDeltaParts}/${p.totalDeltaParts}` : '';
  const eta = p.etaSeconds !== null ? `, ETA ${p.etaSeconds}s` : '';
  const attempt = p.attempt > 1 ? `, attempt ${p.attempt}` : '';
  return `${formatBytes(p.bytes)}${total}, objects ${p.fetchedObjects}/${p.requestedObjects}${parts}, ${formatBytes(p.rate)}/s${eta}${attempt}`;
}

export class ProgressPrinter {
  private lastLineAt = 0;
  private barShown = false;

  constructor(private readonly options: ProgressPrinterOptions) {}

  handle = (event: UpdaterEvent): void => {
    if (this.options.jsonProgress) {
      process.stdout.write(
        `${JSON.stringify(event, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))}\n`,
      );
      return;
    }
    const out = this.options.stream;
    switch (event.type) {
      case 'fetch-start':
        out.write(
          `Fetching step ${event.index + 1}/${event.total}: ${event.step.version ?? event.step.commit.slice(0, 12)} on ${event.step.ref} (${formatBytes(event.step.estimatedDownloadBytes)}${event.step.delta ? ', static delta' : ''})\n`,
        );
        break;
      case 'progress':
        this.progress(event.progress);
        break;
      case 'fetched':
        this.endBar();
        out.write(`Fetched ${event.step.commit.slice(0, 12)}\n`);
        break;
      case 'deployed':
        out.write(
          `Deployed ${event.step.version ?? ''} ${event.step.commit.slice(0, 12)} (${event.step.ref})${event.staged ? ', staged for the next boot' : ''}\n`,
        );
        break;
      case 'hook-output':
        out.write(`  [${event.hook}] ${event.line}\n`);
        break;
      case 'operation':
        if (event.phase === 'end') this.endBar();
        break;
      case 'plan':
        break;
    }
  };

  private progress(p: FetchProgress): void {
    const out = this.options.stream;
    if (out.isTTY) {
      const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 70));
      out.write(`\r${bar(p.fraction, width)} ${describe(p)}\x1b[K`);
      this.barShown = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastLineAt >= (this.options.lineIntervalMs ?? 2000)) {
      this.lastLineAt = now;
      out.write(`  ${describe(p)}\n`);
    }
  }

  private endBar(): void {
    if (this.barShown) {
      this.options.stream.write('\n');
      this.barShown = false;
    }
  }
}
