// SPDX-License-Identifier: LGPL-2.1-or-later
// Input checks shared by the `cairn repo` commands: clear errors before ostree sees anything.
import { CairnError } from '../errors';

// OSTree's ref grammar (OSTREE_REF_REGEXP in ostree-core.c): fragments of [\w\d][-._\w\d]* joined by '/'.
const REF_PATTERN = /^[A-Za-z0-9_][-._A-Za-z0-9_]*(?:\/[A-Za-z0-9_][-._A-Za-z0-9_]*)*$/;
const CHECKSUM_PATTERN = /^[0-9a-f]{64}$/;

export function assertRefName(ref: string, what = 'ref'): void {
  if (!REF_PATTERN.test(ref)) {
    throw new CairnError(
      'bad-ref',
      `invalid ${what} name '${ref}' (OSTree refs are [A-Za-z0-9_][-._A-Za-z0-9_]* parts joined by '/')`,
    );
  }
}

export function isChecksum(text: string): boolean {
  return CHECKSUM_PATTERN.test(text);
}

export function assertChecksum(text: string, what = 'commit'): void {
  if (!isChecksum(text)) {
    throw new CairnError(
      'bad-usage',
      `invalid ${what} checksum '${text}' (64 lowercase hex digits expected)`,
    );
  }
}

/** `KEY=VALUE` as given to --add-metadata-string; the value may contain '='. */
export function parseKeyValue(assignment: string): [string, string] {
  const at = assignment.indexOf('=');
  if (at <= 0) {
    throw new CairnError('bad-usage', `expected KEY=VALUE, got '${assignment}'`);
  }
  return [assignment.slice(0, at), assignment.slice(at + 1)];
}

/** A positive whole number from a command line option. */
export function parseCount(text: string, what: string, { allowZero = false } = {}): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || (!allowZero && value === 0)) {
    throw new CairnError(
      'bad-usage',
      `${what} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${text}'`,
    );
  }
  return value;
}

/** An ISO 8601 date as the `--timestamp` form ostree accepts (UTC, whole seconds). */
export function parseTimestamp(iso: string): string {
  const ms = Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}/.test(iso) || Number.isNaN(ms)) {
    throw new CairnError(
      'bad-usage',
      `invalid timestamp '${iso}' (ISO 8601 expected, e.g. 2024-05-01T12:00:00Z)`,
    );
  }
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
