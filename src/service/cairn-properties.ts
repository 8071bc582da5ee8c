// SPDX-License-Identifier: LGPL-2.1-or-later
// The properties of org.cairn.Updater1 (DESIGN.md §6): how each is read from the core's snapshot,
// and how a client turns them back into typed values.
import type { CairnErrorCode } from '../errors';
import type { CoreSnapshot, CoreState } from './core';
import type { PropertySpec } from './property-mirror';

export const CAIRN_PROPERTIES: readonly PropertySpec[] = [
  { name: 'State', signature: 's', read: (s) => s.state },
  { name: 'Plan', signature: 's', read: (s) => s.planJson },
  { name: 'Progress', signature: 'd', read: (s) => s.progress, throttled: true },
  { name: 'DownloadedBytes', signature: 't', read: (s) => s.downloadedBytes, throttled: true },
  { name: 'DownloadSize', signature: 't', read: (s) => s.downloadSize, throttled: true },
  { name: 'CurrentCommit', signature: 's', read: (s) => s.currentCommit },
  { name: 'CurrentRef', signature: 's', read: (s) => s.currentRef },
  { name: 'Version', signature: 's', read: (s) => s.currentVersion },
  {
    name: 'LastError',
    signature: 's',
    read: (s: CoreSnapshot) => (s.lastError ? JSON.stringify(s.lastError) : ''),
  },
];

/** org.cairn.Updater1's properties as a client sees them. */
export interface UpdaterProperties {
  state: CoreState;
  /** DESIGN.md §5 plan JSON, '' when none. */
  plan: string;
  progress: number;
  downloadedBytes: bigint;
  downloadSize: bigint;
  currentCommit: string;
  currentRef: string;
  version: string;
  lastError: { code: CairnErrorCode; message: string } | null;
}

/** Builds UpdaterProperties from plain D-Bus values keyed by property name (GetAll, merged changes). */
export function decodeProperties(values: Record<string, unknown>): UpdaterProperties {
  const lastError = String(values.LastError ?? '');
  return {
    state: String(values.State ?? 'idle') as CoreState,
    plan: String(values.Plan ?? ''),
    progress: Number(values.Progress ?? 0),
    downloadedBytes: BigInt((values.DownloadedBytes as bigint | undefined) ?? 0n),
    downloadSize: BigInt((values.DownloadSize as bigint | undefined) ?? 0n),
    currentCommit: String(values.CurrentCommit ?? ''),
    currentRef: String(values.CurrentRef ?? ''),
    version: String(values.Version ?? ''),
    lastError: lastError === '' ? null : (JSON.parse(lastError) as UpdaterProperties['lastError']),
  };
}
