// SPDX-License-Identifier: LGPL-2.1-or-later
// Property: over random linear and renamed/redirected histories with random checkpoints, pointer
// styles and current commits, the plan never skips or repeats a checkpoint, is in order, and ends at
// the tip that is reachable.
import test from 'ava';
import fc from 'fast-check';
import { planUpdate } from '../../src/planner';
import { fixedEstimator, Graph, GraphSource } from './graph';

interface Segment {
  checkpoints: boolean[];
  /** How this segment's ref is reached from the previous one's tip. */
  via: 'rename' | 'redirect';
  /** Continues the previous tip's history, or starts a new one. */
  fresh: boolean;
}

const segmentArb = fc.record({
  checkpoints: fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
  via: fc.constantFrom<'rename' | 'redirect'>('rename', 'redirect'),
  fresh: fc.boolean(),
});

const scenarioArb = fc.record({
  segments: fc.array(segmentArb, { minLength: 1, maxLength: 3 }),
  pointers: fc.constantFrom('none', 'pointers', 'explicit-none', 'pointers+index'),
  currentSeed: fc.nat(),
});

const id = (segment: number, position: number) => `s${segment}c${position}`;

function buildGraph(segments: Segment[], pointers: string): Graph {
  const lines = segments.map((segment, s) => {
    const next = segments[s + 1];
    const tokens = segment.checkpoints.map((checkpoint, p) => {
      let token = id(s, p) + (checkpoint ? '!' : '');
      if (next && p === segment.checkpoints.length - 1)
        token += `${next.via === 'rename' ? '>' : '~'}os/r${s + 1}`;
      return token;
    });
    const start = s > 0 && !segment.fresh ? `@${id(s - 1, segments[s - 1].checkpoints.length - 1)} ` : '';
    return `os/r${s}: ${start}${tokens.join(' ')}`;
  });
  return new Graph(lines.join('\n'), {
    pointers: pointers !== 'none',
    explicitNone: pointers === 'explicit-none',
  });
}

/** Every commit that must be booted, in order, and the final tip, computed from the model. */
function oracle(segments: Segment[], current: number): { mustBoot: string[]; finalTip: string } {
  const mustBoot: string[] = [];
  segments.forEach((segment, s) => {
    const last = segment.checkpoints.length - 1;
    segment.checkpoints.forEach((checkpoint, p) => {
      if (s === 0 && p <= current) return;
      const isTip = p === last;
      const next = segments[s + 1];
      if (!isTip ? checkpoint : !next || next.via === 'rename' || checkpoint) mustBoot.push(id(s, p));
    });
  });
  const s = segments.length - 1;
  return { mustBoot, finalTip: id(s, segments[s].checkpoints.length - 1) };
}

test('plans never skip or repeat a checkpoint, are in order and end at the reachable tip', async (t) => {
  await fc.assert(
    fc.asyncProperty(scenarioArb, async ({ segments, pointers, currentSeed }) => {
      const g = buildGraph(segments, pointers);
      const source = new GraphSource(g);
      if (pointers === 'pointers+index') {
        source.index = Object.fromEntries(
          segments.map((segment, s) => [
            `os/r${s}`,
            segment.checkpoints.flatMap((checkpoint, p) => (checkpoint ? [g.c(id(s, p))] : [])),
          ]),
        );
      }
      const current = currentSeed % segments[0].checkpoints.length;
      const plan = await planUpdate(source, fixedEstimator(), {
        currentCommit: g.c(id(0, current)),
        ref: 'os/r0',
        remote: 'origin',
      });
      const stepIds = plan.steps.map((step) => g.id(step.commit));
      const expected = oracle(segments, current);
      t.is(plan.error, null);
      // Never repeats.
      t.is(new Set(stepIds).size, stepIds.length);
      // Never skips, and keeps the order: the steps are exactly the commits to boot.
      t.deepEqual(stepIds, expected.mustBoot);
      // In time order: each step is newer than the one before.
      const times = plan.steps.map((step) => g.commit(g.id(step.commit)).timestamp);
      t.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      // Ends at the reachable tip (or is already there).
      t.is(stepIds.at(-1) ?? id(0, current), expected.finalTip);
      t.is(plan.finalRef, `os/r${segments.length - 1}`);
    }),
    { numRuns: 300 },
  );
});
