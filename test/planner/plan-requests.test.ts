// SPDX-License-Identifier: LGPL-2.1-or-later
// How much the planner asks of its source: one load per checkpoint when pointers (and the summary
// index) allow it, and never more trust in the index than the signed pointers confirm.
import test from 'ava';
import { PREVIOUS_CHECKPOINT } from '../../src/metadata/keys';
import { planUpdate } from '../../src/planner';
import { fixedEstimator, Graph, GraphSource, type GraphOptions } from './graph';

/** A linear ref of `length` commits `c0..`, checkpoints at the given positions. */
function longStream(length: number, checkpoints: number[], options?: GraphOptions): Graph {
  const ids = Array.from({ length }, (_, i) => `c${i}${checkpoints.includes(i) ? '!' : ''}`);
  return new Graph(`os/a: ${ids.join(' ')}`, options);
}

async function plan(g: Graph, source: GraphSource, current: string) {
  return planUpdate(source, fixedEstimator(), { currentCommit: g.c(current), ref: 'os/a', remote: 'origin' });
}

const CHECKPOINTS = [250, 500, 750];
const EXPECTED = ['c250', 'c500', 'c750', 'c999'];

test('with pointers and the summary index: one load per checkpoint', async (t) => {
  const g = longStream(1000, CHECKPOINTS);
  const source = new GraphSource(g);
  source.index = { 'os/a': CHECKPOINTS.map((i) => g.c(`c${i}`)) };
  const result = await plan(g, source, 'c0');
  t.deepEqual(
    result.steps.map((s) => g.id(s.commit)),
    EXPECTED,
  );
  // current + tip + the checkpoints
  t.true(source.loads.length <= CHECKPOINTS.length + 2, `${source.loads.length} loads`);
  // One batch: current, tip and the indexed checkpoints.
  t.deepEqual(source.prefetched, [[g.c('c0'), g.c('c999'), ...source.index['os/a']]]);
});

test('with pointers that say "none older": one load per checkpoint without an index', async (t) => {
  const g = longStream(1000, CHECKPOINTS, { explicitNone: true });
  const source = new GraphSource(g);
  const result = await plan(g, source, 'c0');
  t.deepEqual(
    result.steps.map((s) => g.id(s.commit)),
    EXPECTED,
  );
  t.true(source.loads.length <= CHECKPOINTS.length + 2, `${source.loads.length} loads`);
});

test('with pointers from a current commit past a checkpoint: the scan stops at its previous checkpoint', async (t) => {
  const g = longStream(1000, CHECKPOINTS);
  const source = new GraphSource(g);
  const result = await plan(g, source, 'c300');
  t.deepEqual(
    result.steps.map((s) => g.id(s.commit)),
    EXPECTED.slice(1),
  );
  t.true(source.loads.length <= CHECKPOINTS.length + 2, `${source.loads.length} loads`);
});

test('without pointers the planner walks every parent, and finds the same plan', async (t) => {
  const g = longStream(1000, CHECKPOINTS, { pointers: false });
  const source = new GraphSource(g);
  const result = await plan(g, source, 'c0');
  t.deepEqual(
    result.steps.map((s) => g.id(s.commit)),
    EXPECTED,
  );
  t.is(source.loads.length, 1000);
});

test('pointers without "none older" and no index: the walk below the oldest checkpoint is kept', async (t) => {
  // Absence of a pointer is ambiguous (history before pointers); safety over speed.
  const g = longStream(400, [100, 200]);
  const source = new GraphSource(g);
  const result = await plan(g, source, 'c0');
  t.deepEqual(
    result.steps.map((s) => g.id(s.commit)),
    ['c100', 'c200', 'c399'],
  );
  t.is(source.loads.length, 2 + 2 + 99);
});

const staleIndexes: [string, (g: Graph) => string[]][] = [
  ['misses the newest checkpoint', (g) => [g.c('c100'), g.c('c200')]],
  ['misses the oldest checkpoint', (g) => [g.c('c200'), g.c('c300')]],
  ['lists a commit that is no checkpoint', (g) => [g.c('c50'), g.c('c100'), g.c('c200'), g.c('c300')]],
  ['is out of order', (g) => [g.c('c200'), g.c('c100'), g.c('c300')]],
  ['names an unknown commit', (g) => ['0'.repeat(64), g.c('c100'), g.c('c200'), g.c('c300')]],
  ['is not made of checksums', () => ['c100']],
];

for (const [what, index] of staleIndexes) {
  test(`a summary index that ${what} is not trusted`, async (t) => {
    const g = longStream(400, [100, 200, 300]);
    const source = new GraphSource(g);
    source.index = { 'os/a': index(g) };
    const result = await plan(g, source, 'c0');
    t.deepEqual(
      result.steps.map((s) => g.id(s.commit)),
      ['c100', 'c200', 'c300', 'c399'],
    );
  });
}

test('an index is not trusted past a checkpoint that has no pointer', async (t) => {
  // c200 predates the pointers, so the signed chain cannot confirm c100 below it: walk instead.
  const g = longStream(400, [100, 200, 300]);
  g.setMeta('c200', { [PREVIOUS_CHECKPOINT]: undefined });
  const source = new GraphSource(g);
  source.index = { 'os/a': [g.c('c100'), g.c('c200'), g.c('c300')] };
  const result = await plan(g, source, 'c0');
  t.deepEqual(
    result.steps.map((s) => g.id(s.commit)),
    ['c100', 'c200', 'c300', 'c399'],
  );
});

test('pointers and an index that name a former rename commit (as the publisher writes them) are followed', async (t) => {
  // c2 renamed os/a, then a fix (c3) landed on os/a: c2 has no effect any more and is no step, but
  // the publisher counts it in its pointer chain and index.
  const g = new Graph('os/a: c0 c1! c2>os/b c3 c4! c5 \n os/b: @c2 b0');
  g.setMeta('c3', { [PREVIOUS_CHECKPOINT]: g.c('c2') });
  g.setMeta('c4', { [PREVIOUS_CHECKPOINT]: g.c('c2') });
  const source = new GraphSource(g);
  source.index = { 'os/a': [g.c('c1'), g.c('c2'), g.c('c4')] };
  const result = await plan(g, source, 'c0');
  t.deepEqual(
    result.steps.map((s) => `${g.id(s.commit)}:${s.kind}`),
    ['c1:checkpoint', 'c4:checkpoint', 'c5:final'],
  );
  t.deepEqual(source.loads.map((c) => g.id(c)).sort(), ['c0', 'c1', 'c2', 'c4', 'c5']);
});
