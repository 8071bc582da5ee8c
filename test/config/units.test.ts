// SPDX-License-Identifier: LGPL-2.1-or-later
import test from 'ava';
import fc from 'fast-check';
import { parseDuration } from '../../src/config';
import { parseBoolean, parseBytes, ValueError } from '../../src/config/units';

const durations: [string, number][] = [
  ['90', 90_000],
  ['0', 0],
  ['2.5', 2_500],
  ['250ms', 250],
  ['30s', 30_000],
  ['30 sec', 30_000],
  ['5min', 300_000],
  ['5m', 300_000],
  ['1.5h', 5_400_000],
  ['1h 30min', 5_400_000],
  ['2d12h', 216_000_000],
  ['1w', 604_800_000],
  ['2 weeks', 1_209_600_000],
];

for (const [text, ms] of durations) {
  test(`duration ${JSON.stringify(text)} is ${ms} ms`, (t) => {
    t.is(parseDuration(text), ms);
  });
}

for (const text of ['', 'soon', '5 parsecs', '-1s', '1h foo', 's', '1.h', '10 10']) {
  test(`duration ${JSON.stringify(text)} is refused`, (t) => {
    t.throws(() => parseDuration(text), { instanceOf: ValueError, message: /expected a duration/ });
  });
}

test('a sum of unit components parses to the sum of their values', (t) => {
  const units: [string, number][] = [
    ['ms', 1],
    ['s', 1000],
    ['min', 60_000],
    ['h', 3_600_000],
    ['d', 86_400_000],
    ['w', 604_800_000],
  ];
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: 1000 }), fc.constantFrom(...units), fc.constantFrom('', ' ')), {
        minLength: 1,
        maxLength: 5,
      }),
      (parts) => {
        const text = parts.map(([n, [unit], gap]) => `${n}${gap}${unit}`).join(' ');
        const expected = parts.reduce((sum, [n, [, factor]]) => sum + n * factor, 0);
        return parseDuration(text) === expected;
      },
    ),
  );
  t.pass();
});

test('sizes take binary suffixes', (t) => {
  t.is(parseBytes('1048576'), 1_048_576);
  t.is(parseBytes('500M'), 500 * 1024 ** 2);
  t.is(parseBytes('2g'), 2 * 1024 ** 3);
  t.throws(() => parseBytes('5 MB'), { instanceOf: ValueError });
  t.throws(() => parseBytes('-1'), { instanceOf: ValueError });
});

test('booleans accept the usual spellings and nothing else', (t) => {
  for (const yes of ['true', 'yes', 'on', '1', 'TRUE']) t.true(parseBoolean(yes), yes);
  for (const no of ['false', 'no', 'off', '0']) t.false(parseBoolean(no), no);
  t.throws(() => parseBoolean('maybe'), { instanceOf: ValueError });
});
