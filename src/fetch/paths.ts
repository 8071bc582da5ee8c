// SPDX-License-Identifier: LGPL-2.1-or-later
// Which repository paths the relay may cache and resume. Content-addressed objects and static-delta
// files never change under the same name, so a partial copy can be resumed and a complete one reused.
// Everything else (summary, summary.sig, refs/, config, delta-indexes/, and `.commitmeta`, which a
// publisher may re-sign in place) is mutable and is passed through uncached.

export type PathKind = 'immutable' | 'mutable';

const OBJECT = /^objects\/[0-9a-f]{2}\/[0-9a-f]{62}\.(?:filez|file|dirtree|dirmeta|commit)$/;
// deltas/<2 chars>/<rest of 'to'>[-'to']/{superblock,N}; checksums in modified base64 ('_' for '/').
const DELTA = /^deltas\/[A-Za-z0-9+_]{2}\/[A-Za-z0-9+_]+(?:-[A-Za-z0-9+_]+)?\/(?:superblock|\d+)$/;

export function classifyPath(repoPath: string): PathKind {
  return OBJECT.test(repoPath) || DELTA.test(repoPath) ? 'immutable' : 'mutable';
}

/**
 * The repository path of a request below the relay's token prefix, or null when it is not a safe
 * relative path (empty, a `..` or `.` segment, or bad percent-encoding).
 */
export function repoPathOf(rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded === '' || decoded.startsWith('/') || decoded.includes('\\')) return null;
  const segments = decoded.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.')) return null;
  return decoded;
}
