// SPDX-License-Identifier: LGPL-2.1-or-later
// One HTTP(S) request to the update server, honouring the remote's TLS options and following
// redirects like libcurl does for libostree. Retrying, resuming and caching live elsewhere.
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { CairnError } from '../errors';

/** The remote's TLS settings: tls-ca-path, tls-client-cert-path, tls-client-key-path, tls-permissive. */
export interface RelayTlsOptions {
  caPath?: string;
  clientCertPath?: string;
  clientKeyPath?: string;
  insecure?: boolean;
}

const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export class UpstreamClient {
  private constructor(
    private readonly httpAgent: http.Agent,
    private readonly httpsAgent: https.Agent,
  ) {}

  static async create(tls: RelayTlsOptions = {}): Promise<UpstreamClient> {
    const [ca, cert, key] = await Promise.all([
      readTlsFile(tls.caPath, 'tls-ca-path'),
      readTlsFile(tls.clientCertPath, 'tls-client-cert-path'),
      readTlsFile(tls.clientKeyPath, 'tls-client-key-path'),
    ]);
    const httpsAgent = new https.Agent({
      keepAlive: true,
      rejectUnauthorized: !tls.insecure,
      ...(ca ? { ca } : {}),
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
    });
    return new UpstreamClient(new http.Agent({ keepAlive: true }), httpsAgent);
  }

  /**
   * Sends the request and resolves with the final response (after redirects). The caller owns the
   * response and must consume or destroy it; aborting `signal` destroys request and response.
   */
  async request(
    method: 'GET' | 'HEAD',
    url: URL,
    headers: http.OutgoingHttpHeaders,
    signal: AbortSignal,
  ): Promise<http.IncomingMessage> {
    let target = url;
    for (let hop = 0; ; hop++) {
      const response = await this.send(method, target, headers, signal);
      const location = response.headers.location;
      if (!REDIRECT_STATUSES.has(response.statusCode ?? 0) || !location || hop >= MAX_REDIRECTS) {
        return response;
      }
      response.resume();
      target = new URL(location, target);
    }
  }

  /** Ends kept-alive connections. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private send(
    method: 'GET' | 'HEAD',
    url: URL,
    headers: http.OutgoingHttpHeaders,
    signal: AbortSignal,
  ): Promise<http.IncomingMessage> {
    const secure = url.protocol === 'https:';
    const transport = secure ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        method,
        headers,
        agent: secure ? this.httpsAgent : this.httpAgent,
        signal,
      });
      request.once('response', (response) => {
        // A response still being read when the caller aborts must end too, not just the request.
        const onAbort = () => response.destroy(signal.reason instanceof Error ? signal.reason : undefined);
        signal.addEventListener('abort', onAbort, { once: true });
        response.once('close', () => signal.removeEventListener('abort', onAbort));
        resolve(response);
      });
      request.once('error', reject);
      request.end();
    });
  }
}

async function readTlsFile(path: string | undefined, option: string): Promise<Buffer | null> {
  if (!path) return null;
  try {
    return await readFile(path);
  } catch (err) {
    throw new CairnError('bad-config', `cannot read ${option} ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
