// SPDX-License-Identifier: LGPL-2.1-or-later
// `cairn repo ...`: the publisher's commands. Filled in by the publisher work.
import type { Command } from 'commander';

export function registerRepoCommands(program: Command): void {
  program.command('repo').description('publisher tools for the update server\u2019s repository');
}
