// SPDX-License-Identifier: LGPL-2.1-or-later
// Human output of a plan: what the device runs, the steps as a table, sizes and the total.
import type { Plan, PlanStep } from '../planner';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 -> "1.5 KiB"; null -> "unknown". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return 'unknown';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd(),
  );
}

function stepRow(step: PlanStep, index: number): string[] {
  const size = formatBytes(step.estimatedDownloadBytes) + (step.delta ? ' (delta)' : '');
  return [
    String(index + 1),
    step.version ?? '-',
    step.kind,
    step.ref,
    step.commit.slice(0, 12),
    size,
    step.reason,
  ];
}

export function formatPlan(plan: Plan): string {
  const { current } = plan;
  const lines = [
    `Current: ${current.version ?? '(no version)'} (${current.commit.slice(0, 12)}) on ${current.remote}:${current.ref}`,
  ];
  switch (plan.state) {
    case 'up-to-date':
      lines.push('Up to date.');
      break;
    case 'waiting-for-target':
      lines.push(
        `Waiting: ${plan.waitingFor?.message ?? plan.error?.message ?? 'the next ref is not published yet'}.`,
      );
      break;
    case 'blocked':
      lines.push(`Blocked: ${plan.error?.message ?? 'unknown reason'} [${plan.error?.code ?? 'internal'}]`);
      break;
    case 'update-available':
      lines.push(`Update available: ${plan.steps.length} step(s), ending on ${plan.finalRef}`);
      break;
  }
  if (plan.steps.length > 0) {
    lines.push('');
    lines.push(
      ...table([
        ['STEP', 'VERSION', 'KIND', 'REF', 'COMMIT', 'SIZE', 'REASON'],
        ...plan.steps.map(stepRow),
      ]).map((line) => `  ${line}`),
    );
    lines.push('');
    lines.push(`Total download: ${formatBytes(plan.estimatedTotalDownloadBytes)}`);
    if (plan.waitingFor) lines.push(`Then: ${plan.waitingFor.message}.`);
  }
  if (plan.endOfLife) lines.push(`End of life: ${plan.endOfLife}`);
  return `${lines.join('\n')}\n`;
}
