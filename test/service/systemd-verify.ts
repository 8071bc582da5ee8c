// SPDX-License-Identifier: LGPL-2.1-or-later
// `systemd-analyze verify --root=ROOT` for unit files inside ROOT, with the host's units copied in
// first (without replacing ROOT's own) so dependencies such as dbus.socket resolve.
import { spawnSync } from 'node:child_process';
import { cp } from 'node:fs/promises';
import path from 'node:path';

export const UNIT_DIR = 'usr/lib/systemd/system';

export async function systemdVerify(
  root: string,
  units: string[],
): Promise<{ code: number; output: string }> {
  await cp('/usr/lib/systemd/system', path.join(root, UNIT_DIR), {
    recursive: true,
    verbatimSymlinks: true,
    force: false,
  });
  const result = spawnSync(
    'systemd-analyze',
    ['verify', `--root=${root}`, ...units.map((u) => path.join(UNIT_DIR, u))],
    {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_LOG_COLOR: '0' },
    },
  );
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}
