// SPDX-License-Identifier: LGPL-2.1-or-later
// MetadataSource over a real repository and one of its remotes. Only commit objects travel (pulls
// with commitMetadataOnly, depth 0); file content is never fetched. Signatures are checked by
// libostree during those pulls (the remote's gpg-verify), so what loadCommit returns is verified.
import { isAbortError, isOstreeError } from '../binding/errors';
import type { Summary } from '../binding/types';
import { CairnError, isCairnError } from '../errors';
import { SUMMARY_CHECKPOINTS } from '../metadata/keys';
import { isChecksum } from './refs';
import type { PlannerRepo } from './repo-port';
import type { CommitMeta, MetadataSource } from './types';

export interface RemoteSourceOptions {
  signal?: AbortSignal;
  /** Fetch from this URL instead of the remote's (a local relay, a mirror). */
  overrideUrl?: string;
}

export class RemoteMetadataSource implements MetadataSource {
  private summaryPromise: Promise<Summary | null> | undefined;

  constructor(
    private readonly repo: PlannerRepo,
    readonly remote: string,
    private readonly options: RemoteSourceOptions = {},
  ) {}

  /** The remote's summary, fetched once; null when the server has none. */
  summary(): Promise<Summary | null> {
    this.summaryPromise ??= this.repo
      .fetchSummary(this.remote, { signal: this.options.signal })
      .catch((err: unknown) => {
        if (isAbortError(err) || this.options.signal?.aborted) throw cancelled(err);
        if (isNotFound(err)) return null;
        throw new CairnError(
          'network',
          `cannot fetch the summary of remote '${this.remote}': ${messageOf(err)}`,
          {
            cause: err,
          },
        );
      });
    return this.summaryPromise;
  }

  async resolveRef(ref: string): Promise<string | null> {
    const summary = await this.summary();
    if (summary) return summary.refs[ref]?.checksum ?? null;
    try {
      await this.pullCommits([ref]);
    } catch (err) {
      if (isCairnError(err, 'unknown-commit')) return null;
      throw err;
    }
    return this.repo.resolveRev(`${this.remote}:${ref}`, true);
  }

  async loadCommit(checksum: string): Promise<CommitMeta> {
    if (!this.repo.hasObject('commit', checksum)) await this.pullCommits([checksum]);
    const info = this.repo.loadCommit(checksum);
    return {
      checksum: info.checksum,
      parent: info.parent,
      timestamp: info.timestamp,
      metadata: info.metadata,
    };
  }

  async checkpointIndex(ref: string): Promise<string[] | null> {
    const index = (await this.summary())?.metadata[SUMMARY_CHECKPOINTS];
    if (index === undefined || index === null || typeof index !== 'object' || Array.isArray(index))
      return null;
    if (Buffer.isBuffer(index)) return null;
    const list = index[ref];
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string' && isChecksum(item)))
      return null;
    return list as string[];
  }

  /** One pull for every commit not yet here; a failure is left to the loads that follow. */
  async prefetch(checksums: string[]): Promise<void> {
    const missing = checksums.filter(
      (checksum) => isChecksum(checksum) && !this.repo.hasObject('commit', checksum),
    );
    if (missing.length === 0) return;
    try {
      await this.pullCommits(missing);
    } catch (err) {
      if (isCairnError(err, 'cancelled')) throw err;
    }
  }

  private async pullCommits(refs: string[]): Promise<void> {
    try {
      await this.repo.pull(this.remote, {
        refs,
        commitMetadataOnly: true,
        depth: 0,
        ...(this.options.overrideUrl ? { overrideUrl: this.options.overrideUrl } : {}),
        signal: this.options.signal,
      });
    } catch (err) {
      throw pullError(err, refs, this.remote, this.options.signal);
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function isNotFound(err: unknown): boolean {
  return (
    isOstreeError(err, 'G_IO_ERROR_NOT_FOUND') ||
    /\b404\b|not found|No such|has no summary/i.test(messageOf(err))
  );
}

function cancelled(err: unknown): CairnError {
  return new CairnError('cancelled', 'planning cancelled', { cause: err });
}

/** libostree's GError messages are the only signal here; match the stable parts. */
function pullError(err: unknown, refs: string[], remote: string, signal?: AbortSignal): CairnError {
  if (isAbortError(err) || signal?.aborted) return cancelled(err);
  const message = messageOf(err);
  const what = refs.length === 1 ? refs[0] : `${refs.length} commits`;
  if (/gpg|signature|signed/i.test(message)) {
    return new CairnError('unverified', `${what} from remote '${remote}' is not verified: ${message}`, {
      cause: err,
    });
  }
  if (isNotFound(err)) {
    return new CairnError('unknown-commit', `${what} does not exist on remote '${remote}': ${message}`, {
      cause: err,
    });
  }
  return new CairnError('network', `cannot fetch ${what} from remote '${remote}': ${message}`, {
    cause: err,
  });
}
