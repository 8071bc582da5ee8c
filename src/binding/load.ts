// SPDX-License-Identifier: LGPL-2.1-or-later
// Finds and loads the compiled addon once. The package root is the nearest directory above this
// file that has a package.json, so the same code works from src/ (ts-node) and dist/ or .out/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { OstreeError } from './errors';
import type { NativeModule } from './types';

let loaded: NativeModule | undefined;

function packageRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cairn: no package.json above ${__dirname}`);
  }
}

/** The native module; a Debug build wins over a Release build when both exist. */
export function loadNative(): NativeModule {
  if (loaded !== undefined) return loaded;
  const root = packageRoot();
  const candidates = ['Debug', 'Release'].map((kind) => join(root, 'build', kind, 'cairn_native.node'));
  const path = candidates.find((candidate) => existsSync(candidate));
  if (path === undefined) {
    throw new Error(
      `cairn: the native libostree addon is not built (looked for ${candidates.join(' and ')}). ` +
        'Install the build dependencies with `apt-get install libostree-dev pkg-config g++ make`, ' +
        'then run `npm run build:native`.',
    );
  }
  const addon = { exports: {} };
  process.dlopen(addon, path);
  const native = addon.exports as NativeModule;
  native.setErrorClass(OstreeError);
  loaded = native;
  return native;
}
