// SPDX-License-Identifier: LGPL-2.1-or-later
// Planning against a real remote: the remote metadata source and the size estimator share one
// summary fetch. What the engine and the CLI call.
import { RepoSizeEstimator } from './estimator';
import { planUpdate } from './plan';
import { RemoteMetadataSource } from './remote-source';
import type { PlannerRepo } from './repo-port';
import type { Plan, PlanRequest } from './types';

export interface RemotePlanOptions {
  signal?: AbortSignal;
  /** Fetch from this URL instead of the remote's configured one. */
  overrideUrl?: string;
}

export async function planFromRemote(
  repo: PlannerRepo,
  request: PlanRequest,
  options: RemotePlanOptions = {},
): Promise<Plan> {
  const source = new RemoteMetadataSource(repo, request.remote, options);
  const estimator = new RepoSizeEstimator(repo, {
    summary: () => source.summary(),
    baseUrl: options.overrideUrl ?? repo.remoteGetUrl(request.remote),
    signal: options.signal,
  });
  return planUpdate(source, estimator, request);
}
