// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StateStore } from '../../src/state';
import { makeTempDir } from '../helpers/tmp';

const WRITER = path.join(__dirname, 'helpers', 'crash-writer.js');

/** Starts the writer and resolves once it has saved at least once. */
async function startWriter(file: string) {
  const child = spawn(process.execPath, [WRITER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  return child;
}

test('SIGKILL at random points always leaves a complete state file', async (t) => {
  const file = path.join(await makeTempDir(t, 'cairn-crash-'), 'lib', 'cairn', 'state.json');
  let last = 0;
  for (let round = 0; round < 12; round++) {
    const child = await startWriter(file);
    await sleep(Math.floor(Math.random() * 40));
    child.kill('SIGKILL');
    await once(child, 'exit');
    const state = await new StateStore(file, { version: 'check' }).load(); // throws if torn
    const counter = Number(state.history.at(-1)?.detail);
    t.true(counter >= last, `round ${round}: counter went back from ${last} to ${counter}`);
    t.is(state.writtenBy, 'cairn crash-test');
    last = counter;
  }
  t.true(last > 12, `only ${last} writes happened`);
  // Each killed writer may leave one temp file; the next writer's first save removes them.
  const leftovers = (await fs.readdir(path.dirname(file))).filter((name) => name.includes('.tmp-'));
  t.true(leftovers.length <= 1, `leftover temp files: ${leftovers.join(', ')}`);
});
