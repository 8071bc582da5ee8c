// SPDX-License-Identifier: LGPL-2.1-or-later
// Upgrades of older state files: `migrations[n]` turns a version-n object into a version-(n+1) one.
// Version 1 is the first released format, so the chain is empty. When version 2 arrives:
// add `1: (v1) => ({ ...v1, formatVersion: 2, ... })`, keep a v1 fixture in test/state/fixtures/
// (the fixture test loads every fixture and re-saves it as the current version), bump
// STATE_FORMAT_VERSION. Fields a migration does not know must be carried over, not dropped.
import { STATE_FORMAT_VERSION } from './schema';

export type StateObject = Record<string, unknown>;
export type Migration = (state: StateObject) => StateObject;

/** The oldest format version this code can migrate from. */
export const OLDEST_FORMAT_VERSION = 1;

export const migrations: Readonly<Record<number, Migration>> = {};

/** Applies the chain from `fromVersion` up to STATE_FORMAT_VERSION. */
export function migrate(state: StateObject, fromVersion: number): StateObject {
  let current = state;
  for (let version = fromVersion; version < STATE_FORMAT_VERSION; version++) {
    const step = migrations[version];
    if (step === undefined) throw new Error(`no migration from state format version ${version}`);
    current = step(current);
    if (current.formatVersion !== version + 1) {
      throw new Error(
        `migration from state format version ${version} did not produce version ${version + 1}`,
      );
    }
  }
  return current;
}
