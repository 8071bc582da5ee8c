// SPDX-License-Identifier: LGPL-2.1-or-later
// One immutable file fetched into the cache, resumed with Range/If-Range after every cut until it is
// complete or the retry budget is spent. Clients read the growing data file while it downloads
// (see serve.ts); they learn about new bytes through `changed()`.
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { CairnError } from '../errors';
import { backoffDelay, sleep } from './backoff';
import type { EntryMeta } from './cache';
import type { RelayContext } from './context';
import { describeError, isRetryableStatus } from './context';
import { parseContentLength, parseContentRange } from './headers';
import { StallWatchdog } from './watchdog';

/**
 * pending: nothing confirmed yet. ready: the upstream file is confirmed (status, length) and bytes
 * are arriving. complete: every byte is on disk. failed: see `failureStatus`. bypass: the server
 * ignores Range, so clients must stream straight from upstream instead.
 */
export type DownloadState = 'pending' | 'ready' | 'complete' | 'failed' | 'bypass';

type Outcome = { kind: 'complete' } | { kind: 'retry' } | { kind: 'fatal'; status: number };

/** Disk trouble is not a network failure: retrying cannot help. */
class DiskError extends Error {}
/** The server sent something that cannot continue the partial file. */
class ProtocolError extends Error {}

export class Download {
  state: DownloadState = 'pending';
  /** Bytes in the data file. */
  length = 0;
  total: number | null = null;
  /** Bumped when bytes already written turn out to belong to an older version of the file. */
  generation = 0;
  /** HTTP status for clients when the download failed. */
  failureStatus = 502;
  /** True when the entry was complete in the cache before this session asked for it. */
  fromCache = false;
  readonly dataPath: string;

  private meta: EntryMeta | null = null;
  private handle: FileHandle | null = null;
  private waiters: (() => void)[] = [];
  private highWater = 0;
  private failures = 0;

  constructor(
    private readonly ctx: RelayContext,
    readonly url: URL,
    private readonly headers: OutgoingHttpHeaders,
    private readonly label: string,
    private readonly discardCached: boolean,
  ) {
    this.dataPath = ctx.cache.dataPath(ctx.cache.keyOf(url.href));
  }

  /** Resolves at the next change of state or length. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async run(): Promise<void> {
    const { cache, stats } = this.ctx;
    try {
      if (this.discardCached) await cache.drop(this.url.href);
      const entry = await cache.load(this.url.href);
      if (entry) {
        this.meta = entry.meta;
        this.length = this.highWater = entry.length;
        this.total = entry.meta.totalLength;
      }
      if (entry?.meta.complete) {
        stats.cacheHits++;
        this.fromCache = true;
        this.settle('complete');
        return;
      }
      if (!this.ctx.rangeSupport.supported) {
        this.settle('bypass');
        return;
      }
      this.handle = await open(this.dataPath, 'a', 0o600);
      await this.fetchUntilDone();
    } catch (err) {
      if (!this.ctx.signal.aborted) this.ctx.log(`${this.label}: ${describeError(err)}`);
      this.failureStatus = err instanceof DiskError ? 507 : 502;
      this.settle('failed');
    } finally {
      await this.handle?.close();
    }
  }

  private async fetchUntilDone(): Promise<void> {
    const { retry } = this.ctx;
    for (;;) {
      const outcome = await this.attempt();
      if (outcome.kind === 'complete') return this.finish();
      if (outcome.kind === 'fatal') {
        this.failureStatus = outcome.status;
        return this.settle('failed');
      }
      // Only attempts that brought no new byte use up the budget.
      if (this.length > this.highWater) {
        this.highWater = this.length;
        this.failures = 0;
      } else {
        this.failures++;
      }
      if (this.failures >= retry.maxAttempts) {
        this.ctx.log(`${this.label}: giving up after ${this.failures} attempts without progress`);
        this.failureStatus = 502;
        return this.settle('failed');
      }
      await sleep(backoffDelay(this.failures, retry.backoff), this.ctx.signal);
    }
  }

  private async attempt(): Promise<Outcome> {
    const { ctx } = this;
    ctx.signal.throwIfAborted();
    const controller = new AbortController();
    const onClose = () => controller.abort(ctx.signal.reason);
    ctx.signal.addEventListener('abort', onClose, { once: true });
    const watchdog = new StallWatchdog(ctx.retry.stallTimeoutMs, () =>
      controller.abort(new Error(`stalled: no data for ${ctx.retry.stallTimeoutMs} ms`)),
    );
    ctx.stats.attempts++;
    const offset = this.length;
    try {
      const response = await ctx.client.request(
        'GET',
        this.url,
        this.requestHeaders(offset),
        controller.signal,
      );
      watchdog.poke();
      const verdict = await this.accept(response, offset);
      if (verdict) {
        response.destroy();
        return verdict;
      }
      for await (const chunk of response as AsyncIterable<Buffer>) {
        watchdog.poke();
        await this.append(chunk);
      }
      if (this.total === null || this.length === this.total) return { kind: 'complete' };
      throw new Error(`connection closed at ${this.length} of ${this.total} bytes`);
    } catch (err) {
      if (ctx.signal.aborted || err instanceof DiskError) throw err;
      if (err instanceof ProtocolError) await this.restart(null, true);
      ctx.log(`${this.label}: attempt failed at byte ${this.length}: ${describeError(err)}`);
      return { kind: 'retry' };
    } finally {
      watchdog.stop();
      ctx.signal.removeEventListener('abort', onClose);
    }
  }

  private requestHeaders(offset: number): OutgoingHttpHeaders {
    if (offset === 0) return this.headers;
    const headers: OutgoingHttpHeaders = { ...this.headers, range: `bytes=${offset}-` };
    const validator = ifRangeValidator(this.meta);
    if (validator) headers['if-range'] = validator;
    return headers;
  }

  /** Checks the response to an attempt; null means: stream its body into the file. */
  private async accept(response: IncomingMessage, offset: number): Promise<Outcome | null> {
    const status = response.statusCode ?? 0;
    if (status === 200) {
      const changed = this.meta !== null && isDifferentFile(this.meta, response.headers);
      if (changed) {
        this.ctx.log(`${this.label}: changed on the server, starting over`);
        this.highWater = 0;
      } else if (offset > 0) {
        this.ctx.rangeSupport.supported = false;
        this.ctx.log(`${this.label}: server ignores Range, starting over; streaming without cache from now`);
      }
      // Restarting the same file keeps what clients were sent valid; a changed file does not.
      await this.restart(response.headers, changed);
      this.markReady();
      return null;
    }
    if (status === 206) {
      const range = parseContentRange(response.headers['content-range']);
      const total = range?.total ?? this.total;
      if (
        !range ||
        range.start !== offset ||
        (this.total !== null && total !== this.total) ||
        validatorsChanged(this.meta, response.headers)
      ) {
        throw new ProtocolError(`unusable partial response (${String(response.headers['content-range'])})`);
      }
      if (this.total === null && total !== null) await this.saveMeta({ totalLength: total });
      this.ctx.stats.resumes++;
      this.markReady();
      return null;
    }
    if (status === 404 || status === 410) {
      await this.ctx.cache.drop(this.url.href);
      return { kind: 'fatal', status };
    }
    if (status === 416) {
      await this.restart(null, true);
      return { kind: 'retry' };
    }
    if (isRetryableStatus(status)) {
      this.ctx.log(`${this.label}: server answered ${status}`);
      return { kind: 'retry' };
    }
    return { kind: 'fatal', status };
  }

