// SPDX-License-Identifier: LGPL-2.1-or-later
// One cairn operation at a time per state directory, across processes (the CLI and the daemon).
// The lock is a listening Unix socket in the abstract namespace: binding the name is atomic, the
// kernel drops it when the process dies (even on SIGKILL or a crash, so no stale lock files), and it
// is close-on-exec, so boot hooks and other children never inherit it. The name is derived from the
// state directory's device and inode, so every path to the same directory (bind mounts, symlinks)
// gives the same lock. A contender connects to the socket to learn who holds it. Abstract sockets
// belong to a network namespace: units running cairn must not use PrivateNetwork=.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CairnError } from '../errors';

export type ReleaseLock = () => Promise<void>;

export interface LockOptions {
  /** true: wait until the holder releases; false: fail at once with `busy`. */
  wait: boolean;
  /** What the holder is doing, shown to contenders (e.g. `fetch`). */
  purpose?: string;
  /** How often a waiter retries (default 100 ms). */
  pollMs?: number;
  /** Stops waiting with `cancelled`. */
  signal?: AbortSignal;
}

interface HolderInfo {
  pid: number;
  purpose: string | null;
  since: string;
}

async function lockName(stateDir: string): Promise<string> {
  await fs.mkdir(stateDir, { recursive: true, mode: 0o755 });
  const { dev, ino } = await fs.stat(stateDir);
  const hash = createHash('sha256').update(`${dev}:${ino}`).digest('hex').slice(0, 32);
  return `\0cairn-${hash}`;
}

/** Resolves to the listening server, or null when someone else holds the name. */
function tryListen(name: string, holder: HolderInfo): Promise<net.Server | null> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined); // a contender that hangs up early is not our problem
    socket.end(`${JSON.stringify(holder)}\n`);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(null);
      else reject(err);
    });
    server.listen({ path: name }, () => {
      server.unref(); // holding the lock must not keep a finished process alive
      resolve(server);
    });
  });
}

type HolderAnswer = { state: 'gone' } | { state: 'held'; holder: HolderInfo | null };

/** Asks the current holder who it is. */
function queryHolder(name: string): Promise<HolderAnswer> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ path: name });
    const finish = (answer: HolderAnswer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    // A holder whose event loop is busy may not answer; it still holds the lock.
    const timer = setTimeout(() => finish({ state: 'held', holder: null }), 1000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('end', () => {
      try {
        finish({ state: 'held', holder: JSON.parse(text) as HolderInfo });
      } catch {
        finish({ state: 'held', holder: null });
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(err.code === 'ECONNREFUSED' ? { state: 'gone' } : { state: 'held', holder: null }),
    );
  });
}

function busyMessage(stateDir: string, holder: HolderInfo | null): string {
  if (holder === null) return `another cairn operation is running on ${stateDir} (pid unknown)`;
  const what = holder.purpose === null ? '' : `${holder.purpose}, `;
  return `another cairn operation is running on ${stateDir} (${what}pid ${holder.pid}, since ${holder.since})`;
}

/**
 * Takes the operation lock of `stateDir` (created if missing). Resolves to the function that
 * releases it; process exit releases it too. Throws `busy` (wait: false) or `cancelled`.
 */
export async function acquireOperationLock(stateDir: string, options: LockOptions): Promise<ReleaseLock> {
  const name = await lockName(stateDir);
  const me: HolderInfo = {
    pid: process.pid,
    purpose: options.purpose ?? null,
    since: new Date().toISOString(),
  };
  for (;;) {
    if (options.signal?.aborted)
      throw new CairnError('cancelled', `stopped waiting for the lock of ${stateDir}`);
    const server = await tryListen(name, me);
    if (server !== null) {
      let released: Promise<void> | null = null;
      return () => (released ??= new Promise<void>((resolve) => server.close(() => resolve())));
    }
    if (!options.wait) {
      const answer = await queryHolder(name);
      if (answer.state === 'gone') continue; // released between our bind and our connect: try again
      throw new CairnError('busy', busyMessage(stateDir, answer.holder));
    }
    await sleep(options.pollMs ?? 100, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** Who holds the operation lock of `stateDir` now, or null when nobody does. */
export async function operationLockHolder(
  stateDir: string,
): Promise<{ pid: number; purpose: string | null } | null> {
  const answer = await queryHolder(await lockName(stateDir));
  if (answer.state === 'gone' || answer.holder === null) return null;
  return { pid: answer.holder.pid, purpose: answer.holder.purpose };
}
