// SPDX-License-Identifier: LGPL-2.1-or-later
// Finds the boot hooks of a deployment (DESIGN.md §4) and refuses any that a writable place could
// have planted or changed. What runs:
// - entries of `<deployment>/usr/lib/cairn/boot-hooks.d/`, in byte order of their names;
// - regular files (or symlinks to regular files) with an execute bit.
// What is skipped and reported in `ignored` (the caller logs it): names starting with `.`,
// non-executable files such as a README, directories and other non-regular entries.
// What is refused with `unsafe-hook` (nothing runs then): a hook or the hooks directory that is
// writable by group or others or not owned by root, a hook or hooks directory whose real path
// (after symlinks) is outside the deployment's `usr/`, a dangling symlink.
import { promises as fs, type Stats } from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors';
import { BOOT_HOOKS_DIR } from '../metadata/keys';

export interface BootHook {
  /** The entry's name in the hooks directory: the hook's identity within its deployment. */
  name: string;
  /** Resolved path of the executable (symlinks followed). */
  path: string;
}

export interface IgnoredEntry {
  name: string;
  reason: string;
}

export interface BootHookListing {
  hooks: BootHook[];
  ignored: IgnoredEntry[];
}

function unsafe(what: string, reason: string): CairnError {
  return new CairnError('unsafe-hook', `refusing to run boot hooks: ${what} ${reason}`);
}

function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

function checkOwnerAndMode(what: string, stats: Stats): void {
  if (stats.uid !== 0) throw unsafe(what, `is owned by uid ${stats.uid}, not root`);
  if ((stats.mode & 0o022) !== 0) {
    throw unsafe(what, `is writable by group or others (mode ${(stats.mode & 0o7777).toString(8)})`);
  }
}

async function realPathInside(usr: string, entry: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(entry);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw unsafe(entry, 'is a dangling symlink');
    throw err;
  }
  if (!isInside(usr, real)) throw unsafe(entry, `resolves to ${real}, outside the deployment's ${usr}`);
  return real;
}

async function exists(entry: string): Promise<boolean> {
  try {
    await fs.lstat(entry);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Lists the hooks of the deployment at `deploymentRoot`; no hooks directory means no hooks. */
export async function listBootHooks(deploymentRoot: string): Promise<BootHookListing> {
  const listing: BootHookListing = { hooks: [], ignored: [] };
  const hooksDir = path.join(deploymentRoot, BOOT_HOOKS_DIR);
  if (!(await exists(hooksDir))) return listing;

  const usrEntry = path.join(deploymentRoot, 'usr');
  if ((await fs.lstat(usrEntry)).isSymbolicLink()) throw unsafe(usrEntry, 'is a symlink');
  const usr = await fs.realpath(usrEntry);
  const dir = await realPathInside(usr, hooksDir);
  const dirStats = await fs.stat(dir);
  if (!dirStats.isDirectory()) throw unsafe(hooksDir, 'is not a directory');
  checkOwnerAndMode(hooksDir, dirStats);

  const names = (await fs.readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const name of names) {
    if (name.startsWith('.')) {
      listing.ignored.push({ name, reason: 'hidden file' });
      continue;
    }
    const entry = path.join(dir, name);
    const real = await realPathInside(usr, entry);
    const stats = await fs.stat(real);
    if (!stats.isFile()) {
      listing.ignored.push({ name, reason: 'not a regular file' });
    } else if ((stats.mode & 0o111) === 0) {
      listing.ignored.push({ name, reason: 'not executable' });
    } else {
      checkOwnerAndMode(entry, stats);
      listing.hooks.push({ name, path: real });
    }
  }
  return listing;
}
