// SPDX-License-Identifier: LGPL-2.1-or-later
// Which headers cross the relay. libostree's own headers (User-Agent, the `http-headers` pull option
// such as auth tokens) go upstream; hop-by-hop headers never do.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

// The relay sets these itself when it fetches a file into its cache, and wants identity bytes.
const CACHE_CONTROLLED = new Set([
  'range',
  'if-range',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'accept-encoding',
]);

/** Headers of libostree's request to send upstream. `forCache`: the relay fetches for its cache. */
export function upstreamRequestHeaders(
  incoming: IncomingHttpHeaders,
  forCache: boolean,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (forCache && CACHE_CONTROLLED.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/** Headers of an upstream response to pass to libostree unchanged. */
export function passedResponseHeaders(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

export interface ContentRange {
  start: number;
  end: number;
  /** null for `*` (length unknown to the server). */
  total: number | null;
}

/** Parses `bytes START-END/TOTAL`; null when malformed. */
export function parseContentRange(value: string | undefined): ContentRange | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(value?.trim() ?? '');
  if (!match) return null;
  const [start, end] = [Number(match[1]), Number(match[2])];
  const total = match[3] === '*' ? null : Number(match[3]);
  if (end < start || (total !== null && end >= total)) return null;
  return { start, end, total };
}

/** A non-negative integer Content-Length, or null. */
export function parseContentLength(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value.trim()) ? Number(value.trim()) : null;
}
