// SPDX-License-Identifier: LGPL-2.1-or-later
// A process that fetches one file through a fresh relay, so a test can SIGKILL it mid-download.
// Usage: node relay-child.js UPSTREAM_URL CACHE_DIR REPO_PATH. Prints `url` once the relay listens.
import http from 'node:http';
import { ResumeRelay } from '../../src/fetch';

async function main(): Promise<void> {
  const [upstreamUrl, cacheDir, repoPath] = process.argv.slice(2);
  const relay = await ResumeRelay.start({ upstreamUrl, cacheDir, backoff: { initialMs: 5, maxMs: 20 } });
  process.stdout.write('started\n');
  http.get(relay.url + repoPath, { agent: false }, (response) => response.resume());
}

void main();
