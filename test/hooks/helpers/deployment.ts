// SPDX-License-Identifier: LGPL-2.1-or-later
// A minimal deployment root for hook tests: just `usr/lib/cairn/boot-hooks.d/` with the given
// files (mode 0755 unless a mode is given), owned by the test's user (root).
import type { ExecutionContext } from 'ava';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BOOT_HOOKS_DIR } from '../../../src/metadata/keys';
import { makeTempDir } from '../../helpers/tmp';

export interface HookFile {
  script: string;
  mode?: number;
}

export interface TestDeployment {
  root: string;
  hooksDir: string;
  /** A scratch directory outside the deployment (stands in for the stateroot's /var). */
  varDir: string;
}

export async function makeDeployment(
  t: ExecutionContext,
  hooks: Record<string, string | HookFile>,
): Promise<TestDeployment> {
  const base = await makeTempDir(t, 'cairn-hooks-');
  const root = path.join(base, 'deploy');
  const hooksDir = path.join(root, BOOT_HOOKS_DIR);
  const varDir = path.join(base, 'var');
  await fs.mkdir(hooksDir, { recursive: true });
  await fs.mkdir(varDir);
  await fs.chmod(hooksDir, 0o755);
  for (const [name, hook] of Object.entries(hooks)) {
    const { script, mode = 0o755 } = typeof hook === 'string' ? { script: hook } : hook;
    const file = path.join(hooksDir, name);
    await fs.writeFile(file, script);
    await fs.chmod(file, mode);
  }
  return { root, hooksDir, varDir };
}
