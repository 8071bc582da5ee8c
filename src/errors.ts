// SPDX-License-Identifier: LGPL-2.1-or-later
// One error type for everything cairn refuses or fails at. `code` is stable: scripts, the D-Bus
// error names (org.cairn.Updater1.Error.<Name>) and `lastError` in the state file are built from it.

export type CairnErrorCode =
  // planning (DESIGN.md §3)
  | 'rename-cycle'
  | 'redirect-cycle'
  | 'waiting-for-target'
  | 'bad-metadata'
  | 'bad-ref'
  | 'downgrade'
  | 'unverified'
  | 'unknown-commit'
  | 'unrelated-history'
  // fetching
  | 'network'
  | 'no-space'
  | 'cancelled'
  // deploying and hooks
  | 'hooks-pending'
  | 'hook-failed'
  | 'hook-timeout'
  | 'unsafe-hook'
  | 'deploy-failed'
  // state, configuration, usage
  | 'state-too-new'
  | 'state-corrupt'
  | 'busy'
  | 'access-denied'
  | 'bad-config'
  | 'bad-usage'
  | 'not-found'
  | 'internal';

export class CairnError extends Error {
  override name = 'CairnError';
  constructor(
    readonly code: CairnErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isCairnError(err: unknown, code?: CairnErrorCode): err is CairnError {
  return err instanceof CairnError && (code === undefined || err.code === code);
}

/** The PascalCase name used on D-Bus: `waiting-for-target` -> `WaitingForTarget`. */
export function dbusErrorName(code: CairnErrorCode): string {
  return code
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
