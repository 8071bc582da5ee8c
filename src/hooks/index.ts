// SPDX-License-Identifier: LGPL-2.1-or-later
// Boot hooks of a deployment (DESIGN.md §4).
export { listBootHooks, type BootHook, type BootHookListing, type IgnoredEntry } from './list';
export { runBootHooks, type BootHookEnv, type BootHooksSummary, type RunBootHooksOptions } from './run';
export { OUTPUT_TAIL_BYTES } from './output';
