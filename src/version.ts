// SPDX-License-Identifier: LGPL-2.1-or-later
// cairn's version, from package.json (recorded in the state file and shown by --version).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

function readVersion(): string {
  // dist/src/version.js -> the package root is two levels up from dist/src.
  for (const candidate of [
    path.join(__dirname, '..', '..', 'package.json'),
    path.join(__dirname, '..', 'package.json'),
  ]) {
    try {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'cairn' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0-unknown';
}

export const CAIRN_VERSION = readVersion();
