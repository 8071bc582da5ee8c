// SPDX-License-Identifier: LGPL-2.1-or-later
// The eos-updater view of the core (com.endlessm.Updater, research/eos-updater.md §2): its numeric
// states, its properties and which method each state allows. Checkpoint details have no place here;
// they stay on org.cairn.Updater1.
import type { CoreSnapshot, CoreState } from './core';
import { CAIRN_ERROR_PREFIX, EOS_ERROR_PREFIX } from './names';
import type { PropertySpec } from './property-mirror';
import { dbusErrorName } from '../errors';

export const EosState = {
  None: 0,
  Ready: 1,
  Error: 2,
  Polling: 3,
  UpdateAvailable: 4,
  Fetching: 5,
  UpdateReady: 6,
  ApplyingUpdate: 7,
  UpdateApplied: 8,
} as const;
export type EosState = (typeof EosState)[keyof typeof EosState];

const STATE_MAP: Record<CoreState, EosState> = {
  idle: EosState.Ready,
  checking: EosState.Polling,
  'update-available': EosState.UpdateAvailable,
  // Nothing to fetch yet: to eos clients the device is simply up to date.
  'up-to-date': EosState.Ready,
  'waiting-for-target': EosState.Ready,
  // Blocked needs someone's attention (e.g. a failed boot hook): eos clients show errors, not "ready".
  blocked: EosState.Error,
  fetching: EosState.Fetching,
  fetched: EosState.UpdateReady,
  deploying: EosState.ApplyingUpdate,
  'reboot-required': EosState.UpdateApplied,
  error: EosState.Error,
};

export function eosState(snapshot: CoreSnapshot): EosState {
  return STATE_MAP[snapshot.state];
}

export type EosMethod = 'Poll' | 'Fetch' | 'Apply' | 'Cancel';

/** eos-updater's state rules: a method called in any other state gets WrongState. */
const ALLOWED: Record<EosMethod, readonly EosState[]> = {
  Poll: [EosState.Ready, EosState.UpdateAvailable, EosState.UpdateReady, EosState.Error],
  Fetch: [EosState.UpdateAvailable],
  Apply: [EosState.UpdateReady],
  Cancel: [EosState.Polling, EosState.Fetching, EosState.ApplyingUpdate],
};

export function eosAllows(method: EosMethod, state: EosState): boolean {
  return ALLOWED[method].includes(state);
}

export const EOS_WRONG_STATE = `${EOS_ERROR_PREFIX}WrongState`;

/** ErrorName: eos-updater's own names where one fits, ours otherwise. */
function errorName(snapshot: CoreSnapshot): string {
  if (snapshot.lastError === null) return '';
  switch (snapshot.lastError.code) {
    case 'cancelled':
      return `${EOS_ERROR_PREFIX}Cancelled`;
    case 'network':
      return `${EOS_ERROR_PREFIX}Fetching`;
    case 'bad-config':
      return `${EOS_ERROR_PREFIX}WrongConfiguration`;
    default:
      return CAIRN_ERROR_PREFIX + dbusErrorName(snapshot.lastError.code);
  }
}

function inErrorState(snapshot: CoreSnapshot): boolean {
  return eosState(snapshot) === EosState.Error;
}

function refspec(remote: string, ref: string): string {
  return ref === '' ? '' : remote === '' ? ref : `${remote}:${ref}`;
}

/** eos-updater calls an update user visible when the major version changes. */
function majorVersionChanges(snapshot: CoreSnapshot): boolean {
  if (snapshot.nextStep === null) return false;
  const major = (v: string) => v.split('.')[0];
  return major(snapshot.nextStep.version) !== major(snapshot.currentVersion);
}

/** Sizes are 0 when no update is known, -1 when it is known but its size is not. */
function stepSize(snapshot: CoreSnapshot, pick: 'downloadSize' | 'unpackedSize'): bigint {
  return snapshot.nextStep === null ? 0n : snapshot.nextStep[pick];
}

export const EOS_PROPERTIES: readonly PropertySpec[] = [
  { name: 'State', signature: 'u', read: eosState },
  { name: 'UpdateID', signature: 's', read: (s) => s.nextStep?.commit ?? '' },
  { name: 'UpdateRefspec', signature: 's', read: (s) => refspec(s.currentRemote, s.nextStep?.ref ?? '') },
  { name: 'OriginalRefspec', signature: 's', read: (s) => refspec(s.currentRemote, s.currentRef) },
  { name: 'CurrentID', signature: 's', read: (s) => s.currentCommit },
  // cairn's steps carry no commit subject/body; clients show Version instead.
  { name: 'UpdateLabel', signature: 's', read: () => '' },
  { name: 'UpdateMessage', signature: 's', read: () => '' },
  { name: 'Version', signature: 's', read: (s) => s.nextStep?.version ?? '' },
  { name: 'UpdateIsUserVisible', signature: 'b', read: majorVersionChanges },
  { name: 'ReleaseNotesUri', signature: 's', read: () => '' },
  { name: 'DownloadSize', signature: 'x', read: (s) => stepSize(s, 'downloadSize') },
  { name: 'DownloadedBytes', signature: 'x', read: (s) => s.downloadedBytes, throttled: true },
  { name: 'UnpackedSize', signature: 'x', read: (s) => stepSize(s, 'unpackedSize') },
  // Sizes including what is already local are not computed by cairn: unknown.
  { name: 'FullDownloadSize', signature: 'x', read: (s) => (s.nextStep === null ? 0n : -1n) },
  { name: 'FullUnpackedSize', signature: 'x', read: (s) => (s.nextStep === null ? 0n : -1n) },
  // Deprecated in eos-updater ("unspecified domain"): only zero versus non-zero means anything.
  { name: 'ErrorCode', signature: 'u', read: (s) => (inErrorState(s) && s.lastError !== null ? 1 : 0) },
  { name: 'ErrorName', signature: 's', read: (s) => (inErrorState(s) ? errorName(s) : '') },
  {
    name: 'ErrorMessage',
    signature: 's',
    read: (s) => (inErrorState(s) ? (s.lastError?.message ?? '') : ''),
  },
];
