// SPDX-License-Identifier: LGPL-2.1-or-later
// Reads the planning keys of one commit (DESIGN.md §2) with exact type checks: a key of the wrong
// GVariant type is refused ('bad-metadata'), never guessed at.
import type { VariantValue } from '../binding/types';
import { CairnError } from '../errors';
import {
  CHECKPOINT,
  CHECKPOINT_REASON,
  CHECKPOINT_TARGET,
  ENDOFLIFE,
  ENDOFLIFE_REBASE,
  PREVIOUS_CHECKPOINT,
  VERSION,
} from '../metadata/keys';
import { isChecksum } from './refs';
import type { CommitMeta } from './types';

export interface CommitKeys {
  checkpoint: boolean;
  reason: string | null;
  /**
   * `cairn.previous-checkpoint`: a checksum; 'none' when the key is present and empty (the publisher
   * states there is no older checkpoint); null when absent (unknown: the history may predate pointers).
   */
  previousCheckpoint: string | 'none' | null;
  checkpointTarget: string | null;
  endOfLifeRebase: string | null;
  endOfLife: string | null;
  version: string | null;
}

function typeName(value: VariantValue): string {
  if (value === null) return 'nothing';
  if (Buffer.isBuffer(value)) return 'bytes (ay)';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'a dictionary';
  if (typeof value === 'number') return 'a number';
  return `a ${typeof value}`;
}

function badType(commit: CommitMeta, key: string, expected: string, value: VariantValue): CairnError {
  return new CairnError(
    'bad-metadata',
    `commit ${commit.checksum}: '${key}' must be ${expected}, found ${typeName(value)}`,
  );
}

function optionalString(commit: CommitMeta, key: string): string | null {
  const value = commit.metadata[key];
  if (value === undefined) return null;
  if (typeof value !== 'string') throw badType(commit, key, 'a string (s)', value);
  return value;
}

export function readCommitKeys(commit: CommitMeta): CommitKeys {
  const checkpoint = commit.metadata[CHECKPOINT];
  if (checkpoint !== undefined && typeof checkpoint !== 'boolean') {
    throw badType(commit, CHECKPOINT, 'a boolean (b)', checkpoint);
  }
  const previous = optionalString(commit, PREVIOUS_CHECKPOINT);
  if (previous !== null && previous !== '' && !isChecksum(previous)) {
    throw new CairnError(
      'bad-metadata',
      `commit ${commit.checksum}: '${PREVIOUS_CHECKPOINT}' is not a commit checksum: '${previous}'`,
    );
  }
  return {
    checkpoint: checkpoint === true,
    reason: optionalString(commit, CHECKPOINT_REASON),
    previousCheckpoint: previous === '' ? 'none' : previous,
    checkpointTarget: optionalString(commit, CHECKPOINT_TARGET),
    endOfLifeRebase: optionalString(commit, ENDOFLIFE_REBASE),
    endOfLife: optionalString(commit, ENDOFLIFE),
    version: optionalString(commit, VERSION),
  };
}
