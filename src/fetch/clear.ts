// SPDX-License-Identifier: LGPL-2.1-or-later
// Emptying the relay's cache without a running relay (the engine after a successful pull, or a
// `cancel`), so finished steps do not keep their download on disk.
import { access } from 'node:fs/promises';
import { CacheStore } from './cache';

export async function clearRelayCache(cacheDir: string): Promise<void> {
  try {
    await access(cacheDir);
  } catch {
    return;
  }
  await (await CacheStore.open(cacheDir)).clear();
}
