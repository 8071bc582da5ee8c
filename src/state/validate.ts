// SPDX-License-Identifier: LGPL-2.1-or-later
// Hand-written validation of a current-version state object. It checks every known field in place
// and copies nothing, so fields it does not know (added by a newer cairn within the same format
// version) stay on the object and are written back on the next save.
import {
  HOOK_STATUSES,
  STATE_FORMAT_VERSION,
  STEP_KINDS,
  STEP_STATUSES,
  type CairnState,
  type HookRecord,
} from './schema';

/** A field that does not have the expected type; `where` is a JSON path such as `steps[2].status`. */
export class StateShapeError extends Error {
  constructor(
    readonly where: string,
    readonly problem: string,
  ) {
    super(`${where}: ${problem}`);
  }
}

type Json = Record<string, unknown>;

const COMMIT = /^[0-9a-f]{64}$/;
const DEPLOYMENT_KEY = /^[0-9a-f]{64}\.[0-9]+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 80))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function fail(where: string, expected: string, value: unknown): never {
  throw new StateShapeError(where, `expected ${expected}, found ${describe(value)}`);
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'an object', value);
  return value as Json;
}

function array(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) fail(where, 'an array', value);
  return value;
}

function string(value: unknown, where: string): void {
  if (typeof value !== 'string' || value === '') fail(where, 'a non-empty string', value);
}

function nullable(value: unknown, where: string, check: (v: unknown, w: string) => void): void {
  if (value !== null) check(value, where);
}

function optional(value: unknown, where: string, check: (v: unknown, w: string) => void): void {
  if (value !== undefined) check(value, where);
}

function oneOf(value: unknown, where: string, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value))
    fail(where, `one of ${allowed.join('|')}`, value);
}

function count(value: unknown, where: string): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    fail(where, 'a non-negative integer', value);
  }
}

function boolean(value: unknown, where: string): void {
  if (typeof value !== 'boolean') fail(where, 'true or false', value);
}

function commit(value: unknown, where: string): void {
  if (typeof value !== 'string' || !COMMIT.test(value)) fail(where, 'a 64-hex commit checksum', value);
}

function timestamp(value: unknown, where: string): void {
  if (typeof value !== 'string' || !ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    fail(where, 'an ISO 8601 timestamp', value);
  }
}

function anyString(value: unknown, where: string): void {
  if (typeof value !== 'string') fail(where, 'a string', value);
}

function field(obj: Json, key: string, where: string): unknown {
  if (!(key in obj)) throw new StateShapeError(`${where}.${key}`, 'missing');
  return obj[key];
}

function validateHookRecord(value: unknown, where: string): HookRecord {
  const hook = object(value, where);
  const at = (key: string) => field(hook, key, where);
  string(at('name'), `${where}.name`);
  oneOf(at('status'), `${where}.status`, HOOK_STATUSES);
  nullable(at('exitCode'), `${where}.exitCode`, count);
  nullable(at('signal'), `${where}.signal`, string);
  boolean(at('timedOut'), `${where}.timedOut`);
  count(at('attempts'), `${where}.attempts`);
  timestamp(at('startedAt'), `${where}.startedAt`);
  nullable(at('finishedAt'), `${where}.finishedAt`, timestamp);
  nullable(at('bootId'), `${where}.bootId`, string);
  anyString(at('outputTail'), `${where}.outputTail`);
  return hook as unknown as HookRecord;
}

function validateStep(value: unknown, where: string): void {
  const step = object(value, where);
  commit(field(step, 'commit', where), `${where}.commit`);
  string(field(step, 'ref', where), `${where}.ref`);
  oneOf(field(step, 'kind', where), `${where}.kind`, STEP_KINDS);
  oneOf(field(step, 'status', where), `${where}.status`, STEP_STATUSES);
  count(field(step, 'attempts', where), `${where}.attempts`);
  for (const key of ['fetchedAt', 'deployedAt', 'bootedAt', 'doneAt']) {
    optional(step[key], `${where}.${key}`, timestamp);
  }
}

function validateDeployment(value: unknown, where: string): void {
  const deployment = object(value, where);
  commit(field(deployment, 'commit', where), `${where}.commit`);
  nullable(field(deployment, 'fromCommit', where), `${where}.fromCommit`, commit);
  const hooks = array(field(deployment, 'hooks', where), `${where}.hooks`);
  hooks.forEach((hook, i) => validateHookRecord(hook, `${where}.hooks[${i}]`));
  count(field(deployment, 'bootAttempts', where), `${where}.bootAttempts`);
}

/** Checks a state object of the current format version; throws StateShapeError naming the field. */
export function validateState(value: unknown): CairnState {
  const root = '$';
  const state = object(value, root);
  const at = (key: string) => field(state, key, root);
  if (at('formatVersion') !== STATE_FORMAT_VERSION) {
    fail(`${root}.formatVersion`, String(STATE_FORMAT_VERSION), state.formatVersion);
  }
  string(at('writtenBy'), '$.writtenBy');
  timestamp(at('updatedAt'), '$.updatedAt');
  nullable(at('tracking'), '$.tracking', (tracking, where) => {
    const t = object(tracking, where);
    string(field(t, 'remote', where), `${where}.remote`);
    string(field(t, 'ref', where), `${where}.ref`);
  });
  at('plan'); // opaque, any JSON value
  nullable(at('plannedAt'), '$.plannedAt', timestamp);
  array(at('steps'), '$.steps').forEach((step, i) => validateStep(step, `$.steps[${i}]`));
  for (const [key, deployment] of Object.entries(object(at('deployments'), '$.deployments'))) {
    const where = `$.deployments[${JSON.stringify(key)}]`;
    if (!DEPLOYMENT_KEY.test(key)) throw new StateShapeError(where, 'key is not "<checksum>.<deployserial>"');
    validateDeployment(deployment, where);
  }
  nullable(at('lastError'), '$.lastError', (lastError, where) => {
    const e = object(lastError, where);
    string(field(e, 'code', where), `${where}.code`);
    anyString(field(e, 'message', where), `${where}.message`);
    timestamp(field(e, 'at', where), `${where}.at`);
  });
  array(at('history'), '$.history').forEach((entry, i) => {
    const where = `$.history[${i}]`;
    const e = object(entry, where);
    timestamp(field(e, 'at', where), `${where}.at`);
    string(field(e, 'event', where), `${where}.event`);
    optional(e.detail, `${where}.detail`, anyString);
  });
  for (const section of ['bootCounting', 'offlineMedia', 'networkPolicy']) {
    optional(state[section], `$.${section}`, object);
  }
  return state as unknown as CairnState;
}
