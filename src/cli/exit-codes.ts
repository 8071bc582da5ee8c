// SPDX-License-Identifier: LGPL-2.1-or-later
/** Exit codes of the `cairn` command (DESIGN.md §5). */
export const ExitCode = {
  Done: 0,
  Error: 1,
  BadUsage: 2,
  NothingToDo: 3,
  RebootRequired: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
