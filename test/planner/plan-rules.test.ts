// SPDX-License-Identifier: LGPL-2.1-or-later
// The planning rules of DESIGN.md §3, table-driven over in-memory commit graphs.
import test from 'ava';
import type { CairnErrorCode } from '../../src/errors';
import { CHECKPOINT, CHECKPOINT_TARGET, PREVIOUS_CHECKPOINT, VERSION } from '../../src/metadata/keys';
import { planUpdate } from '../../src/planner';
import type { Plan, PlanRequest } from '../../src/planner/types';
import { fixedEstimator, Graph, GraphSource, type GraphOptions } from './graph';

interface Case {
  name: string;
  graph: string;
  options?: GraphOptions;
  /** Changes to the graph after it is built. */
  edit?: (g: Graph) => void;
  current: string;
  ref?: string;
  target?: { ref?: string; commit?: string };
  /** `id:kind` per step, in order. */
  steps?: string[];
  state: Plan['state'];
  error?: CairnErrorCode;
  finalRef?: string;
  waitingFor?: string;
}

const cases: Case[] = [
  {
    name: 'no checkpoint',
    graph: 'os/a: c0 c1 c2 c3',
    current: 'c0',
    steps: ['c3:final'],
    state: 'update-available',
  },
  {
    name: 'one checkpoint',
    graph: 'os/a: c0 c1 c2! c3',
    current: 'c0',
    steps: ['c2:checkpoint', 'c3:final'],
    state: 'update-available',
  },
  {
    name: 'several checkpoints on one ref, oldest first',
    graph: 'os/a: c0 c1! c2 c3! c4! c5',
    current: 'c0',
    steps: ['c1:checkpoint', 'c3:checkpoint', 'c4:checkpoint', 'c5:final'],
    state: 'update-available',
  },
  {
    name: 'current is a checkpoint',
    graph: 'os/a: c0 c1! c2 c3! c4! c5',
    current: 'c3',
    steps: ['c4:checkpoint', 'c5:final'],
    state: 'update-available',
  },
  {
    name: 'current past a checkpoint',
    graph: 'os/a: c0 c1! c2 c3! c4! c5',
    current: 'c2',
    steps: ['c3:checkpoint', 'c4:checkpoint', 'c5:final'],
    state: 'update-available',
  },
  { name: 'up to date', graph: 'os/a: c0 c1! c2', current: 'c2', steps: [], state: 'up-to-date' },
  {
    name: 'a checkpoint tip is the final step',
    graph: 'os/a: c0 c1! c2!',
    current: 'c0',
    steps: ['c1:checkpoint', 'c2:final'],
    state: 'update-available',
  },
  {
    name: 'rename',
    graph: 'os/a: a0 a1! a2>os/b \n os/b: @a2 b0 b1',
    current: 'a0',
    steps: ['a1:checkpoint', 'a2:rename', 'b1:final'],
    state: 'update-available',
    finalRef: 'os/b',
  },
  {
    name: 'rename with a remote prefix in the value',
    graph: 'os/a: a0 a2>origin:os/b \n os/b: @a2 b0',
    current: 'a0',
    steps: ['a2:rename', 'b0:final'],
    state: 'update-available',
    finalRef: 'os/b',
  },
  {
    name: 'booted the rename checkpoint: continue on the new ref',
    graph: 'os/a: a0 a1! a2>os/b \n os/b: @a2 b0! b1',
    current: 'a2',
    steps: ['b0:checkpoint', 'b1:final'],
    state: 'update-available',
  },
  {
    name: 'rename to a ref that starts at the rename commit',
    graph: 'os/a: a0 a2>os/b \n os/b: @a2',
    current: 'a2',
    steps: [],
    state: 'up-to-date',
    finalRef: 'os/b',
  },
  {
    name: 'chain of two renames with in-stream checkpoints on the new refs',
    graph: 'os/a: a0 a1>os/b \n os/b: @a1 b0 b1! b2>os/c \n os/c: @b2 c0! c1',
    current: 'a0',
    steps: ['a1:rename', 'b1:checkpoint', 'b2:rename', 'c0:checkpoint', 'c1:final'],
    state: 'update-available',
    finalRef: 'os/c',
  },
  {
    name: 'rename to a new, unrelated history',
    graph: 'os/a: a0 a1>os/b \n os/b: n0! n1',
    current: 'a0',
    steps: ['a1:rename', 'n0:checkpoint', 'n1:final'],
    state: 'update-available',
  },
  {
    name: 'a fix on the old ref after a rename wins',
    graph: 'os/a: a0 a1>os/b a2 \n os/b: @a1 b0',
    current: 'a0',
    steps: ['a2:final'],
    state: 'update-available',
    finalRef: 'os/a',
  },
  {
    name: 'redirect: not a step, checkpoints before it stay',
    graph: 'os/a: a0 a1! a2~os/b \n os/b: @a2 b0! b1',
    current: 'a0',
    steps: ['a1:checkpoint', 'b0:checkpoint', 'b1:final'],
    state: 'update-available',
    finalRef: 'os/b',
  },
  {
    name: 'redirect on a checkpoint: booted first',
    graph: 'os/a: a0 a1! a2!~os/b \n os/b: @a2 b0',
    current: 'a0',
    steps: ['a1:checkpoint', 'a2:redirect', 'b0:final'],
    state: 'update-available',
  },
  {
    name: 'chained redirects',
    graph: 'os/a: a0 a1~os/b \n os/b: b0~os/c \n os/c: c0! c1',
    current: 'a0',
    steps: ['c0:checkpoint', 'c1:final'],
    state: 'update-available',
    finalRef: 'os/c',
  },
  {
    name: 'redirect cycle',
    graph: 'os/a: a0 a1~os/b \n os/b: b0~os/a',
    current: 'a0',
    state: 'blocked',
    error: 'redirect-cycle',
  },
  {
    name: 'rename cycle',
    graph: 'os/a: a0 a1>os/b \n os/b: @a1 b0>os/a',
    current: 'a0',
    state: 'blocked',
    error: 'rename-cycle',
  },
  {
    name: 'missing target: steps up to the rename',
    graph: 'os/a: a0 a1! a2>os/b',
    current: 'a0',
    steps: ['a1:checkpoint', 'a2:rename'],
    state: 'update-available',
    waitingFor: 'os/b',
  },
  {
    name: 'missing target at the rename commit: waiting',
    graph: 'os/a: a0 a1! a2>os/b',
    current: 'a2',
    steps: [],
    state: 'waiting-for-target',
    error: 'waiting-for-target',
    waitingFor: 'os/b',
  },
  {
    name: 'checkpoint given as a string',
    graph: 'os/a: a0 a1 a2',
    edit: (g) => g.setMeta('a1', { [CHECKPOINT]: 'true' }),
    current: 'a0',
    state: 'blocked',
    error: 'bad-metadata',
  },
  {
    name: 'rename target given as a boolean',
    graph: 'os/a: a0 a1',
    edit: (g) => g.setMeta('a1', { [CHECKPOINT_TARGET]: true }),
    current: 'a0',
    state: 'blocked',
    error: 'bad-metadata',
  },
  {
    name: 'previous checkpoint that is no checksum',
    graph: 'os/a: a0 a1! a2',
    edit: (g) => g.setMeta('a2', { [PREVIOUS_CHECKPOINT]: 'a1' }),
    current: 'a0',
    state: 'blocked',
    error: 'bad-metadata',
  },
  {
    name: 'version given as a number',
    graph: 'os/a: a0 a1',
    edit: (g) => g.setMeta('a1', { [VERSION]: 2 }),
    current: 'a0',
    state: 'blocked',
    error: 'bad-metadata',
  },
  {
    name: 'malformed tracked ref',
    graph: 'os/a: a0 a1',
    current: 'a0',
    ref: 'os//a',
    state: 'blocked',
    error: 'bad-ref',
  },
  {
    name: 'malformed rename target',
    graph: 'os/a: a0 a1',
    edit: (g) => g.setMeta('a1', { [CHECKPOINT_TARGET]: 'os/b c' }),
    current: 'a0',
    state: 'blocked',
    error: 'bad-ref',
  },
  {
    name: 'tracked ref missing',
    graph: 'os/a: a0 a1',
    current: 'a0',
    ref: 'os/x',
    state: 'blocked',
    error: 'not-found',
  },
  {
    name: 'unrelated histories: checkpoints newer than the current commit by time',
    graph: 'os/a: x0 x1! \n old: o0 o1 \n os/a: @x1 x2! x3',
    current: 'o1',
    steps: ['x2:checkpoint', 'x3:final'],
    state: 'update-available',
  },
  {
    name: 'unrelated histories: an older tip is a downgrade',
    graph: 'os/a: x0 x1! \n old: o0 o1',
    current: 'o1',
    state: 'blocked',
    error: 'downgrade',
  },
  {
    name: 'downgrade: the tip moved back',
    graph: 'os/a: a0 a1 a2 \n os/a: @a1',
    current: 'a2',
    state: 'blocked',
    error: 'downgrade',
  },
  {
    name: 'going back in time is allowed when crossing refs',
    graph: 'os/old: a0 a1! \n os/a: a2 a3',
    current: 'a3',
    ref: 'os/a',
    target: { ref: 'os/old' },
    steps: ['a1:final'],
    state: 'update-available',
  },
  {
    name: 'target commit: planned to exactly, its rename not followed',
    graph: 'os/a: a0 a1! a2>os/b a3 \n os/b: @a2 b0',
    current: 'a0',
    target: { commit: 'a2' },
    steps: ['a1:checkpoint', 'a2:final'],
    state: 'update-available',
  },
  {
    name: 'mixed history: a checkpoint older than the pointers is found',
    graph: 'os/a: c0 c1! c2 c3! c4 c5! c6',
    // Pointers only from c4 on; c3 predates them and says nothing about c1.
    edit: (g) => ['c1', 'c2', 'c3'].forEach((id) => g.setMeta(id, { [PREVIOUS_CHECKPOINT]: undefined })),
    current: 'c0',
    steps: ['c1:checkpoint', 'c3:checkpoint', 'c5:checkpoint', 'c6:final'],
    state: 'update-available',
  },
  {
    name: 'mixed history: a hop never jumps over a current commit that has no pointer',
    graph: 'os/a: c0 c1! c2 c3 c4! c5',
    edit: (g) => ['c2', 'c3'].forEach((id) => g.setMeta(id, { [PREVIOUS_CHECKPOINT]: undefined })),
    current: 'c2',
    steps: ['c4:checkpoint', 'c5:final'],
    state: 'update-available',
  },
];

