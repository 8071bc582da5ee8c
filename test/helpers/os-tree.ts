// SPDX-License-Identifier: LGPL-2.1-or-later
// Builds the file tree of a minimal deployable OS release: what `ostree admin deploy` needs (os-release
// and a kernel) plus payload files, boot hooks and arbitrary extra files.
import { createCipheriv, createHash } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { BOOT_HOOKS_DIR } from '../../src/metadata/keys';

export interface PayloadFile {
  /** Relative to the tree root, e.g. `usr/share/app/blob`. */
  path: string;
  size: number;
  /** Pseudo-random (incompressible) bytes instead of zeros. */
  random?: boolean;
  /** PRNG seed for random content; defaults to `path`. Same seed, same bytes (and the same object). */
  seed?: string;
}

export interface OsTreeOptions {
  version: string;
  /** os-release ID; defaults to `cairnos`. */
  osName?: string;
  /** Defaults to DEFAULT_KERNEL_VERSION. */
  kernelVersion?: string;
  payload?: PayloadFile[];
  /** Hook file name to script text; written 0755 under usr/lib/cairn/boot-hooks.d/. */
  hooks?: Record<string, string>;
  /** Path relative to the tree root to content (written last, so they may replace generated files). */
  files?: Record<string, string | Buffer>;
}

export const DEFAULT_OS_NAME = 'cairnos';
export const DEFAULT_KERNEL_VERSION = '6.1.0-cairn';

/** Deterministic pseudo-random bytes: AES-256-CTR keystream keyed by the seed. */
export function seededBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

function safeRelative(rel: string): string {
  const normal = path.posix.normalize(rel).replace(/^\/+/, '');
  if (normal === '' || normal === '.' || normal.startsWith('../')) {
    throw new Error(`path outside the tree: ${rel}`);
  }
  return normal;
}

async function put(root: string, rel: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const full = path.join(root, safeRelative(rel));
  await mkdir(path.dirname(full), { recursive: true, mode: 0o755 });
  await writeFile(full, content);
  // Explicit modes so the umask never changes object checksums.
  await chmod(full, mode);
}

function osRelease(osName: string, version: string): string {
  return [
    `ID=${osName}`,
    `NAME="Cairn Test OS"`,
    `VERSION_ID="${version}"`,
    `IMAGE_VERSION="${version}"`,
    `PRETTY_NAME="Cairn Test OS ${version}"`,
    '',
  ].join('\n');
}

/** Writes the release tree into dir (created if missing). */
export async function buildOsTree(dir: string, opts: OsTreeOptions): Promise<void> {
  const osName = opts.osName ?? DEFAULT_OS_NAME;
  const kver = opts.kernelVersion ?? DEFAULT_KERNEL_VERSION;
  await mkdir(dir, { recursive: true, mode: 0o755 });
  await put(dir, 'usr/lib/os-release', osRelease(osName, opts.version));
  // Kernel and initramfs depend on the kernel version only, so releases share their objects.
  await put(dir, `usr/lib/modules/${kver}/vmlinuz`, `cairn test kernel ${kver}\n`);
  await put(dir, `usr/lib/modules/${kver}/initramfs.img`, `cairn test initramfs ${kver}\n`);
  await put(dir, 'usr/etc/cairn-test.conf', '# default configuration of the cairn test OS\n');
  for (const file of opts.payload ?? []) {
    const bytes = file.random ? seededBytes(file.seed ?? file.path, file.size) : Buffer.alloc(file.size);
    await put(dir, file.path, bytes);
  }
  for (const [name, script] of Object.entries(opts.hooks ?? {})) {
    if (name.includes('/')) throw new Error(`hook name must be a plain file name: ${name}`);
    await put(dir, `${BOOT_HOOKS_DIR}/${name}`, script, 0o755);
  }
  for (const [rel, content] of Object.entries(opts.files ?? {})) {
    await put(dir, rel, content);
  }
}
