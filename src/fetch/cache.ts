// SPDX-License-Identifier: LGPL-2.1-or-later
// The relay's on-disk cache of immutable files. Each entry is `<key>.data` (the bytes received so
// far, appended in order) and `<key>.json` (validators and total length), with key = sha256 of the
// upstream URL. The sidecar is replaced atomically; the data file is fsynced on completion. After a
// crash the data file's size is the resume offset (ext4's ordered mode never exposes unwritten
// blocks); should a power cut still leave a bad byte, libostree's checksum rejects the object and
// the relay drops the entry when it is asked again.
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface EntryMeta {
  /** Format of the sidecar; entries of another version are discarded. */
  version: 1;
  url: string;
  etag: string | null;
  lastModified: string | null;
  /** Total length of the body, when the server told. */
  totalLength: number | null;
  complete: boolean;
}

export interface CacheEntry {
  meta: EntryMeta;
  /** Bytes present in the data file. */
  length: number;
}

const DATA = '.data';
const SIDECAR = '.json';
const TEMP = '.tmp';

export class CacheStore {
  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<CacheStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const store = new CacheStore(dir);
    // Half-written sidecars of a crashed process.
    for (const name of await readdir(dir)) {
      if (name.endsWith(TEMP)) await rm(path.join(dir, name), { force: true });
    }
    return store;
  }

  keyOf(url: string): string {
    return createHash('sha256').update(url).digest('hex');
  }

  dataPath(key: string): string {
    return path.join(this.dir, key + DATA);
  }

  /** The entry for `url`, or null. Inconsistent or foreign entries are removed. */
  async load(url: string): Promise<CacheEntry | null> {
    const key = this.keyOf(url);
    let meta: EntryMeta;
    let length: number;
    try {
      meta = JSON.parse(await readFile(path.join(this.dir, key + SIDECAR), 'utf8')) as EntryMeta;
      length = (await stat(this.dataPath(key))).size;
    } catch {
      await this.drop(url);
      return null;
    }
    const valid =
      meta.version === 1 &&
      meta.url === url &&
      (meta.totalLength === null || length <= meta.totalLength) &&
      (!meta.complete || meta.totalLength === length);
    if (!valid) {
      await this.drop(url);
      return null;
    }
    return { meta, length };
  }

  /** Replaces the sidecar atomically (temp file, fsync, rename, fsync of the directory). */
  async writeMeta(meta: EntryMeta): Promise<void> {
    const key = this.keyOf(meta.url);
    const target = path.join(this.dir, key + SIDECAR);
    const temp = target + TEMP;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(meta));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
    await this.syncDir();
  }

  async drop(url: string): Promise<void> {
    const key = this.keyOf(url);
    await rm(path.join(this.dir, key + SIDECAR), { force: true });
    await rm(this.dataPath(key), { force: true });
  }

  /** Removes every entry except those whose keys are in `keep` (downloads still running). */
  async clear(keep: ReadonlySet<string> = new Set()): Promise<void> {
    for (const name of await readdir(this.dir)) {
      const key = name.slice(0, name.indexOf('.'));
      const ours = name.endsWith(DATA) || name.endsWith(SIDECAR) || name.endsWith(TEMP);
      if (ours && !keep.has(key)) await rm(path.join(this.dir, name), { force: true });
    }
  }

  private async syncDir(): Promise<void> {
    const handle = await open(this.dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
