// SPDX-License-Identifier: LGPL-2.1-or-later
// The resume relay: a loopback HTTP server between libostree and the update server. libostree pulls
// through it (pull option `override-url`); the relay fetches objects and static-delta parts with
// Range requests, resumes them at the byte offset after a cut, keeps them on disk across crashes,
// and hands libostree complete files. libostree on its own retries whole objects only.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import { CairnError } from '../errors';
import type { BackoffOptions } from './backoff';
import { DEFAULT_BACKOFF } from './backoff';
import { CacheStore } from './cache';
import type { RelayContext, RelayStats } from './context';
import { describeError } from './context';
import { Download } from './download';
import { upstreamRequestHeaders } from './headers';
import { passThrough } from './passthrough';
import { classifyPath, repoPathOf } from './paths';
import { serveDownload } from './serve';
import type { RelayTlsOptions } from './upstream';
import { UpstreamClient } from './upstream';

export type { RelayStats } from './context';
export type { RelayTlsOptions } from './upstream';

export interface ResumeRelayOptions {
  /** The remote's URL (http or https), the base of every repository path. */
  upstreamUrl: string;
  /** Where partial and complete files live; survives restarts of the process. */
  cacheDir: string;
  tls?: RelayTlsOptions;
  /** Attempts in a row without a new byte before a request fails with 502 (default 5). */
  maxAttempts?: number;
  /** No byte for this long aborts an upstream request (default 60000). */
  stallTimeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** Called with the size of every chunk received from the server. */
  onTransfer?: (bytes: number) => void;
  log?: (message: string) => void;
}

export class ResumeRelay {
  /** The URL to give libostree: `http://127.0.0.1:PORT/<token>/`. */
  readonly url: string;
  readonly stats: RelayStats = { upstreamBytes: 0, servedBytes: 0, resumes: 0, attempts: 0, cacheHits: 0 };