for (const c of cases) {
  for (const pointers of [true, false]) {
    test(`${c.name} (${pointers ? 'pointers' : 'parent walk'})`, async (t) => {
      const g = new Graph(c.graph, { ...c.options, pointers });
      c.edit?.(g);
      const source = new GraphSource(g);
      const request: PlanRequest = { currentCommit: g.c(c.current), ref: c.ref ?? 'os/a', remote: 'origin' };
      if (c.target) request.target = { ...c.target, commit: c.target.commit && g.c(c.target.commit) };
      const plan = await planUpdate(source, fixedEstimator(), request);
      t.is(plan.error?.code, c.error, plan.error?.message);
      t.is(plan.state, c.state);
      if (c.steps)
        t.deepEqual(
          plan.steps.map((s) => `${g.id(s.commit)}:${s.kind}`),
          c.steps,
        );
      if (c.finalRef) t.is(plan.finalRef, c.finalRef);
      t.is(plan.waitingFor?.ref, c.waitingFor);
      t.is(plan.current.commit, g.c(c.current));
      // Each commit is asked for at most once per run.
      t.is(new Set(source.loads).size, source.loads.length);
    });
  }
}

test('steps carry ref, version, reason and checkpoint flags', async (t) => {
  const g = new Graph('os/a: a0 a1! a2>os/b \n os/b: @a2 b0');
  g.setMeta('a1', { 'cairn.checkpoint-reason': 'migrate /var' });
  const plan = await planUpdate(new GraphSource(g), fixedEstimator(), {
    currentCommit: g.c('a0'),
    ref: 'os/a',
    remote: 'origin',
  });
  t.deepEqual(
    plan.steps.map((s) => [s.ref, s.version, s.checkpoint, s.reason]),
    [
      ['os/a', 'a1', true, 'migrate /var'],
      ['os/a', 'a2', true, "'os/a' continues as 'os/b'"],
      ['os/b', 'b0', false, "newest commit on 'os/b'"],
    ],
  );
  t.deepEqual(plan.current, { commit: g.c('a0'), ref: 'os/a', remote: 'origin', version: 'a0' });
  t.deepEqual(
    plan.refChanges.map((r) => [r.kind, r.fromRef, r.toRef, g.id(r.commit)]),
    [['rename', 'os/a', 'os/b', 'a2']],
  );
});

