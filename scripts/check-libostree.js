#!/usr/bin/env node
// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs before the native build: fail with the fix, not a wall of compiler errors.
'use strict';
const { execFileSync } = require('node:child_process');
try {
  const version = execFileSync('pkg-config', ['--modversion', 'ostree-1'], { encoding: 'utf8' }).trim();
  process.stdout.write(`cairn: building against libostree ${version}\n`);
} catch {
  process.stderr.write(
    'cairn: libostree development files not found (pkg-config ostree-1).\n' +
      '       On Debian/Ubuntu: apt-get install libostree-dev pkg-config build-essential\n',
  );
  process.exit(1);
}
