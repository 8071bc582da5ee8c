// SPDX-License-Identifier: LGPL-2.1-or-later
// Reads and writes the state file. A device must never lose its state, so a file this code cannot
// understand is never overwritten: after a `state-too-new` or `state-corrupt` load the store refuses
// every save until `reset()` has set the bad file aside.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { CairnError } from '../errors';
import { fsyncDirectory, removeStaleTempFiles, writeFileAtomic } from './atomic-write';
import { migrate, OLDEST_FORMAT_VERSION, type StateObject } from './migrations';
import { defaultState, STATE_FORMAT_VERSION, trimHistory, type CairnState } from './schema';
import { StateShapeError, validateState } from './validate';

export interface StateStoreOptions {
  /** cairn's version; saves record `writtenBy: 'cairn <version>'`. */
  version: string;
  /** Clock for `updatedAt` (tests). */
  now?: () => Date;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class StateStore {
  #state: CairnState | null = null;
  /** Why saving is refused: the error of the last load, until reset(). */
  #refusal: CairnError | null = null;
  /** Saves run one after another, in call order. */
  #writes: Promise<void> = Promise.resolve();
  #tempFilesChecked = false;

  constructor(
    /** Absolute path of state.json, e.g. `<stateroot var>/lib/cairn/state.json`. */
    readonly path: string,
    private readonly options: StateStoreOptions,
  ) {}

  private get writtenBy(): string {
    return `cairn ${this.options.version}`;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** The loaded state; mutate it and call save(). */
  get state(): CairnState {
    if (this.#state === null) {
      throw new CairnError('internal', `state ${this.path} used before load()`);
    }
    return this.#state;
  }

  /**
   * Reads the file: a missing file gives a fresh default state (not written until the first save),
   * an older format version is migrated in memory. Throws `state-too-new` or `state-corrupt`.
   */
  async load(): Promise<CairnState> {
    this.#state = null;
    this.#refusal = null;
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        this.#state = defaultState(this.writtenBy, this.now());
        return this.#state;
      }
      throw this.#refuse(
        'state-corrupt',
        `state file ${this.path} cannot be read: ${errorMessage(err)}`,
        err,
      );
    }
    this.#state = this.#parse(text);
    return this.#state;
  }

  #refuse(code: 'state-too-new' | 'state-corrupt', message: string, cause?: unknown): CairnError {
    this.#refusal = new CairnError(code, message, { cause });
    return this.#refusal;
  }

  #corrupt(problem: string, cause?: unknown): CairnError {
    return this.#refuse(
      'state-corrupt',
      `state file ${this.path} is damaged: ${problem}. It is left as it is; \`reset\` sets it aside ` +
        'and starts from a fresh state',
      cause,
    );
  }

  #parse(text: string): CairnState {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw this.#corrupt(`not valid JSON (${errorMessage(err)})`, err);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw this.#corrupt('the top level is not a JSON object');
    }
    const version = (raw as StateObject).formatVersion;
    if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < OLDEST_FORMAT_VERSION) {
      throw this.#corrupt(`formatVersion is ${JSON.stringify(version)}, not a known format version`);
    }
    if (version > STATE_FORMAT_VERSION) {
      throw this.#refuse(
        'state-too-new',
        `state file ${this.path} has format version ${version}; this cairn understands up to ` +
          `${STATE_FORMAT_VERSION}: upgrade cairn or restore a matching state file`,
      );
    }
    try {
      return validateState(migrate(raw as StateObject, version));
    } catch (err) {
      const problem =
        err instanceof StateShapeError ? `field ${err.where}: ${err.problem}` : errorMessage(err);
      throw this.#corrupt(problem, err);
    }
  }

  /** Writes the state atomically as the current format version. */
  async save(): Promise<void> {
    this.#assertWritable();
    const state = this.state;
    state.formatVersion = STATE_FORMAT_VERSION;
    state.writtenBy = this.writtenBy;
    state.updatedAt = this.now().toISOString();
    trimHistory(state);
    // Serialise now, so a later mutation cannot reach a write that is still queued.
    const text = `${JSON.stringify(state, null, 2)}\n`;
    const write = this.#writes.then(() => this.#write(text));
    this.#writes = write.catch(() => undefined);
    await write;
  }

  #assertWritable(): void {
    if (this.#refusal !== null) {
      throw new CairnError(this.#refusal.code, `refusing to write: ${this.#refusal.message}`, {
        cause: this.#refusal,
      });
    }
  }

  async #write(text: string): Promise<void> {
    await fs.mkdir(path.dirname(this.path), { recursive: true, mode: 0o755 });
    if (!this.#tempFilesChecked) {
      await removeStaleTempFiles(this.path);
      this.#tempFilesChecked = true;
    }
    await writeFileAtomic(this.path, text);
  }

  /** Loads if needed, applies `mutate`, saves; returns the saved state. */
  async update(mutate: (state: CairnState) => void | Promise<void>): Promise<CairnState> {
    if (this.#state === null && this.#refusal === null) await this.load();
    this.#assertWritable();
    await mutate(this.state);
    await this.save();
    return this.state;
  }

  /**
   * Sets the current file aside as `state.json.<reason>-<time>` (reason: `corrupt`, `too-new` or
   * `reset`) and starts from a fresh, unsaved default state. A file from a newer cairn is only set
   * aside with `discardNewer`, as it may be perfectly good for that cairn. Returns the new name of
   * the old file, or null when there was none.
   */
  async reset(options: { discardNewer?: boolean } = {}): Promise<string | null> {
    const refusal = this.#refusal;
    if (refusal?.code === 'state-too-new' && options.discardNewer !== true) {
      throw new CairnError(
        'state-too-new',
        `${refusal.message} (reset would discard it: not without discardNewer)`,
      );
    }
    await this.#writes;
    const reason = refusal === null ? 'reset' : refusal.code === 'state-too-new' ? 'too-new' : 'corrupt';
    const stamp = this.now().toISOString().replace(/[-:]/g, '');
    let aside: string | null = `${this.path}.${reason}-${stamp}`;
    try {
      await fs.rename(this.path, aside);
      await fsyncDirectory(path.dirname(this.path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      aside = null;
    }
    this.#refusal = null;
    this.#state = defaultState(this.writtenBy, this.now());
    return aside;
  }
}
