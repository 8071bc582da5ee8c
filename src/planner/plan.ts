// SPDX-License-Identifier: LGPL-2.1-or-later
// The checkpoint planner (DESIGN.md §3): from the current commit, the ordered steps a device must
// deploy and boot, following redirects and renames. Pure: all I/O goes through the MetadataSource
// and the SizeEstimator.
//
// Decisions beyond the letter of DESIGN.md:
// - A tip carrying `ostree.endoflife-rebase` is not a step (no boot) unless it is itself a checkpoint;
//   then it is booted first (kind 'redirect'). Checkpoints on the old ref before the redirect stay
//   steps: a checkpoint is never skipped. Planning continues on the new ref from the last step.
// - A rename or redirect to the ref being planned is a no-op (a renamed-to ref may start at the very
//   commit that announced the rename); any other revisit of a ref is a cycle and refused.
// - Unrelated histories (`from` is not in the tip's history): checkpoints at least as new as `from`
//   by timestamp are steps; on the same ref a tip older than `from` is a downgrade. When crossing to
//   another ref (rename, redirect, an explicit target ref) going back in time is allowed.
// - A target commit is planned to exactly: renames and redirects on it are not followed.
// - A ref that does not exist: the tracked or requested ref is 'not-found'; a renamed-to or
//   redirected-to ref is waited for: the plan keeps the steps before it, and the state is
//   'waiting-for-target' once there is nothing else to do.
// - Refusals (planning error codes) return a 'blocked' plan with no steps; other errors (network,
//   cancellation) are thrown.
import { CairnError, type CairnErrorCode } from '../errors';
import { type CommitKeys } from './commit-keys';
import { scanHistory } from './history';
import { assertValidRef, isChecksum, isValidRef, refFromRefspec } from './refs';
import { PlanningSession } from './session';
import type {
  CommitMeta,
  MetadataSource,
  Plan,
  PlanRequest,
  PlanStep,
  RefChange,
  SizeEstimator,
  StepKind,
} from './types';

const REFUSALS: ReadonlySet<CairnErrorCode> = new Set<CairnErrorCode>([
  'rename-cycle',
  'redirect-cycle',
  'waiting-for-target',
  'bad-metadata',
  'bad-ref',
  'downgrade',
  'unverified',
  'unknown-commit',
  'unrelated-history',
  'not-found',
]);

interface Route {
  steps: PlanStep[];
  finalRef: string;
  refChanges: RefChange[];
  waitingFor: Plan['waitingFor'];
  endOfLife: string | null;
}

export async function planUpdate(
  source: MetadataSource,
  estimator: SizeEstimator,
  request: PlanRequest,
): Promise<Plan> {
  if (!isChecksum(request.currentCommit)) {
    throw new CairnError('bad-usage', `'${request.currentCommit}' is not a full commit checksum`);
  }
  if (request.target?.commit !== undefined && !isChecksum(request.target.commit)) {
    throw new CairnError('bad-usage', `'${request.target.commit}' is not a full commit checksum`);
  }
  const session = new PlanningSession(source);
  const current = { commit: request.currentCommit, ref: request.ref, remote: request.remote, version: null };
  try {
    await prefetchFirstSegment(session, request);
    const currentCommit = await session.load(request.currentCommit);
    const currentWithVersion = { ...current, version: session.keys(currentCommit).version };
    const route = await findRoute(session, currentCommit, request);
    const estimated = await estimateSizes(estimator, request.currentCommit, route.steps);
    const state =
      route.steps.length > 0 ? 'update-available' : route.waitingFor ? 'waiting-for-target' : 'up-to-date';
    return {
      state,
      current: currentWithVersion,
      steps: estimated.steps,
      estimatedTotalDownloadBytes: estimated.total,
      error:
        state === 'waiting-for-target' && route.waitingFor
          ? { code: 'waiting-for-target', message: route.waitingFor.message }
          : null,
      finalRef: route.finalRef,
      refChanges: route.refChanges,
      waitingFor: route.waitingFor,
      endOfLife: route.endOfLife,
    };
  } catch (err) {
    if (!(err instanceof CairnError) || !REFUSALS.has(err.code)) throw err;
    const version = await session
      .load(request.currentCommit)
      .then((commit) => session.keys(commit).version)
      .catch(() => null);
    return {
      state: 'blocked',
      current: { ...current, version },
      steps: [],
      estimatedTotalDownloadBytes: null,
      error: { code: err.code, message: err.message },
      finalRef: request.target?.ref ?? request.ref,
      refChanges: [],
      waitingFor: null,
      endOfLife: null,
    };
  }
}

/** One batch for what planning needs first: the current commit, the tip and the indexed checkpoints. */
async function prefetchFirstSegment(session: PlanningSession, request: PlanRequest): Promise<void> {
  const ref = request.target?.ref ?? request.ref;
  if (!isValidRef(ref)) return;
  const tip = request.target?.commit ?? (await session.resolveRef(ref));
  const index = (await session.checkpointIndex(ref)) ?? [];
  await session.prefetch([
    request.currentCommit,
    ...(tip === null ? [] : [tip]),
    ...index.filter(isChecksum),
  ]);
}

