// SPDX-License-Identifier: LGPL-2.1-or-later
// Sends a cached or downloading file to libostree, reading the data file as it grows, so libostree
// sees bytes flowing during a long resume instead of a silent connection.
import { open } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import type { RelayStats } from './context';
import type { Download, DownloadState } from './download';

const CHUNK = 256 * 1024;

/** complete: the client received the whole body; incomplete: it did not; bypass: see Download. */
export type ServeOutcome = 'complete' | 'incomplete' | 'bypass';

export async function serveDownload(
  response: ServerResponse,
  source: Download,
  stats: RelayStats,
): Promise<ServeOutcome> {
  while (source.state === 'pending') await source.changed();
  if (source.state === 'bypass') return 'bypass';
  if (source.state === 'failed') {
    response.writeHead(source.failureStatus).end();
    return 'incomplete';
  }
  response.writeHead(200, {
    'content-type': 'application/octet-stream',
    ...(source.total !== null ? { 'content-length': source.total } : {}),
  });
  const generation = source.generation;
  const handle = await open(source.dataPath, 'r');
  let sent = 0;
  try {
    for (;;) {
      if (response.destroyed) return 'incomplete';
      // Read afresh each turn: the download moves on while this loop awaits.
      const state = source.state as DownloadState;
      if (source.generation !== generation || state === 'failed') {
        // What the client already has is stale or will never be completed: cut it so libostree
        // notices and asks again.
        response.destroy();
        return 'incomplete';
      }
      if (sent < source.length) {
        const size = Math.min(CHUNK, source.length - sent);
        const { bytesRead, buffer } = await handle.read(Buffer.allocUnsafe(size), 0, size, sent);
        if (bytesRead === 0) {
          // A restart emptied the file since `length` was read: look again. A complete file that is
          // shorter than its length was changed under the relay: give up on this response.
          if (state === 'complete') break;
          continue;
        }
        sent += bytesRead;
        stats.servedBytes += bytesRead;
        if (bytesRead > 0 && !response.write(buffer.subarray(0, bytesRead))) await drained(response);
      } else if (state === 'complete') {
        break;
      } else {
        await source.changed();
      }
    }
  } finally {
    await handle.close();
  }
  if (sent !== source.length) {
    response.destroy();
    return 'incomplete';
  }
  response.end();
  return (await hasFinished(response)) ? 'complete' : 'incomplete';
}

/** Resolves when the response can take more data or is gone. */
export function drained(response: ServerResponse): Promise<void> {
  // A response destroyed meanwhile refuses writes and has already emitted 'close'.
  if (response.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}

async function hasFinished(response: ServerResponse): Promise<boolean> {
  try {
    await finished(response);
    return true;
  } catch {
    return false;
  }
}