test('sizes: each step is estimated from the previous one; unknown makes the total unknown', async (t) => {
  const g = new Graph('os/a: a0 a1! a2');
  const estimator = fixedEstimator(250);
  const request = { currentCommit: g.c('a0'), ref: 'os/a', remote: 'origin' };
  const plan = await planUpdate(new GraphSource(g), estimator, request);
  t.deepEqual(estimator.calls, [
    [g.c('a0'), g.c('a1'), []],
    [g.c('a1'), g.c('a2'), [g.c('a1')]],
  ]);
  t.is(plan.estimatedTotalDownloadBytes, 500);
  t.deepEqual(
    plan.steps.map((s) => s.estimatedDownloadBytes),
    [250, 250],
  );
  const unknown = await planUpdate(new GraphSource(g), fixedEstimator(null), request);
  t.is(unknown.estimatedTotalDownloadBytes, null);
});

test('an unverified commit blocks the plan', async (t) => {
  const g = new Graph('os/a: a0 a1! a2');
  const source = new GraphSource(g);
  source.unverified.add(g.c('a2'));
  const plan = await planUpdate(source, fixedEstimator(), {
    currentCommit: g.c('a0'),
    ref: 'os/a',
    remote: 'o',
  });
  t.is(plan.state, 'blocked');
  t.is(plan.error?.code, 'unverified');
  t.deepEqual(plan.steps, []);
});

test('a malformed current checksum is a usage error', async (t) => {
  const g = new Graph('os/a: a0');
  await t.throwsAsync(
    planUpdate(new GraphSource(g), fixedEstimator(), { currentCommit: 'abc', ref: 'os/a', remote: 'o' }),
    {
      message: /not a full commit checksum/,
    },
  );
});
