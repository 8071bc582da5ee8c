// SPDX-License-Identifier: LGPL-2.1-or-later
// Child process of lock.test.ts: takes the operation lock of argv[2] for purpose argv[3], prints
// "locked", then holds it until killed, or releases it after argv[4] milliseconds and exits.
import { acquireOperationLock } from '../../../src/state';

async function main(): Promise<void> {
  const release = await acquireOperationLock(process.argv[2], { wait: false, purpose: process.argv[3] });
  process.stdout.write('locked\n');
  const holdMs = process.argv[4];
  if (holdMs === undefined) {
    setInterval(() => undefined, 60_000); // the lock socket is unref'd; keep the process alive
    return;
  }
  await new Promise((resolve) => setTimeout(resolve, Number(holdMs)));
  await release();
  process.stdout.write('released\n');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
