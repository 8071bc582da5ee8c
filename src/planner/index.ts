// SPDX-License-Identifier: LGPL-2.1-or-later
export { planUpdate } from './plan';
export { planFromRemote, type RemotePlanOptions } from './remote';
export { RemoteMetadataSource, type RemoteSourceOptions } from './remote-source';
export { RepoSizeEstimator, deltaSuperblockPath } from './estimator';
export { isChecksum, isValidRef } from './refs';
export type { PlannerRepo } from './repo-port';
export type * from './types';
