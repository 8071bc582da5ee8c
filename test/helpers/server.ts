// SPDX-License-Identifier: LGPL-2.1-or-later
// A real HTTP server on 127.0.0.1 serving a repo directory (GET/HEAD, validators, single ranges), with
// fault injection: latency, a bandwidth cap, link cuts, per-response cuts, stalls, injected statuses,
// no range support, wrong Content-Length and truncated bodies. Every body byte goes through one pump so
// the counters and the faults see exactly what reached the socket.
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StatusRule {
  path: RegExp;
  status: number;
  /** Fire on every Nth matching request (the Nth, 2Nth, ...); default: every matching request. */
  everyNth?: number;
  /** Fire at most this many times; default: no limit. */
  times?: number;
}

export interface FaultPlan {
  /** Delay before the response starts. */
  latencyMs?: number;
  /** Cap on body bytes per second, shared by all connections (like one link). */
  bandwidthBytesPerSec?: number;
  /** Link level: destroy the socket each time the body bytes sent over ALL connections cross a multiple of N. */
  cutEveryBytes?: number;
  /** Per response: destroy the socket after N body bytes. */
  cutAfterBytes?: number;
  /** Stop sending (without closing) after N body bytes of a response whose path matches stallPaths (all when unset). */
  stallAfterBytes?: number;
  stallPaths?: RegExp;
  statusRules?: StatusRule[];
  /** Ignore Range headers: always 200 with the full body, no Accept-Ranges. */
  noRange?: boolean;
  /** Matching paths announce a Content-Length larger than the body, send the body, then close. */
  wrongContentLength?: RegExp;
  /** Matching paths announce the full Content-Length, send half of the body, then close. */
  truncatePaths?: RegExp;
}

export interface RequestRecord {
  method: string;
  path: string;
  status: number;
  /** The Range request header, as sent. */
  range: string | null;
  /** Body bytes written to the socket. */
  bytesSent: number;
  /** Date.now() when the request arrived. */
  startedAt: number;
  durationMs: number;
  /** The connection was closed (by a fault or by the client) before the response was complete. */
  aborted: boolean;
}

const CHUNK = 64 * 1024;

interface ByteRange {
  start: number;
  end: number; // inclusive
}

/** Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n`; undefined for anything else, 'unsatisfiable' past the end. */
function parseRange(header: string, size: number): ByteRange | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (m === null || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

export class RepoServer {
  readonly url: string;
  readonly port: number;
  /** Mutable: a new plan applies to requests that arrive afterwards. */
  faults: FaultPlan;
  readonly log: RequestRecord[] = [];
  private requestCount = 0;
  private bodyBytes = 0;
  /** Body bytes scheduled over the link so far; drives cutEveryBytes. */
  private linkBytes = 0;
  /** When the bandwidth-capped link is free again (ms, performance clock). */
  private linkFreeAt = 0;
  private ruleCounters = new WeakMap<StatusRule, { seen: number; fired: number }>();
  private readonly sockets = new Set<Socket>();
  private readonly closing = new AbortController();

  private constructor(
    private readonly root: string,
    private readonly server: http.Server,
    faults: FaultPlan,
  ) {
    this.faults = faults;
    this.port = (server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}`;
  }

  /** Starts serving root on a free port of 127.0.0.1. */
  static async start(root: string, faults: FaultPlan = {}): Promise<RepoServer> {
    const realRoot = await realpath(root);
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const repoServer = new RepoServer(realRoot, server, faults);
    server.on('connection', (socket: Socket) => {
      repoServer.sockets.add(socket);
      socket.on('close', () => repoServer.sockets.delete(socket));
    });
    server.on('request', (req, res) => {
      repoServer.handle(req, res).catch((err: unknown) => {
        // A bug in the harness: make it loud on the client side rather than hanging.
        console.error('RepoServer:', err);
        res.destroy();
      });
    });
    return repoServer;
  }

  get requests(): number {
    return this.requestCount;
  }

  get bytesServed(): number {
    return this.bodyBytes;
  }

  /** Zeroes the counters, the log, the link-cut position and the status-rule counters. */
  resetCounters(): void {
    this.requestCount = 0;
    this.bodyBytes = 0;
    this.linkBytes = 0;
    this.log.length = 0;
    this.ruleCounters = new WeakMap();
  }

  /** Stops listening and destroys every open connection, including stalled ones. */
  async close(): Promise<void> {
    this.closing.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const faults = this.faults;
    const started = performance.now();
    const urlPath = new URL(req.url ?? '/', 'http://x').pathname;
    const record: RequestRecord = {
      method: req.method ?? '',
      path: urlPath,
      status: 0,
      range: req.headers.range ?? null,
      bytesSent: 0,
      startedAt: Date.now(),
      durationMs: 0,
      aborted: false,
    };
    this.requestCount++;
    this.log.push(record);
    // One signal for "stop working on this response": the client went away or the server is closing.
    const stop = new AbortController();
    const onClose = () => {
      if (!res.writableFinished) record.aborted = true;
      record.durationMs = performance.now() - started;
      stop.abort();
    };
    res.on('close', onClose);
    if (this.closing.signal.aborted) {
      res.destroy();
      return;
    }
    const closingListener = () => stop.abort();
    this.closing.signal.addEventListener('abort', closingListener, { once: true });
    res.on('close', () => this.closing.signal.removeEventListener('abort', closingListener));
    const signal = stop.signal;
    const send = (status: number, headers: http.OutgoingHttpHeaders, body?: string) => {
      record.status = status;
      res.writeHead(status, headers);
      if (body === undefined || req.method === 'HEAD') {
        res.end();
        return;
      }
      res.end(body, () => {
        record.bytesSent += Buffer.byteLength(body);
        this.bodyBytes += Buffer.byteLength(body);
      });
    };

    if (faults.latencyMs) {
      if (!(await pause(faults.latencyMs, signal))) return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }, 'method not allowed\n');
      return;
    }
    const injected = this.injectedStatus(faults, urlPath);
    if (injected !== undefined) {
      send(injected, { 'Content-Type': 'text/plain' }, `injected status ${injected}\n`);
      return;
    }
    const file = await this.locate(urlPath);
    if (file === undefined) {
      send(404, { 'Content-Type': 'text/plain' }, 'not found\n');
      return;
    }

    const { size, mtime, ino } = file.stat;
    const etag = `"${ino.toString(16)}-${size.toString(16)}-${Math.floor(mtime.getTime()).toString(16)}"`;
    const lastModified = mtime.toUTCString();
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/octet-stream',
      ETag: etag,
      'Last-Modified': lastModified,
    };
    if (!faults.noRange) headers['Accept-Ranges'] = 'bytes';
    if (notModified(req, etag, mtime)) {
      send(304, headers);
      return;
    }

    let status = 200;
    let range: ByteRange = { start: 0, end: size - 1 };
    const rangeHeader = req.headers.range;
    if (rangeHeader !== undefined && !faults.noRange && ifRangeMatches(req, etag, lastModified)) {
      const parsed = parseRange(rangeHeader, size);
      if (parsed === 'unsatisfiable') {
        send(
          416,
          { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain' },
          'range not satisfiable\n',
        );
        return;
      }
      if (parsed !== undefined) {
        status = 206;
        range = parsed;
        headers['Content-Range'] = `bytes ${range.start}-${range.end}/${size}`;
      }
    }
    const length = range.end - range.start + 1;
    const wrongLength = faults.wrongContentLength?.test(urlPath) ?? false;
    const truncate = faults.truncatePaths?.test(urlPath) ?? false;
    headers['Content-Length'] = wrongLength ? length + Math.max(1, Math.ceil(length / 2)) : length;
    record.status = status;
    res.writeHead(status, headers);
    // Headers go out now, not with the first body chunk, so a cut or stall at byte 0 is still a response.
    res.flushHeaders();
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return;
    }
    const sendLength = truncate ? Math.floor(length / 2) : length;
    const stall = faults.stallAfterBytes !== undefined && (faults.stallPaths?.test(urlPath) ?? true);
    const complete =
      sendLength === 0 ||
      (await this.pump(file.path, range.start, sendLength, res, record, {
        faults,
        stallAt: stall ? faults.stallAfterBytes : undefined,
        signal,
      }));
    if (!complete) return;
    if (wrongLength || truncate) {
      // The announced length was not sent: close so the client sees a short body, not a stall.
      res.destroy();
      return;
    }
    res.end();
  }

  /**
   * Writes `count` bytes of the file from `offset`, applying bandwidth, cuts and stalls. Resolves true
   * when every byte was written, false when the response was cut, stalled until closed, or abandoned.
   */
  private async pump(
    filePath: string,
    offset: number,
    count: number,
    res: http.ServerResponse,
    record: RequestRecord,
    opts: { faults: FaultPlan; stallAt: number | undefined; signal: AbortSignal },
  ): Promise<boolean> {
    const { faults, stallAt, signal } = opts;
    const bandwidth = positive(faults.bandwidthBytesPerSec);
    const cutEvery = positive(faults.cutEveryBytes);
    const cutAfter = faults.cutAfterBytes;
    // Small chunks under a bandwidth cap keep the pacing smooth (about 50 slots a second).
    const chunkSize = bandwidth ? Math.max(256, Math.min(CHUNK, Math.floor(bandwidth / 50))) : CHUNK;
    const reader = createReadStream(filePath, {
      start: offset,
      end: offset + count - 1,
      highWaterMark: chunkSize,
    });
    try {
      let pending: Buffer = Buffer.alloc(0);
      const iterator = reader[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      let sent = 0;
      while (sent < count) {
        if (signal.aborted) return false;
        if (stallAt !== undefined && sent >= stallAt) {
          await waitForAbort(signal);
          return false;
        }
        if (cutAfter !== undefined && sent >= cutAfter) {
          res.destroy();
          return false;
        }
        if (pending.length === 0) {
          const next = await iterator.next();
          if (next.done) throw new Error(`${filePath} is shorter than expected`);
          pending = next.value;
        }
        let size = Math.min(pending.length, chunkSize, count - sent);
        if (stallAt !== undefined) size = Math.min(size, stallAt - sent);
        if (cutAfter !== undefined) size = Math.min(size, cutAfter - sent);
        let cutsLink = false;
        if (cutEvery !== undefined) {
          const toBoundary = cutEvery - (this.linkBytes % cutEvery);
          size = Math.min(size, toBoundary);
          cutsLink = size === toBoundary;
          this.linkBytes += size; // reserved now, so concurrent responses see the same link position
        }
        if (bandwidth) {
          const now = performance.now();
          const slotStart = Math.max(now, this.linkFreeAt);
          this.linkFreeAt = slotStart + (size / bandwidth) * 1000;
          if (!(await pause(this.linkFreeAt - now, signal))) return false;
        }
        const chunk = pending.subarray(0, size);
        pending = pending.subarray(size);
        if (!(await write(res, chunk, signal))) return false;
        sent += size;
        record.bytesSent += size;
        this.bodyBytes += size;
        // A cut that falls exactly on the end of a response has nothing left to break.
        const cutHere = cutsLink || (cutAfter !== undefined && sent >= cutAfter);
        if (cutHere && sent < count) {
          res.destroy();
          return false;
        }
      }
      return true;
    } finally {
      reader.destroy();
    }
  }

  private injectedStatus(faults: FaultPlan, urlPath: string): number | undefined {
    for (const rule of faults.statusRules ?? []) {
      if (!rule.path.test(urlPath)) continue;
      let counter = this.ruleCounters.get(rule);
      if (counter === undefined) {
        counter = { seen: 0, fired: 0 };
        this.ruleCounters.set(rule, counter);
      }
      counter.seen++;
      const due = counter.seen % (rule.everyNth ?? 1) === 0;
      const left = rule.times === undefined || counter.fired < rule.times;
      if (due && left) {
        counter.fired++;
        return rule.status;
      }
    }
    return undefined;
  }

  /** The regular file urlPath names inside the root, or undefined (missing, a directory, or outside). */
  private async locate(urlPath: string): Promise<{ path: string; stat: Stats } | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.split('/').includes('..')) return undefined;
    const candidate = path.join(this.root, decoded);
    try {
      const real = await realpath(candidate);
      if (real !== this.root && !real.startsWith(this.root + path.sep)) return undefined;
      const info = await stat(real);
      return info.isFile() ? { path: real, stat: info } : undefined;
    } catch {
      return undefined;
    }
  }
}

/** The value when it is a positive number; zero, negative or missing means "no such fault". */
function positive(value: number | undefined): number | undefined {
  return value !== undefined && value > 0 ? value : undefined;
}

/** Sleeps ms; false when the signal fired first. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

/** Writes chunk and waits until it has been handed to the socket; false when the response died first. */
function write(res: http.ServerResponse, chunk: Buffer, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
    res.write(chunk, (err) => {
      signal.removeEventListener('abort', onAbort);
      resolve(err === undefined || err === null);
    });
  });
}

function notModified(req: http.IncomingMessage, etag: string, mtime: Date): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t === etag || t === `W/${etag}`;
    });
  }
  const ifModifiedSince = req.headers['if-modified-since'];
  if (ifModifiedSince !== undefined) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Math.floor(mtime.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

/** If-Range: the range applies only while the validator still matches. */
function ifRangeMatches(req: http.IncomingMessage, etag: string, lastModified: string): boolean {
  const ifRange = req.headers['if-range'];
  if (typeof ifRange !== 'string') return true;
  return ifRange.startsWith('"') ? ifRange === etag : ifRange === lastModified;
}
