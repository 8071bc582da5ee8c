// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs one native async operation with a GCancellable driven by an AbortSignal, and maps the
// resulting G_IO_ERROR_CANCELLED to an AbortError (the OstreeError stays as its cause).
import { AbortError, isOstreeError, invalidParameterError, withCallerStack } from './errors';
import { loadNative } from './load';
import type { NativeCancellable } from './types';

export function assertSignal(value: unknown): asserts value is AbortSignal | undefined {
  if (value !== undefined && !(value instanceof AbortSignal)) {
    throw invalidParameterError('signal', 'an AbortSignal', value);
  }
}

export async function runCancellable<T>(
  signal: AbortSignal | undefined,
  caller: Error,
  operation: (cancellable: NativeCancellable) => Promise<T>,
): Promise<T> {
  const cancellable = new (loadNative().Cancellable)();
  const onAbort = (): void => cancellable.cancel();
  // An already-aborted signal still goes through libostree, so the rejection has the same shape.
  if (signal?.aborted === true) cancellable.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await operation(cancellable);
  } catch (err) {
    if (cancellable.cancelled && isOstreeError(err, 'G_IO_ERROR_CANCELLED')) {
      throw withCallerStack(new AbortError('The operation was aborted', { cause: err }), caller);
    }
    throw withCallerStack(err, caller);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
