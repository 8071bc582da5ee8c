// SPDX-License-Identifier: LGPL-2.1-or-later
// Where the checkout is, from compiled tests in dist/ as well as in a private .out/NAME/ build.
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

function findRepoRoot(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cairn'
    ) {
      return dir;
    }
  }
  throw new Error(`no cairn package.json above ${__dirname}`);
}

/** The checkout's root: package.json, systemd/, scripts/, build/. */
export const REPO_ROOT = findRepoRoot();
