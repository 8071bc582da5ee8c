// SPDX-License-Identifier: LGPL-2.1-or-later
// What the D-Bus service needs from the update engine. The service only adapts this to the bus: it
// never plans, fetches or deploys itself, so anything implementing UpdaterCore can be served.
import type { EventEmitter } from 'node:events';
import type { CairnErrorCode } from '../errors';

export type CoreState =
  | 'idle'
  | 'checking'
  | 'update-available'
  | 'up-to-date'
  | 'waiting-for-target'
  | 'blocked'
  | 'fetching'
  | 'fetched'
  | 'deploying'
  | 'reboot-required'
  | 'error';

export const CORE_STATES: readonly CoreState[] = [
  'idle',
  'checking',
  'update-available',
  'up-to-date',
  'waiting-for-target',
  'blocked',
  'fetching',
  'fetched',
  'deploying',
  'reboot-required',
  'error',
];

export interface CoreStep {
  commit: string;
  ref: string;
  version: string;
  checkpoint: boolean;
  /** Bytes to download; -1n when unknown. */
  downloadSize: bigint;
  /** Bytes once unpacked; -1n when unknown. */
  unpackedSize: bigint;
}

export interface CoreSnapshot {
  state: CoreState;
  /** DESIGN.md §5 plan JSON, '' when there is none. */
  planJson: string;
  /** 0..1 for the running operation. */
  progress: number;
  downloadedBytes: bigint;
  downloadSize: bigint;
  currentCommit: string;
  /** The remote of the tracked ref (`origin`), '' when unknown. */
  currentRemote: string;
  currentRef: string;
  currentVersion: string;
  /** The step the next fetch/deploy works on (or the deployed one waiting for a reboot). */
  nextStep: CoreStep | null;
  lastError: { code: CairnErrorCode; message: string } | null;
}

/**
 * The engine as the service sees it. It emits `'changed'` with the changed snapshot keys
 * (`(keyof CoreSnapshot)[]`) after every change. An operation that fails records the failure in
 * `lastError` (and state `'error'`) before its promise rejects: the service reports outcomes only from
 * the snapshot. `busy` turns true synchronously when an operation starts and is false again when its
 * final state (success or error) is announced, so a client reacting to that state may start the next.
 */
export interface UpdaterCore extends EventEmitter {
  snapshot(): CoreSnapshot;
  check(): Promise<void>;
  fetch(): Promise<void>;
  deploy(): Promise<void>;
  /** check, fetch and deploy the next step. */
  update(): Promise<void>;
  /** Aborts the running operation, which then rejects with CairnError('cancelled'). No-op when idle. */
  cancel(): void;
  readonly busy: boolean;
}

export type CoreOperation = 'check' | 'fetch' | 'deploy' | 'update';