  private readonly ctx: RelayContext;
  private readonly closer = new AbortController();
  private readonly downloads = new Map<string, { download: Download; settled: Promise<void> }>();
  /** Cache keys served complete in this session: a second request means libostree rejected it. */
  private readonly servedComplete = new Set<string>();
  private readonly handlers = new Set<Promise<void>>();
  private readonly sockets = new Set<Socket>();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: http.Server,
    private readonly base: URL,
    private readonly token: string,
    client: UpstreamClient,
    cache: CacheStore,
    options: ResumeRelayOptions,
  ) {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    this.url = `http://127.0.0.1:${port}/${token}/`;
    this.ctx = {
      client,
      cache,
      retry: {
        maxAttempts: options.maxAttempts ?? 5,
        stallTimeoutMs: options.stallTimeoutMs ?? 60000,
        backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      },
      stats: this.stats,
      signal: this.closer.signal,
      rangeSupport: { supported: true },
      onTransfer: options.onTransfer ?? (() => {}),
      log: options.log ?? (() => {}),
    };
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    server.on('request', (request, response) => this.track(this.handle(request, response)));
  }

  static async start(options: ResumeRelayOptions): Promise<ResumeRelay> {
    const base = parseUpstreamUrl(options.upstreamUrl);
    checkPositive('maxAttempts', options.maxAttempts);
    checkPositive('stallTimeoutMs', options.stallTimeoutMs);
    checkPositive('backoff.initialMs', options.backoff?.initialMs);
    checkPositive('backoff.maxMs', options.backoff?.maxMs);
    const client = await UpstreamClient.create(options.tls);
    let cache: CacheStore;
    try {
      cache = await CacheStore.open(options.cacheDir);
    } catch (err) {
      client.close();
      throw new CairnError(
        'bad-config',
        `cannot use ${options.cacheDir} as download cache: ${describeError(err)}`,
        {
          cause: err,
        },
      );
    }
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new ResumeRelay(server, base, randomBytes(16).toString('hex'), client, cache, options);
  }

  /** Forgets one file: its cache entry is removed (after its download ends, if one runs). */
  async dropEntry(repoPath: string): Promise<void> {
    const url = this.upstreamUrlOf(repoPath.replace(/^\/+/, ''));
    const key = this.ctx.cache.keyOf(url.href);
    this.servedComplete.delete(key);
    const running = this.downloads.get(key);
    if (running && isRunning(running.download)) await running.settled;
    await this.ctx.cache.drop(url.href);
  }

  /** Removes every cache entry not being downloaded right now; call it after a successful pull. */
  async clearCache(): Promise<void> {
    this.servedComplete.clear();
    // Downloads that have every byte are only syncing to disk: let them finish, then remove them too.
    const finishing = [...this.downloads.values()].filter(
      ({ download }) => download.length === download.total,
    );
    await Promise.all(finishing.map(({ settled }) => settled));
    const running = [...this.downloads].filter(([, { download }]) => isRunning(download));
    await this.ctx.cache.clear(new Set(running.map(([key]) => key)));
  }

  /** Ends every upstream request, client connection, retry timer and the server itself. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.closer.abort(new CairnError('cancelled', 'the download relay was closed'));
      const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
      for (const socket of this.sockets) socket.destroy();
      await Promise.allSettled([...this.handlers, ...[...this.downloads.values()].map((d) => d.settled)]);
      this.ctx.client.close();
      await serverClosed;
    })();
    return this.closing;
  }

  private track(handler: Promise<void>): void {
    this.handlers.add(handler);
    void handler.finally(() => this.handlers.delete(handler));
  }

  private async handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    try {
      const prefix = `/${this.token}/`;
      const target = request.url ?? '';
      if (!target.startsWith(prefix)) return void response.writeHead(404).end();
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return void response.writeHead(405, { allow: 'GET, HEAD' }).end();
      }
      const relative = target.slice(prefix.length);
      const queryAt = relative.indexOf('?');
      const repoPath = repoPathOf(queryAt < 0 ? relative : relative.slice(0, queryAt));
      if (repoPath === null) return void response.writeHead(404).end();
      const url = this.upstreamUrlOf(relative);
      if (request.method === 'HEAD' || classifyPath(repoPath) === 'mutable') {
        return await passThrough(this.ctx, request, response, url, repoPath);
      }
      await this.serveImmutable(request, response, url, repoPath);
    } catch (err) {
      if (!this.closer.signal.aborted) this.ctx.log(`${request.url}: ${describeError(err)}`);
      if (response.headersSent) response.destroy();
      else response.writeHead(500).end();
    }
  }

  private async serveImmutable(
    request: http.IncomingMessage,
    response: http.ServerResponse,
    url: URL,
    repoPath: string,
  ): Promise<void> {
    const key = this.ctx.cache.keyOf(url.href);
    let running = this.downloads.get(key);
    // A download that has settled may still be closing its file; it no longer counts as running.
    if (running && !isRunning(running.download)) running = undefined;
    if (!running) {
      const rejected = this.servedComplete.delete(key);
      if (rejected)
        this.ctx.log(`${repoPath}: asked for again after it was served complete; fetching it fresh`);
      const headers = upstreamRequestHeaders(request.headers, true);
      const download = new Download(this.ctx, url, headers, repoPath, rejected);
      const settled = download.run().finally(() => {
        if (this.downloads.get(key)?.download === download) this.downloads.delete(key);
      });
      running = { download, settled };
      this.downloads.set(key, running);
    }
    const outcome = await serveDownload(response, running.download, this.stats);
    if (outcome === 'complete') this.servedComplete.add(key);
    if (outcome === 'bypass') await passThrough(this.ctx, request, response, url, repoPath);
  }

  private upstreamUrlOf(relative: string): URL {
    // './' keeps a first segment containing ':' from being read as a URL scheme.
    return new URL(`./${relative}`, this.base);
  }
}

function isRunning(download: Download): boolean {
  return download.state === 'pending' || download.state === 'ready';
}

function parseUpstreamUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CairnError('bad-config', `invalid remote URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CairnError(
      'bad-config',
      `the download relay supports http and https remotes, not ${url.protocol}`,
    );
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  url.search = '';
  url.hash = '';
  return url;
}

function checkPositive(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
    throw new CairnError('bad-config', `relay option ${name} must be a positive number, got ${value}`);
  }
}
