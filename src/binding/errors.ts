// SPDX-License-Identifier: LGPL-2.1-or-later
// Errors raised by the binding: OstreeError (a GError from libostree, built by native code),
// AbortError (an operation cancelled through its AbortSignal) and argument TypeErrors.

/** A GError from libostree/GLib. `code` is the symbolic enum name, e.g. `G_IO_ERROR_NOT_FOUND`. */
export class OstreeError extends Error {
  override name = 'OstreeError';
  constructor(
    message: string,
    /** The GError domain, g_quark_to_string (e.g. `g-io-error-quark`). */
    readonly domain: string,
    /** Symbolic code, or `UNKNOWN_<domain>_<n>` for domains without a known enum. */
    readonly code: string,
    /** The numeric GError code. */
    readonly gcode: number,
  ) {
    super(message);
  }
}

/** An operation stopped by its AbortSignal; `cause` is the OstreeError libostree returned. */
export class AbortError extends Error {
  override name = 'AbortError';
  readonly code = 'ABORT_ERR';
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isAbortError(err: unknown): err is Error {
  return err instanceof Error && err.name === 'AbortError';
}

export function isOstreeError(err: unknown, code?: string): err is OstreeError {
  return err instanceof OstreeError && (code === undefined || err.code === code);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** The one formatter for bad arguments: `Expected <name> to be <expected>, got <actual>`. */
export function invalidParameterError(name: string, expected: string, actual: unknown): TypeError {
  return new TypeError(`Expected ${name} to be ${expected}, got ${describe(actual)}`);
}

/**
 * Native errors surface from a worker with no JS frames; this puts the caller's frames (captured
 * when the call started) under the native message, so a rejection points at the code that called.
 */
export function withCallerStack(err: unknown, caller: Error): unknown {
  if (err instanceof Error && caller.stack !== undefined) {
    const frames = caller.stack.split('\n').slice(1).join('\n');
    err.stack = `${err.name}: ${err.message}\n${frames}`;
  }
  return err;
}