async function findRoute(
  session: PlanningSession,
  current: CommitMeta,
  request: PlanRequest,
): Promise<Route> {
  assertValidRef(request.ref, 'tracked ref');
  let ref = request.target?.ref ?? request.ref;
  assertValidRef(ref, 'target ref');
  const exactCommit = request.target?.commit;
  let crossing = ref !== request.ref;
  const seenRefs = new Set([ref]);
  const steps: PlanStep[] = [];
  const refChanges: RefChange[] = [];
  // Where the device stands once the steps so far are done.
  let from = current;

  for (;;) {
    const tipChecksum = exactCommit ?? (await session.resolveRef(ref));
    if (tipChecksum === null) {
      if (refChanges.length === 0)
        throw new CairnError('not-found', `ref '${ref}' does not exist on the remote`);
      const last = refChanges[refChanges.length - 1];
      const message = `waiting for ref '${ref}' (named by ${last.commit} on '${last.fromRef}') to be published`;
      return { steps, finalRef: ref, refChanges, waitingFor: { ref, message }, endOfLife: null };
    }
    const tip = await session.load(tipChecksum);
    const tipKeys = session.keys(tip);
    const scan = await scanHistory(session, from, tip, ref);
    if (
      !crossing &&
      scan.relation !== 'same' &&
      scan.relation !== 'descendant' &&
      isOlder(session, tip, from)
    ) {
      throw new CairnError(
        'downgrade',
        `the tip of '${ref}' (${tip.checksum}) is older than the current commit ${from.checksum}`,
      );
    }
    for (const checkpoint of scan.checkpoints)
      steps.push(makeStep(ref, checkpoint, session.keys(checkpoint), 'checkpoint'));
    const atTip = scan.relation === 'same';
    const change = exactCommit === undefined ? refChangeOf(tip, tipKeys, ref) : null;

    if (change === null) {
      if (!atTip) steps.push(makeStep(ref, tip, tipKeys, 'final'));
      return { steps, finalRef: ref, refChanges, waitingFor: null, endOfLife: tipKeys.endOfLife };
    }
    if (seenRefs.has(change.toRef)) {
      const chain = [...refChanges, change].map((c) => `${c.fromRef} -> ${c.toRef}`).join(', ');
      throw new CairnError(`${change.kind}-cycle`, `the ${change.kind}s of '${request.ref}' loop: ${chain}`);
    }
    if (change.kind === 'redirect') {
      // Not booted unless it is a checkpoint itself; the device goes on from where the steps left it.
      if (!atTip && (tipKeys.checkpoint || tipKeys.checkpointTarget !== null)) {
        steps.push(makeStep(ref, tip, tipKeys, 'redirect', change.toRef));
        from = tip;
      } else if (steps.length > 0) {
        from = await session.load(steps[steps.length - 1].commit);
      }
    } else {
      if (!atTip) steps.push(makeStep(ref, tip, tipKeys, 'rename', change.toRef));
      from = tip;
    }
    refChanges.push(change);
    seenRefs.add(change.toRef);
    ref = change.toRef;
    crossing = true;
  }
}

/** The ref change a tip announces: a redirect wins over a rename (DESIGN.md §3.2 before §3.3). */
function refChangeOf(tip: CommitMeta, keys: CommitKeys, ref: string): RefChange | null {
  const candidates: [RefChange['kind'], string | null][] = [
    ['redirect', keys.endOfLifeRebase],
    ['rename', keys.checkpointTarget],
  ];
  for (const [kind, value] of candidates) {
    if (value === null) continue;
    const toRef = refFromRefspec(value, `${kind} target in commit ${tip.checksum}`);
    if (toRef === ref) continue;
    return { kind, fromRef: ref, toRef, commit: tip.checksum, message: keys.endOfLife };
  }
  return null;
}

/** `tip` is in the past of `from`: by timestamp, or known to be its parent or previous checkpoint. */
function isOlder(session: PlanningSession, tip: CommitMeta, from: CommitMeta): boolean {
  return (
    tip.timestamp < from.timestamp ||
    tip.checksum === from.parent ||
    tip.checksum === session.keys(from).previousCheckpoint
  );
}

function makeStep(
  ref: string,
  commit: CommitMeta,
  keys: CommitKeys,
  kind: StepKind,
  toRef?: string,
): PlanStep {
  const defaultReason: Record<StepKind, string> = {
    checkpoint: 'mandatory checkpoint',
    rename: `'${ref}' continues as '${toRef}'`,
    redirect: `'${ref}' is redirected to '${toRef}'`,
    final: `newest commit on '${ref}'`,
  };
  return {
    ref,
    commit: commit.checksum,
    version: keys.version,
    checkpoint: kind !== 'final' || keys.checkpoint,
    kind,
    reason: keys.reason ?? defaultReason[kind],
    estimatedDownloadBytes: null,
    delta: false,
  };
}

async function estimateSizes(
  estimator: SizeEstimator,
  currentCommit: string,
  steps: PlanStep[],
): Promise<{ steps: PlanStep[]; total: number | null }> {
  const sized: PlanStep[] = [];
  let total: number | null = 0;
  let previous: string = currentCommit;
  for (const step of steps) {
    const estimate = await estimator.estimate(
      previous,
      step.commit,
      sized.map((s) => s.commit),
    );
    sized.push({ ...step, estimatedDownloadBytes: estimate.bytes, delta: estimate.delta });
    total = total === null || estimate.bytes === null ? null : total + estimate.bytes;
    previous = step.commit;
  }
  return { steps: sized, total };
}
