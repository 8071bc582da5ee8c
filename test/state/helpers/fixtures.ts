// SPDX-License-Identifier: LGPL-2.1-or-later
// Locates test/state/fixtures/ in the source tree from wherever the compiled tests run (dist/ or .out/).
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function stateFixturesDir(): string {
  for (let dir = __dirname; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'state', 'fixtures');
    if (existsSync(path.join(dir, 'package.json')) && existsSync(candidate)) return candidate;
  }
  throw new Error(`test/state/fixtures not found above ${__dirname}`);
}
