// SPDX-License-Identifier: LGPL-2.1-or-later
// One `ostree commit` invocation as the publisher makes it: explicit parent, sizes always generated
// (the planner estimates downloads from ostree.sizes), metadata passed as typed values.
import { CairnError } from '../errors';
import { CHECKPOINT } from '../metadata/keys';
import { runOstree } from './ostree-cli';

export interface GpgSigning {
  keyId: string;
  homedir?: string;
}

export interface OstreeCommitRequest {
  repo: string;
  branch: string;
  /** Extra refs written into `ostree.ref-binding`, so pulls by those names accept the commit. */
  bindRefs?: string[];
  /** The `--tree=` argument: `dir=PATH` or `ref=REF`. */
  tree: string;
  parent: string | null;
  subject?: string;
  body?: string;
  checkpoint: boolean;
  /** String metadata, written with --add-metadata-string. */
  strings: [string, string][];
  gpg?: GpgSigning;
  /** As ostree accepts it (see validate.parseTimestamp). */
  timestamp?: string;
}

/** Makes the commit and moves the branch to it; resolves with its checksum. */
export async function ostreeCommit(req: OstreeCommitRequest): Promise<string> {
  const args = [
    `--branch=${req.branch}`,
    `--tree=${req.tree}`,
    `--parent=${req.parent ?? 'none'}`,
    '--generate-sizes',
    ...(req.bindRefs ?? []).map((ref) => `--bind-ref=${ref}`),
    ...(req.subject !== undefined ? [`--subject=${req.subject}`] : []),
    ...(req.body !== undefined ? [`--body=${req.body}`] : []),
    ...(req.timestamp !== undefined ? [`--timestamp=${req.timestamp}`] : []),
    ...(req.checkpoint ? [`--add-metadata=${CHECKPOINT}=true`] : []),
    ...req.strings.map(([key, value]) => `--add-metadata-string=${key}=${value}`),
    ...gpgArgs(req.gpg),
  ];
  const checksum = (await runOstree(req.repo, ['commit'], args)).trim();
  if (!/^[0-9a-f]{64}$/.test(checksum)) {
    throw new CairnError('internal', `ostree commit printed no checksum: ${checksum}`);
  }
  return checksum;
}

export function gpgArgs(gpg: GpgSigning | undefined): string[] {
  if (gpg === undefined) return [];
  return [`--gpg-sign=${gpg.keyId}`, ...(gpg.homedir !== undefined ? [`--gpg-homedir=${gpg.homedir}`] : [])];
}

/** The signing options of a command line, checked: a homedir alone is a mistake. */
export function gpgFromOptions(opts: { gpgSign?: string; gpgHomedir?: string }): GpgSigning | undefined {
  if (opts.gpgSign === undefined) {
    if (opts.gpgHomedir !== undefined) throw new CairnError('bad-usage', '--gpg-homedir needs --gpg-sign');
    return undefined;
  }
  if (opts.gpgSign.trim() === '') throw new CairnError('bad-usage', '--gpg-sign needs a key id');
  return { keyId: opts.gpgSign, ...(opts.gpgHomedir !== undefined ? { homedir: opts.gpgHomedir } : {}) };
}
