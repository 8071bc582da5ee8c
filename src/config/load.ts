// SPDX-License-Identifier: LGPL-2.1-or-later
// Loads the configuration (DESIGN.md §7). Files, all optional, read in this order, later
// assignments winning key by key:
//   1. the main file: ROOT/etc/cairn/cairn.conf, or the file given with --config (which replaces it;
//      then it must exist);
//   2. drop-ins: every `*.conf` in ROOT/usr/lib/cairn/cairn.conf.d/ and ROOT/etc/cairn/cairn.conf.d/,
//      applied in byte order of their file names whichever directory they are in. A drop-in in /etc
//      masks the /usr/lib one of the same name (which is then not read at all): an empty file or a
//      symlink to /dev/null there disables a vendor drop-in. Names starting with `.` are skipped.
// Invalid values and malformed lines are `bad-config` errors naming file:line and the key. Unknown
// sections and keys are warnings (they may be options of a newer cairn), returned with the config.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors';
import { scanKeyfile, type Assignment } from './keyfile';
import { defaultConfig, OPTIONS, type Config } from './options';
import { ValueError } from './units';

export interface LoadConfigOptions {
  /** Root of the file system holding /etc and /usr (default '/'). */
  root?: string;
  /** --config: replaces ROOT/etc/cairn/cairn.conf; a path on the host, not under root. */
  file?: string;
}

export interface ConfigWarning {
  file: string;
  line: number;
  /** `file:line: what` */
  message: string;
}

export interface LoadedConfig {
  config: Config;
  warnings: ConfigWarning[];
  /** The files read, in the order applied. */
  files: string[];
}

async function dropIns(root: string): Promise<string[]> {
  const byName = new Map<string, string>();
  // /etc comes second so that its entries replace same-named /usr/lib ones.
  for (const dir of ['usr/lib/cairn/cairn.conf.d', 'etc/cairn/cairn.conf.d']) {
    let names: string[];
    try {
      names = await fs.readdir(path.join(root, dir));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new CairnError('bad-config', `cannot read ${path.join(root, dir)}: ${(err as Error).message}`);
    }
    for (const name of names) {
      if (name.endsWith('.conf') && !name.startsWith('.')) byName.set(name, path.join(root, dir, name));
    }
  }
  return [...byName.keys()]
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    .map((name) => byName.get(name) as string);
}

/** The file's text, or null when an optional file does not exist. */
async function readConfigFile(file: string, required: boolean): Promise<string | null> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return null;
    throw new CairnError('bad-config', `cannot read configuration file ${file}: ${(err as Error).message}`);
  }
}

function where(a: Assignment): string {
  return `${a.file}:${a.line}`;
}

export async function loadConfig(options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const root = options.root ?? '/';
  const main =
    options.file !== undefined ? path.resolve(options.file) : path.join(root, 'etc/cairn/cairn.conf');
  const result: LoadedConfig = { config: defaultConfig(), warnings: [], files: [] };
  const warn = (a: Assignment, message: string) =>
    result.warnings.push({ file: a.file, line: a.line, message: `${where(a)}: ${message}` });
  const warnedSections = new Set<string>();
  const lastSet = new Map<string, Assignment>();

  const sources = [{ file: main, required: options.file !== undefined }];
  for (const file of await dropIns(root)) sources.push({ file, required: false });
  for (const { file, required } of sources) {
    const text = await readConfigFile(file, required);
    if (text === null) continue;
    result.files.push(file);
    for (const a of scanKeyfile(text, file)) {
      if (a.section === null) {
        warn(a, `key "${a.key}" is outside any [section]; ignored`);
        continue;
      }
      if (!Object.hasOwn(OPTIONS, a.section)) {
        if (!warnedSections.has(`${file}\0${a.section}`)) warn(a, `unknown section [${a.section}]; ignored`);
        warnedSections.add(`${file}\0${a.section}`);
        continue;
      }
      const section = OPTIONS[a.section];
      if (!Object.hasOwn(section, a.key)) {
        warn(a, `unknown key "${a.key}" in [${a.section}]; ignored`);
        continue;
      }
      try {
        section[a.key](result.config, a.value);
      } catch (err) {
        if (!(err instanceof ValueError)) throw err;
        throw new CairnError(
          'bad-config',
          `${where(a)}: [${a.section}] ${a.key} = "${a.value}": ${err.message}`,
        );
      }
      lastSet.set(`${a.section}.${a.key}`, a);
    }
  }

  const { backoffInitialMs, backoffMaxMs } = result.config.download;
  if (backoffMaxMs < backoffInitialMs) {
    // The defaults are consistent, so at least one of the two was set.
    const culprit = (lastSet.get('download.backoff-max') ??
      lastSet.get('download.backoff-initial')) as Assignment;
    throw new CairnError(
      'bad-config',
      `${where(culprit)}: [download] backoff-max (${backoffMaxMs} ms) is shorter than backoff-initial (${backoffInitialMs} ms)`,
    );
  }
  return result;
}
