// SPDX-License-Identifier: LGPL-2.1-or-later
// Ref and checksum grammar, as libostree defines it (ostree-core.c: OSTREE_REF_REGEXP and
// OSTREE_REMOTE_NAME_REGEXP, `[-._\w\d]+` fragments joined by '/'; \w is ASCII in GRegex here).
import { CairnError } from '../errors';

const REF_FRAGMENT = '[-._A-Za-z0-9]+';
const REF_RE = new RegExp(`^(?:${REF_FRAGMENT}/)*${REF_FRAGMENT}$`);
const REFSPEC_RE = new RegExp(`^(?:(${REF_FRAGMENT}):)?((?:${REF_FRAGMENT}/)*${REF_FRAGMENT})$`);
const CHECKSUM_RE = /^[0-9a-f]{64}$/;

export function isChecksum(value: string): boolean {
  return CHECKSUM_RE.test(value);
}

export function isValidRef(ref: string): boolean {
  return REF_RE.test(ref);
}

/** Throws 'bad-ref' unless `ref` is a ref name OSTree accepts. `what` says where it came from. */
export function assertValidRef(ref: string, what: string): void {
  if (!isValidRef(ref)) throw new CairnError('bad-ref', `${what}: '${ref}' is not a valid OSTree ref name`);
}

/**
 * The ref named by a metadata value such as `eos.checkpoint-target`: an optional `remote:` prefix is
 * dropped (the device stays on its remote). Throws 'bad-ref' on anything else.
 */
export function refFromRefspec(value: string, what: string): string {
  const match = REFSPEC_RE.exec(value);
  if (!match) throw new CairnError('bad-ref', `${what}: '${value}' is not a valid OSTree ref name`);
  return match[2];
}
