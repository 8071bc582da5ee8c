// SPDX-License-Identifier: LGPL-2.1-or-later
import test, { type ExecutionContext } from 'ava';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { defaultConfig, loadConfig } from '../../src/config';
import { isCairnError } from '../../src/errors';
import { makeTempDir } from '../helpers/tmp';

const MAIN = 'etc/cairn/cairn.conf';
const ETC_D = 'etc/cairn/cairn.conf.d';
const USR_D = 'usr/lib/cairn/cairn.conf.d';

/** A root directory holding the given files (paths relative to the root). */
async function makeRoot(t: ExecutionContext, files: Record<string, string>): Promise<string> {
  const root = await makeTempDir(t, 'cairn-config-');
  for (const [name, text] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await fs.writeFile(path.join(root, name), text);
  }
  return root;
}

test('no files at all gives the documented defaults', async (t) => {
  const root = await makeRoot(t, {});
  const loaded = await loadConfig({ root });
  t.deepEqual(loaded.config, defaultConfig());
  t.deepEqual(loaded.config.download.freeSpaceMargin, { percent: 5 });
  t.is(loaded.config.update.policy, 'check');
  t.is(loaded.config.hooks.timeoutMs, 10 * 60_000);
  t.deepEqual(loaded.warnings, []);
  t.deepEqual(loaded.files, []);
});

test('every option is read from the main file', async (t) => {
  const root = await makeRoot(t, {
    [MAIN]: [
      '# cairn configuration',
      '[download]',
      'max-download-attempts = 9',
      'stall-timeout = 2min',
      'backoff-initial = 500ms',
      'backoff-max = 5min',
      'url-override = "http://127.0.0.1:8080/repo"',
      'free-space-margin = 2G ; keep room for logs',
      '',
      '[update]',
      'policy = deploy',
      'interval = 6h',
      'randomized-delay = 0',
      'reboot = yes',
      '[hooks]',
      'timeout = 1h 30min',
      'max-retries = 0',
      '[service]',
      'admin-group = wheel',
      'idle-exit = 0',
    ].join('\n'),
  });
  const { config, warnings, files } = await loadConfig({ root });
  t.deepEqual(config, {
    download: {
      maxDownloadAttempts: 9,
      stallTimeoutMs: 120_000,
      backoffInitialMs: 500,
      backoffMaxMs: 300_000,
      urlOverride: 'http://127.0.0.1:8080/repo',
      freeSpaceMargin: { bytes: 2 * 1024 ** 3 },
    },
    update: { policy: 'deploy', intervalMs: 21_600_000, randomizedDelayMs: 0, reboot: true },
    hooks: { timeoutMs: 5_400_000, maxRetries: 0 },
    service: { adminGroup: 'wheel', idleExitMs: 0 },
  });
  t.deepEqual(warnings, []);
  t.deepEqual(files, [path.join(root, MAIN)]);
});

test('drop-ins apply after the main file, in name order across /usr/lib and /etc', async (t) => {
  const root = await makeRoot(t, {
    [MAIN]: '[update]\npolicy = none\ninterval = 2h\nreboot = true\n',
    [`${USR_D}/10-vendor.conf`]: '[update]\npolicy = fetch\ninterval = 3h\n',
    [`${ETC_D}/20-site.conf`]: '[update]\npolicy = deploy\n',
    [`${USR_D}/30-vendor-late.conf`]: '[update]\ninterval = 4h\n',
    [`${ETC_D}/README`]: 'not a drop-in',
    [`${ETC_D}/15-disabled.conf.bak`]: '[update]\npolicy = none\n',
  });
  const { config, files } = await loadConfig({ root });
  t.is(config.update.policy, 'deploy');
  t.is(config.update.intervalMs, 4 * 3_600_000);
  t.true(config.update.reboot);
  t.deepEqual(files, [
    path.join(root, MAIN),
    path.join(root, USR_D, '10-vendor.conf'),
    path.join(root, ETC_D, '20-site.conf'),
    path.join(root, USR_D, '30-vendor-late.conf'),
  ]);
});

test('a drop-in in /etc masks the /usr/lib one of the same name, also as a symlink to /dev/null', async (t) => {
  const root = await makeRoot(t, {
    [`${USR_D}/50-vendor.conf`]: '[update]\nreboot = true\n[hooks]\ntimeout = 5min\n',
    [`${ETC_D}/50-vendor.conf`]: '[hooks]\nmax-retries = 7\n',
    [`${USR_D}/60-other.conf`]: '[service]\nadmin-group = vendor\n',
  });
  await fs.symlink('/dev/null', path.join(root, ETC_D, '60-other.conf'));
  const { config, files } = await loadConfig({ root });
  t.false(config.update.reboot);
  t.is(config.hooks.timeoutMs, 600_000);
  t.is(config.hooks.maxRetries, 7);
  t.is(config.service.adminGroup, 'cairn-admin');
  t.deepEqual(files, [path.join(root, ETC_D, '50-vendor.conf'), path.join(root, ETC_D, '60-other.conf')]);
});

