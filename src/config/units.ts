// SPDX-License-Identifier: LGPL-2.1-or-later
// Value syntaxes of the configuration file. Each parser returns the value or throws ValueError
// with what was expected; the loader adds the file, line and key.

export class ValueError extends Error {}

const DURATION_UNITS: Record<string, number> = {
  ms: 1,
  msec: 1,
  s: 1000,
  sec: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
  w: 604_800_000,
  week: 604_800_000,
  weeks: 604_800_000,
};

const DURATION_HELP = 'a duration such as 30s, 5min, 1h 30min or 2d (units: ms, s, min, h, d, w)';

/**
 * A systemd-style time span in milliseconds: `90` (seconds), `1.5h`, `1h 30min`, `2d12h`.
 * Rounded to whole milliseconds.
 */
export function parseDuration(text: string): number {
  const value = text.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const component = /\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*/y;
  let total = 0;
  let matched = 0;
  while (component.lastIndex < value.length) {
    const match = component.exec(value);
    const unit = match === null ? undefined : DURATION_UNITS[match[2]];
    if (match === null || unit === undefined) throw new ValueError(`expected ${DURATION_HELP}`);
    total += Number(match[1]) * unit;
    matched++;
  }
  if (matched === 0) throw new ValueError(`expected ${DURATION_HELP}`);
  return Math.round(total);
}

const BOOLEANS: Record<string, boolean> = {
  true: true,
  yes: true,
  on: true,
  '1': true,
  false: false,
  no: false,
  off: false,
  '0': false,
};

export function parseBoolean(text: string): boolean {
  const value = BOOLEANS[text.trim().toLowerCase()];
  if (value === undefined) throw new ValueError('expected true or false (also yes/no, on/off, 1/0)');
  return value;
}

export function parseInteger(text: string, min: number): number {
  const value = text.trim();
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw new ValueError(`expected a whole number >= ${min}`);
  }
  return Number(value);
}

const SIZE_FACTORS: Record<string, number> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

/** Bytes with an optional binary suffix: `500M`, `2G`, `1048576`. */
export function parseBytes(text: string): number {
  const match = /^(\d+)\s*([KMGT]?)$/i.exec(text.trim());
  const bytes = match === null ? NaN : Number(match[1]) * SIZE_FACTORS[match[2].toUpperCase()];
  if (!Number.isSafeInteger(bytes)) throw new ValueError('expected a size in bytes such as 500M or 2G');
  return bytes;
}

export function parseChoice<T extends string>(text: string, choices: readonly T[]): T {
  const value = text.trim() as T;
  if (!choices.includes(value)) throw new ValueError(`expected one of ${choices.join(', ')}`);
  return value;
}
