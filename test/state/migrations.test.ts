// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { migrations, OLDEST_FORMAT_VERSION } from '../../src/state/migrations';
import { STATE_FORMAT_VERSION, StateStore } from '../../src/state';
import { makeTempDir } from '../helpers/tmp';
import { stateFixturesDir } from './helpers/fixtures';

test('the migration chain reaches the current version from the oldest one', (t) => {
  let reached = OLDEST_FORMAT_VERSION;
  while (typeof migrations[reached] === 'function') reached++;
  t.is(reached, STATE_FORMAT_VERSION, `no migration from format version ${reached}`);
  const strays = Object.keys(migrations)
    .map(Number)
    .filter((version) => version < OLDEST_FORMAT_VERSION || version >= STATE_FORMAT_VERSION);
  t.deepEqual(strays, []);
});

test('there is a fixture of every released format version', async (t) => {
  const names = await fs.readdir(stateFixturesDir());
  for (let version = OLDEST_FORMAT_VERSION; version <= STATE_FORMAT_VERSION; version++) {
    t.true(names.includes(`v${version}.json`), `test/state/fixtures/v${version}.json is missing`);
  }
});

test('every fixture loads and re-saves as the current version', async (t) => {
  const dir = stateFixturesDir();
  const fixtures = (await fs.readdir(dir)).filter((name) => /^v\d+\.json$/.test(name));
  t.true(fixtures.length > 0);
  for (const name of fixtures) {
    const file = path.join(await makeTempDir(t, 'cairn-migrate-'), 'state.json');
    await fs.copyFile(path.join(dir, name), file);
    const store = new StateStore(file, { version: 'test' });
    const loaded = await store.load();
    const commits = loaded.steps.map((step) => step.commit);
    await store.save();
    const resaved = await new StateStore(file, { version: 'test' }).load();
    t.is(resaved.formatVersion, STATE_FORMAT_VERSION, name);
    t.is(resaved.writtenBy, 'cairn test', name);
    t.deepEqual(
      resaved.steps.map((step) => step.commit),
      commits,
      name,
    );
    t.true(Object.keys(resaved.deployments).length > 0, `${name} has deployments`);
  }
});
