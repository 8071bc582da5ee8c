// SPDX-License-Identifier: LGPL-2.1-or-later
// Argument checks for the wrapper classes. Every failure goes through invalidParameterError.
import { invalidParameterError } from './errors';

const CHECKSUM = /^[0-9a-f]{64}$/;

export function assertString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw invalidParameterError(name, 'a string', value);
}

export function assertNonEmptyString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value === '')
    throw invalidParameterError(name, 'a non-empty string', value);
}

export function assertNullableString(value: unknown, name: string): asserts value is string | null {
  if (value !== null && typeof value !== 'string')
    throw invalidParameterError(name, 'a string or null', value);
}

export function assertBoolean(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') throw invalidParameterError(name, 'a boolean', value);
}

export function assertInteger(value: unknown, name: string, min: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw invalidParameterError(name, `an integer >= ${min}`, value);
  }
}

export function assertChecksum(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || !CHECKSUM.test(value))
    throw invalidParameterError(name, 'a 64-hex checksum', value);
}

export function assertStringArray(value: unknown, name: string): asserts value is string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw invalidParameterError(name, 'an array of strings', value);
  }
}

export function assertOptional<T>(
  value: unknown,
  name: string,
  check: (value: unknown, name: string) => asserts value is T,
): asserts value is T | undefined {
  if (value !== undefined) check(value, name);
}

export function assertObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameterError(name, 'an object', value);
  }
}
