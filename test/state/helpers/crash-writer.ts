// SPDX-License-Identifier: LGPL-2.1-or-later
// Child process of atomic-write.test.ts: saves the state at argv[2] over and over, each time with a
// larger counter and a large plan, until it is killed. Prints "ready" after its first save.
import { recordEvent, StateStore } from '../../../src/state';

async function main(): Promise<void> {
  const store = new StateStore(process.argv[2], { version: 'crash-test' });
  const state = await store.load();
  const first = Number(state.history.at(-1)?.detail ?? 0) + 1;
  for (let counter = first; ; counter++) {
    state.plan = { padding: 'x'.repeat(64 * 1024 + (counter % 4096)) };
    recordEvent(state, 'write', String(counter));
    await store.save();
    if (counter === first) process.stdout.write('ready\n');
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
