// SPDX-License-Identifier: LGPL-2.1-or-later
// Shared by the relay tests: fake repository files with realistic paths, a plain HTTP client that
// never keeps connections alive, and a poll helper.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const MB = 1024 * 1024;

/** Writes `size` random bytes as a content-addressed object under root; returns its repo path and bytes. */
export async function writeObject(root: string, size: number): Promise<{ path: string; body: Buffer }> {
  const body = randomBytes(size);
  const checksum = createHash('sha256').update(body).digest('hex');
  const repoPath = `objects/${checksum.slice(0, 2)}/${checksum.slice(2)}.filez`;
  await writeRepoFile(root, repoPath, body);
  return { path: repoPath, body };
}

export async function writeRepoFile(root: string, repoPath: string, body: Buffer | string): Promise<void> {
  await mkdir(path.dirname(path.join(root, repoPath)), { recursive: true });
  await writeFile(path.join(root, repoPath), body);
}

export interface Fetched {
  status: number;
  body: Buffer;
  /** The connection broke before the announced body was complete. */
  cut: boolean;
}

/** One GET (or other method) without keep-alive; never rejects for a cut, reports it. */
export function get(url: string, method = 'GET'): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      let cut = false;
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('aborted', () => (cut = true));
      response.on('error', () => (cut = true));
      response.on('close', () => {
        const body = Buffer.concat(chunks);
        const announced = Number(response.headers['content-length'] ?? body.length);
        resolve({ status: response.statusCode ?? 0, body, cut: cut || body.length !== announced });
      });
    });
    request.on('error', reject);
    request.end();
  });
}

/** Retries a GET that was cut, like libostree does, up to `tries` times. */
export async function getWithRetries(url: string, tries: number): Promise<Fetched & { tries: number }> {
  for (let i = 1; ; i++) {
    const result = await get(url).catch(() => null);
    if ((result && !result.cut) || i >= tries)
      return { ...(result ?? { status: 0, body: Buffer.alloc(0), cut: true }), tries: i };
  }
}

/** Bytes in the cache's data files. */
export async function cachedBytes(cacheDir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(cacheDir)) {
    if (name.endsWith('.data')) total += (await stat(path.join(cacheDir, name))).size;
  }
  return total;
}

export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 10000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}
