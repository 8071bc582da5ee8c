// SPDX-License-Identifier: LGPL-2.1-or-later
// A bare HTTP client for the server self-tests: one fresh connection per request, and a partial body
// plus the error when the server cuts, truncates or stalls, instead of an exception.
import * as http from 'node:http';

export interface Reply {
  /** 0 when no response arrived at all. */
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** null when the response arrived complete. */
  error: string | null;
  durationMs: number;
}

export interface GetOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  /** Give up after this long without any data. */
  idleTimeoutMs?: number;
  agent?: http.Agent;
}

export function get(url: string, opts: GetOptions = {}): Promise<Reply> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(url, {
      method: opts.method ?? 'GET',
      headers: opts.headers,
      agent: opts.agent ?? false,
    });
    const chunks: Buffer[] = [];
    let res: http.IncomingMessage | undefined;
    const finish = (error: string | null) => {
      const durationMs = performance.now() - started;
      if (res === undefined) {
        resolve({ status: 0, headers: {}, body: Buffer.alloc(0), error: error ?? 'no response', durationMs });
        return;
      }
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks),
        error,
        durationMs,
      });
    };
    if (opts.idleTimeoutMs !== undefined) {
      req.setTimeout(opts.idleTimeoutMs, () => req.destroy(new Error('idle timeout')));
    }
    req.on('error', (err) => finish(err.message));
    req.on('response', (response) => {
      res = response;
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => finish(null));
      response.on('error', (err) => finish(err.message));
      response.on('aborted', () => finish('aborted'));
    });
    req.end();
  });
}
