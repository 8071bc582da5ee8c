// SPDX-License-Identifier: LGPL-2.1-or-later
// The binding's public surface: load the addon, the Repo and Sysroot wrappers, errors and types.
export { loadNative } from './load';
export { Repo } from './repo';
export type { RepoPullOptions } from './repo';
export { Sysroot } from './sysroot';
export { AbortError, OstreeError, invalidParameterError, isAbortError, isOstreeError } from './errors';
export type * from './types';
