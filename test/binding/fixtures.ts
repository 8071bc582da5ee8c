// SPDX-License-Identifier: LGPL-2.1-or-later
// Shared fixtures for the binding tests: a served release stream and an empty client repo.
import type { ExecutionContext } from 'ava';
import * as path from 'node:path';

import { Repo } from '../../src/binding';
import type { PayloadFile } from '../helpers/os-tree';
import type { FaultPlan } from '../helpers/server';
import { RepoServer } from '../helpers/server';
import type { GpgKey } from '../helpers/gpg';
import { ReleaseStream } from '../helpers/stream';
import { makeTempDir } from '../helpers/tmp';

/** `count` random files of `size` bytes each. */
export function randomPayload(count: number, size: number, seed: string): PayloadFile[] {
  return Array.from({ length: count }, (_, i) => ({
    path: `usr/share/payload/${seed}-${i}.bin`,
    size,
    random: true,
    seed: `${seed}-${i}`,
  }));
}

export interface Served {
  dir: string;
  stream: ReleaseStream;
  server: RepoServer;
  commit: string;
}

/** A release stream with one commit on os/stable (plus its summary), served over HTTP. */
export async function servedStream(
  t: ExecutionContext,
  opts: { payload?: PayloadFile[]; faults?: FaultPlan; gpgKey?: GpgKey } = {},
): Promise<Served> {
  const dir = await makeTempDir(t);
  const stream = await ReleaseStream.create(path.join(dir, 'server'), { gpgKey: opts.gpgKey });
  const commit = await stream.commit({ ref: 'os/stable', version: '1', payload: opts.payload });
  await stream.summary();
  const server = await RepoServer.start(stream.repoPath, opts.faults);
  t.teardown(() => server.close());
  return { dir, stream, server, commit };
}

/** An empty archive repo with remote `origin` pointing at url (no GPG unless asked). */
export function clientRepo(dir: string, url: string, options: Record<string, string | boolean> = {}): Repo {
  const repo = Repo.create(dir, 'archive');
  repo.remoteAdd('origin', url, { 'gpg-verify': false, ...options });
  return repo;
}
