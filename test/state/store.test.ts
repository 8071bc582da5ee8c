// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isCairnError } from '../../src/errors';
import { HISTORY_LIMIT, recordEvent, STATE_FORMAT_VERSION, StateStore } from '../../src/state';
import { makeTempDir } from '../helpers/tmp';
import { stateFixturesDir } from './helpers/fixtures';

const COMMIT = 'a'.repeat(64);

async function statePath(t: Parameters<typeof makeTempDir>[0]): Promise<string> {
  return path.join(await makeTempDir(t, 'cairn-state-'), 'var', 'lib', 'cairn', 'state.json');
}

async function writeJson(file: string, value: unknown): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  await fs.writeFile(file, text);
  return text;
}

async function fixture(): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(path.join(stateFixturesDir(), 'v1.json'), 'utf8'));
}

test('a missing file gives a fresh state that is not written until the first save', async (t) => {
  const file = await statePath(t);
  const store = new StateStore(file, { version: '9.9.9' });
  const state = await store.load();
  t.is(state.formatVersion, STATE_FORMAT_VERSION);
  t.deepEqual(state.steps, []);
  t.is(state.tracking, null);
  await t.throwsAsync(fs.access(file));
  state.tracking = { remote: 'origin', ref: 'os/stable' };
  await store.save();
  const saved = JSON.parse(await fs.readFile(file, 'utf8'));
  t.deepEqual(saved.tracking, { remote: 'origin', ref: 'os/stable' });
  t.is(saved.writtenBy, 'cairn 9.9.9');
  t.is((await fs.stat(file)).mode & 0o777, 0o644);
});

test('save then load round-trips every field', async (t) => {
  const file = await statePath(t);
  const original = await fixture();
  await writeJson(file, original);
  const store = new StateStore(file, { version: '1.0.0', now: () => new Date('2030-01-01T00:00:00Z') });
  await store.load();
  await store.save();
  const again = await new StateStore(file, { version: '1.0.0' }).load();
  t.deepEqual({ ...again }, { ...original, writtenBy: 'cairn 1.0.0', updatedAt: '2030-01-01T00:00:00.000Z' });
});

test('fields unknown to this version survive a rewrite, at the top and nested', async (t) => {
  const file = await statePath(t);
  const original = await fixture();
  original.futureOption = { keep: [1, 2, 3] };
  original.networkPolicy = { bytesThisPeriod: 42 };
  const deployments = original.deployments as Record<string, { hooks: Record<string, unknown>[] }>;
  Object.values(deployments)[0].hooks[0].healthCheck = 'green';
  (original.steps as Record<string, unknown>[])[0].deltaUsed = true;
  await writeJson(file, original);
  const store = new StateStore(file, { version: '1.0.0' });
  await store.update((state) => recordEvent(state, 'checked'));
  const saved = JSON.parse(await fs.readFile(file, 'utf8'));
  t.deepEqual(saved.futureOption, { keep: [1, 2, 3] });
  t.deepEqual(saved.networkPolicy, { bytesThisPeriod: 42 });
  t.is(Object.values(saved.deployments as typeof deployments)[0].hooks[0].healthCheck, 'green');
  t.is(saved.steps[0].deltaUsed, true);
  t.is(saved.history.at(-1).event, 'checked');
});

test('a file from a newer cairn is refused, named, and left byte-for-byte untouched', async (t) => {
  const file = await statePath(t);
  const text = await writeJson(file, { ...(await fixture()), formatVersion: 3, somethingNew: true });
  const store = new StateStore(file, { version: '1.0.0' });
  const err = await t.throwsAsync(store.load());
  t.true(isCairnError(err, 'state-too-new'));
  t.regex(err.message, /format version 3/);
  t.regex(err.message, new RegExp(`understands up to ${STATE_FORMAT_VERSION}`));
  t.true(err.message.includes(file));
  const saveErr = await t.throwsAsync(store.save());
  t.true(isCairnError(saveErr, 'state-too-new'));
  const updateErr = await t.throwsAsync(store.update(() => undefined));
  t.true(isCairnError(updateErr, 'state-too-new'));
  t.true(isCairnError(await t.throwsAsync(store.reset()), 'state-too-new'));
  t.is(await fs.readFile(file, 'utf8'), text);
  t.deepEqual(await fs.readdir(path.dirname(file)), ['state.json']);
});

test('reset with discardNewer sets a newer file aside and starts fresh', async (t) => {
  const file = await statePath(t);
  const text = await writeJson(file, { formatVersion: 2 });
  const store = new StateStore(file, { version: '1.0.0' });
  await t.throwsAsync(store.load());
  const aside = await store.reset({ discardNewer: true });
  t.truthy(aside);
  t.regex(path.basename(aside!), /^state\.json\.too-new-/);
  t.is(await fs.readFile(aside!, 'utf8'), text);
  await store.save();
  t.is(JSON.parse(await fs.readFile(file, 'utf8')).formatVersion, STATE_FORMAT_VERSION);
});

