// SPDX-License-Identifier: LGPL-2.1-or-later
// The one place where errors cross the bus. Service side: anything thrown becomes a DBusError with a
// stable name and a message, never a JS stack. Client side: D-Bus errors become CairnErrors again.
import { DBusError } from 'dbus-next';
import { CairnError, dbusErrorName, isCairnError } from '../errors';
import type { CairnErrorCode } from '../errors';
import { CAIRN_ERROR_PREFIX } from './names';

export function cairnDBusError(code: CairnErrorCode, message: string): DBusError {
  return new DBusError(CAIRN_ERROR_PREFIX + dbusErrorName(code), message);
}

/** Maps anything a method handler throws to the DBusError the caller sees. */
export function toDBusError(err: unknown): DBusError {
  if (err instanceof DBusError) return err;
  if (isCairnError(err)) return cairnDBusError(err.code, err.message);
  // An unexpected failure: the caller gets a generic message, the journal gets the details.
  process.stderr.write(`cairn daemon: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
  return cairnDBusError('internal', 'internal error in the cairn daemon (see its log)');
}

/** Runs a method body so that whatever it throws reaches the caller as a proper DBusError. */
export function guard<R>(body: () => R): R {
  try {
    return body();
  } catch (err) {
    throw toDBusError(err);
  }
}

/** `WaitingForTarget` -> `waiting-for-target`. */
function codeFromDBusName(name: string): CairnErrorCode {
  return name.replace(/(?<=[a-z0-9])([A-Z])/g, '-$1').toLowerCase() as CairnErrorCode;
}

/** Client side: a rejected call becomes the CairnError the service meant, or a transport error. */
export function fromDBusError(err: unknown): CairnError {
  if (isCairnError(err)) return err;
  if (err instanceof DBusError) {
    const message = err.text || err.message;
    if (err.type.startsWith(CAIRN_ERROR_PREFIX)) {
      return new CairnError(codeFromDBusName(err.type.slice(CAIRN_ERROR_PREFIX.length)), message);
    }
    switch (err.type) {
      case 'org.freedesktop.DBus.Error.AccessDenied':
        return new CairnError('access-denied', `not allowed by the D-Bus policy: ${message}`);
      case 'org.freedesktop.DBus.Error.ServiceUnknown':
      case 'org.freedesktop.DBus.Error.NameHasNoOwner':
        return new CairnError('not-found', 'the cairn daemon is not running and cannot be activated');
      default:
        return new CairnError('internal', `${err.type}: ${message}`);
    }
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CairnError('internal', `D-Bus: ${message}`, { cause: err });
}
