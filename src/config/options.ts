// SPDX-License-Identifier: LGPL-2.1-or-later
// Every configuration option, its default and its syntax.
//
// | section     | key                   | default       | meaning |
// |-------------|-----------------------|---------------|---------|
// | `[download]`| `max-download-attempts` | `5`         | attempts per download before giving up (whole number >= 1) |
// | `[download]`| `stall-timeout`       | `60s`         | a download that receives no byte for this long is retried |
// | `[download]`| `backoff-initial`     | `1s`          | wait before the first retry; doubles with each retry |
// | `[download]`| `backoff-max`         | `60s`         | the longest wait between retries (>= backoff-initial) |
// | `[download]`| `url-override`        | (empty)       | fetch from this http(s):// or file:// URL instead of the remote's URL |
// | `[download]`| `free-space-margin`   | `5%`          | space to keep free on the repo's file system: a percentage or bytes (`500M`, `2G`) |
// | `[update]`  | `policy`              | `check`       | what the timer does on its own: `none`, `check`, `fetch` or `deploy` |
// | `[update]`  | `interval`            | `1d`          | time between automatic runs |
// | `[update]`  | `randomized-delay`    | `1h`          | random extra delay per run, spreading load on the server |
// | `[update]`  | `reboot`              | `false`       | reboot automatically after a deploy |
// | `[hooks]`   | `timeout`             | `10min`       | a boot hook running longer is killed and counts as failed |
// | `[hooks]`   | `max-retries`         | `3`           | boots on which a failing checkpoint hook is retried (whole number >= 0) |
// | `[service]` | `admin-group`         | `cairn-admin` | group allowed to call mutating D-Bus methods (besides root) |
// | `[service]` | `idle-exit`           | `60s`         | the D-Bus service exits after this long without work; `0` never |
//
// Durations are systemd-style: a number of seconds, or numbers with units `ms`, `s`, `min`, `h`,
// `d`, `w` (also `sec`, `m`, `hr`, `hours`, `days`, `weeks`...), combined as in `1h 30min`.
// Booleans: true/false, yes/no, on/off, 1/0.
import { parseBoolean, parseBytes, parseChoice, parseDuration, parseInteger, ValueError } from './units';

export type UpdatePolicy = 'none' | 'check' | 'fetch' | 'deploy';
export const UPDATE_POLICIES: readonly UpdatePolicy[] = ['none', 'check', 'fetch', 'deploy'];

export type FreeSpaceMargin = { percent: number } | { bytes: number };

export interface Config {
  download: {
    maxDownloadAttempts: number;
    stallTimeoutMs: number;
    backoffInitialMs: number;
    backoffMaxMs: number;
    /** null: use the remote's URL. */
    urlOverride: string | null;
    freeSpaceMargin: FreeSpaceMargin;
  };
  update: {
    policy: UpdatePolicy;
    intervalMs: number;
    randomizedDelayMs: number;
    reboot: boolean;
  };
  hooks: {
    timeoutMs: number;
    maxRetries: number;
  };
  service: {
    adminGroup: string;
    /** 0: never exit when idle. */
    idleExitMs: number;
  };
}

export function defaultConfig(): Config {
  return {
    download: {
      maxDownloadAttempts: 5,
      stallTimeoutMs: 60_000,
      backoffInitialMs: 1_000,
      backoffMaxMs: 60_000,
      urlOverride: null,
      freeSpaceMargin: { percent: 5 },
    },
    update: { policy: 'check', intervalMs: 86_400_000, randomizedDelayMs: 3_600_000, reboot: false },
    hooks: { timeoutMs: 600_000, maxRetries: 3 },
    service: { adminGroup: 'cairn-admin', idleExitMs: 60_000 },
  };
}

function positiveDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms <= 0) throw new ValueError('expected a duration greater than zero');
  return ms;
}

function urlOverride(text: string): string | null {
  const value = text.trim();
  if (value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValueError('expected an http://, https:// or file:// URL, or nothing');
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol)) {
    throw new ValueError(`expected an http://, https:// or file:// URL, not ${url.protocol}//`);
  }
  return value;
}

function freeSpaceMargin(text: string): FreeSpaceMargin {
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim());
  if (percent === null) return { bytes: parseBytes(text) };
  const value = Number(percent[1]);
  if (value >= 100) throw new ValueError('expected a percentage below 100%');
  return { percent: value };
}

function groupName(text: string): string {
  const value = text.trim();
  if (!/^[a-z_][a-z0-9_-]{0,31}$/i.test(value))
    throw new ValueError('expected a group name such as cairn-admin');
  return value;
}

/** Parses one option's text and stores it in the config; throws ValueError. */
type Setter = (config: Config, text: string) => void;

/** `OPTIONS[section][key]`, exactly the keys of the table above. */
export const OPTIONS: Readonly<Record<string, Readonly<Record<string, Setter>>>> = {
  download: {
    'max-download-attempts': (c, v) => (c.download.maxDownloadAttempts = parseInteger(v, 1)),
    'stall-timeout': (c, v) => (c.download.stallTimeoutMs = positiveDuration(v)),
    'backoff-initial': (c, v) => (c.download.backoffInitialMs = positiveDuration(v)),
    'backoff-max': (c, v) => (c.download.backoffMaxMs = positiveDuration(v)),
    'url-override': (c, v) => (c.download.urlOverride = urlOverride(v)),
    'free-space-margin': (c, v) => (c.download.freeSpaceMargin = freeSpaceMargin(v)),
  },
  update: {
    policy: (c, v) => (c.update.policy = parseChoice(v, UPDATE_POLICIES)),
    interval: (c, v) => (c.update.intervalMs = positiveDuration(v)),
    'randomized-delay': (c, v) => (c.update.randomizedDelayMs = parseDuration(v)),
    reboot: (c, v) => (c.update.reboot = parseBoolean(v)),
  },
  hooks: {
    timeout: (c, v) => (c.hooks.timeoutMs = positiveDuration(v)),
    'max-retries': (c, v) => (c.hooks.maxRetries = parseInteger(v, 0)),
  },
  service: {
    'admin-group': (c, v) => (c.service.adminGroup = groupName(v)),
    'idle-exit': (c, v) => (c.service.idleExitMs = parseDuration(v)),
  },
};