const damaged: [string, (v1: Record<string, unknown>) => unknown, RegExp][] = [
  ['garbage', () => 'not json at all {', /not valid JSON/],
  ['an empty file', () => '', /not valid JSON/],
  ['a top-level array', () => '[1,2]', /not a JSON object/],
  ['no formatVersion', (v) => ({ ...v, formatVersion: undefined }), /formatVersion/],
  ['formatVersion 0', (v) => ({ ...v, formatVersion: 0 }), /formatVersion is 0/],
  ['a string formatVersion', (v) => ({ ...v, formatVersion: '1' }), /formatVersion/],
  ['a missing field', (v) => ({ ...v, steps: undefined }), /\$\.steps: missing/],
  [
    'a wrong step status',
    (v) => ({ ...v, steps: [{ ...(v.steps as object[])[0], status: 'lost' }] }),
    /\$\.steps\[0\]\.status/,
  ],
  ['a bad timestamp', (v) => ({ ...v, updatedAt: 'yesterday' }), /\$\.updatedAt: expected an ISO 8601/],
  [
    'a short commit',
    (v) => ({ ...v, steps: [{ ...(v.steps as object[])[0], commit: 'abc' }] }),
    /commit checksum/,
  ],
  ['a bad deployment key', (v) => ({ ...v, deployments: { nope: {} } }), /key is not/],
  [
    'a wrong-typed hook record',
    (v) => {
      const copy = structuredClone(v) as { deployments: Record<string, { hooks: { attempts: unknown }[] }> };
      Object.values(copy.deployments)[0].hooks[1].attempts = -1;
      return copy;
    },
    /hooks\[1\]\.attempts: expected a non-negative integer/,
  ],
  [
    'tracking of the wrong type',
    (v) => ({ ...v, tracking: 'os/stable' }),
    /\$\.tracking: expected an object/,
  ],
];

for (const [what, damage, problem] of damaged) {
  test(`${what} is state-corrupt, never overwritten, and reset sets it aside`, async (t) => {
    const file = await statePath(t);
    const damagedValue = damage(await fixture());
    const text = await writeJson(
      file,
      typeof damagedValue === 'string' ? damagedValue : JSON.stringify(damagedValue),
    );
    const store = new StateStore(file, { version: '1.0.0' });
    const err = await t.throwsAsync(store.load());
    t.true(isCairnError(err, 'state-corrupt'));
    t.true(err.message.includes(file));
    t.regex(err.message, problem);
    t.true(isCairnError(await t.throwsAsync(store.save()), 'state-corrupt'));
    t.true(isCairnError(await t.throwsAsync(store.update(() => undefined)), 'state-corrupt'));
    t.is(await fs.readFile(file, 'utf8'), text);

    const aside = await store.reset();
    t.regex(path.basename(aside!), /^state\.json\.corrupt-\d{8}T\d{6}\.\d{3}Z$/);
    t.is(await fs.readFile(aside!, 'utf8'), text);
    await store.save();
    const fresh = await new StateStore(file, { version: '1.0.0' }).load();
    t.deepEqual(fresh.steps, []);
  });
}

test('history keeps only the newest entries', async (t) => {
  const file = await statePath(t);
  const store = new StateStore(file, { version: '1.0.0' });
  await store.update((state) => {
    for (let i = 0; i < HISTORY_LIMIT + 25; i++) recordEvent(state, `event-${i}`);
  });
  const saved = await new StateStore(file, { version: '1.0.0' }).load();
  t.is(saved.history.length, HISTORY_LIMIT);
  t.is(saved.history[0].event, 'event-25');
  t.is(saved.history.at(-1)!.event, `event-${HISTORY_LIMIT + 24}`);
});

test('concurrent saves land in call order and each snapshot is taken at call time', async (t) => {
  const file = await statePath(t);
  const store = new StateStore(file, { version: '1.0.0' });
  const state = await store.load();
  const saves: Promise<void>[] = [];
  for (let i = 0; i < 20; i++) {
    state.steps = [{ commit: COMMIT, ref: 'os/stable', kind: 'final', status: 'planned', attempts: i }];
    saves.push(store.save());
  }
  await Promise.all(saves);
  const saved = await new StateStore(file, { version: '1.0.0' }).load();
  t.is(saved.steps[0].attempts, 19);
});

test('temp files of dead writers are removed on the first save; live ones are kept', async (t) => {
  const file = await statePath(t);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const dead = path.join(path.dirname(file), '.state.json.tmp-2147483646-abcdef');
  const live = path.join(path.dirname(file), `.state.json.tmp-${process.ppid}-abcdef`);
  await fs.writeFile(dead, 'half');
  await fs.writeFile(live, 'half');
  const store = new StateStore(file, { version: '1.0.0' });
  await store.load();
  await store.save();
  t.deepEqual((await fs.readdir(path.dirname(file))).sort(), [path.basename(live), 'state.json']);
});