test('--config replaces the main file; drop-ins still apply', async (t) => {
  const root = await makeRoot(t, {
    [MAIN]: '[update]\npolicy = none\nreboot = true\n',
    [`${ETC_D}/10-site.conf`]: '[hooks]\nmax-retries = 1\n',
  });
  const other = path.join(await makeTempDir(t, 'cairn-config-'), 'test.conf');
  await fs.writeFile(other, '[update]\npolicy = fetch\n');
  const { config, files } = await loadConfig({ root, file: other });
  t.is(config.update.policy, 'fetch');
  t.false(config.update.reboot);
  t.is(config.hooks.maxRetries, 1);
  t.deepEqual(files, [other, path.join(root, ETC_D, '10-site.conf')]);
});

test('a missing --config file is an error naming it', async (t) => {
  const root = await makeRoot(t, {});
  const missing = path.join(root, 'nope.conf');
  const err = await t.throwsAsync(loadConfig({ root, file: missing }));
  t.true(isCairnError(err, 'bad-config'));
  t.true(err.message.includes(missing));
});

test('unknown sections and keys are warnings with file and line, not errors', async (t) => {
  const root = await makeRoot(t, {
    [MAIN]:
      'stray = 1\n[download]\nmax-download-attempts = 2\nwarp-speed = 9\n[network]\nmetered-policy = defer\nbudget = 1G\n',
  });
  const file = path.join(root, MAIN);
  const { config, warnings } = await loadConfig({ root });
  t.is(config.download.maxDownloadAttempts, 2);
  t.deepEqual(
    warnings.map((w) => w.message),
    [
      `${file}:1: key "stray" is outside any [section]; ignored`,
      `${file}:4: unknown key "warp-speed" in [download]; ignored`,
      `${file}:6: unknown section [network]; ignored`,
    ],
  );
  t.deepEqual(
    warnings.map((w) => w.line),
    [1, 4, 6],
  );
});

test('keys inherited from Object.prototype are unknown keys, not options', async (t) => {
  const root = await makeRoot(t, { [MAIN]: '[download]\ntoString = 1\n[constructor]\nx = 1\n' });
  const { warnings } = await loadConfig({ root });
  t.is(warnings.length, 2);
});

const badValues: [string, string, RegExp][] = [
  ['download', 'max-download-attempts = 0', /max-download-attempts = "0": expected a whole number >= 1/],
  ['download', 'max-download-attempts = 2.5', /expected a whole number/],
  ['download', 'stall-timeout = soon', /stall-timeout = "soon": expected a duration/],
  ['download', 'stall-timeout = 0', /expected a duration greater than zero/],
  ['download', 'url-override = ftp://mirror/repo', /url-override = "ftp:\/\/mirror\/repo": expected an http/],
  ['download', 'url-override = not a url', /expected an http/],
  ['download', 'free-space-margin = 150%', /expected a percentage below 100%/],
  ['download', 'free-space-margin = lots', /expected a size in bytes/],
  ['update', 'policy = always', /policy = "always": expected one of none, check, fetch, deploy/],
  ['update', 'reboot = maybe', /reboot = "maybe": expected true or false/],
  ['update', 'interval = 1 fortnight', /interval = "1 fortnight": expected a duration/],
  ['hooks', 'max-retries = -1', /max-retries = "-1": expected a whole number >= 0/],
  ['hooks', 'timeout = 10 minutes later', /timeout = "10 minutes later"/],
  ['service', 'admin-group = bad group', /admin-group = "bad group": expected a group name/],
];

for (const [section, line, problem] of badValues) {
  test(`[${section}] ${line} is a bad-config error naming file, line and key`, async (t) => {
    // In a drop-in, on line 3, to check both are reported.
    const root = await makeRoot(t, { [`${ETC_D}/10-bad.conf`]: `# comment\n[${section}]\n${line}\n` });
    const err = await t.throwsAsync(loadConfig({ root }));
    t.true(isCairnError(err, 'bad-config'));
    t.true(err.message.startsWith(`${path.join(root, ETC_D, '10-bad.conf')}:3: [${section}] `), err.message);
    t.regex(err.message, problem);
  });
}

test('backoff-max shorter than backoff-initial is refused at the place that set it', async (t) => {
  const root = await makeRoot(t, { [MAIN]: '[download]\nbackoff-initial = 2min\n' });
  const err = await t.throwsAsync(loadConfig({ root }));
  t.true(isCairnError(err, 'bad-config'));
  t.is(
    err.message,
    `${path.join(root, MAIN)}:2: [download] backoff-max (60000 ms) is shorter than backoff-initial (120000 ms)`,
  );
});

for (const line of ['[download', 'just some words', '= value']) {
  test(`a malformed line ${JSON.stringify(line)} is a bad-config error with its line`, async (t) => {
    const root = await makeRoot(t, { [MAIN]: `[download]\nmax-download-attempts = 3\n${line}\n` });
    const err = await t.throwsAsync(loadConfig({ root }));
    t.true(isCairnError(err, 'bad-config'));
    t.true(err.message.startsWith(`${path.join(root, MAIN)}:3: expected "[section]" or "key = value"`));
  });
}

test('a later file overrides an earlier value key by key, and the last assignment in a file wins', async (t) => {
  const root = await makeRoot(t, {
    [MAIN]: '[download]\nstall-timeout = 10s\nstall-timeout = 20s\nbackoff-initial = 2s\n',
    [`${ETC_D}/10.conf`]: '[download]\nbackoff-initial = 3s\n',
  });
  const { config } = await loadConfig({ root });
  t.is(config.download.stallTimeoutMs, 20_000);
  t.is(config.download.backoffInitialMs, 3_000);
});
