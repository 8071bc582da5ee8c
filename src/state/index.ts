// SPDX-License-Identifier: LGPL-2.1-or-later
// The versioned state file and the operation lock (DESIGN.md §7).
export * from './schema';
export { StateStore, type StateStoreOptions } from './store';
export { acquireOperationLock, operationLockHolder, type LockOptions, type ReleaseLock } from './lock';