  /**
   * Empties the data file; `headers` (of a 200) describe the new body, null: not known yet.
   * `invalidatesSent`: the bytes clients already got are not part of the new body.
   */
  private async restart(headers: IncomingHttpHeaders | null, invalidatesSent: boolean): Promise<void> {
    await this.writeStep(() => this.handle!.truncate(0));
    this.length = 0;
    if (invalidatesSent) this.generation++;
    this.meta = {
      version: 1,
      url: this.url.href,
      etag: headerValue(headers?.etag),
      lastModified: headerValue(headers?.['last-modified']),
      totalLength: parseContentLength(headerValue(headers?.['content-length']) ?? undefined),
      complete: false,
    };
    this.total = this.meta.totalLength;
    await this.writeStep(() => this.ctx.cache.writeMeta(this.meta!));
  }

  private async append(chunk: Buffer): Promise<void> {
    if (this.total !== null && this.length + chunk.length > this.total) {
      throw new ProtocolError(`server sent more than the announced ${this.total} bytes`);
    }
    await this.writeStep(() => this.handle!.write(chunk));
    this.length += chunk.length;
    this.ctx.stats.upstreamBytes += chunk.length;
    this.ctx.onTransfer(chunk.length);
    this.notify();
  }

  private async finish(): Promise<void> {
    await this.writeStep(() => this.handle!.sync());
    await this.saveMeta({ totalLength: this.length, complete: true });
    this.total = this.length;
    this.settle('complete');
  }

  private async saveMeta(update: Partial<EntryMeta>): Promise<void> {
    this.meta = { ...this.meta!, ...update };
    this.total = this.meta.totalLength;
    await this.writeStep(() => this.ctx.cache.writeMeta(this.meta!));
  }

  private async writeStep(step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const cairn =
        code === 'ENOSPC'
          ? new CairnError('no-space', `no space left for the download cache in ${this.ctx.cache.dir}`)
          : new CairnError('internal', `download cache: ${describeError(err)}`);
      throw new DiskError(cairn.message, { cause: cairn });
    }
  }

  private markReady(): void {
    if (this.state === 'pending') this.settle('ready');
  }

  private settle(state: DownloadState): void {
    this.state = state;
    this.notify();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** A strong ETag, else Last-Modified (RFC 9110 §13.1.5: weak tags are not allowed in If-Range). */
function ifRangeValidator(meta: EntryMeta | null): string | null {
  if (meta?.etag && !meta.etag.startsWith('W/')) return meta.etag;
  return meta?.lastModified ?? null;
}

/** True when the response carries a validator that differs from the stored one. */
function validatorsChanged(meta: EntryMeta | null, headers: IncomingHttpHeaders): boolean {
  const etag = headerValue(headers.etag);
  const lastModified = headerValue(headers['last-modified']);
  if (meta?.etag && etag) return meta.etag !== etag;
  if (meta?.lastModified && lastModified) return meta.lastModified !== lastModified;
  return false;
}

/** A 200 for another version of the file than the one stored: other validator or other length. */
function isDifferentFile(meta: EntryMeta, headers: IncomingHttpHeaders): boolean {
  const length = parseContentLength(headerValue(headers['content-length']) ?? undefined);
  return (
    validatorsChanged(meta, headers) ||
    (meta.totalLength !== null && length !== null && length !== meta.totalLength)
  );
}
