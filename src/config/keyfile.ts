// SPDX-License-Identifier: LGPL-2.1-or-later
// Reads one configuration file into its assignments, each with its line number, so that errors and
// warnings can point at the exact place. Lines follow the `ini` package's grammar: `[section]`,
// `key = value`, comments starting with `;` or `#`; values are unquoted and stripped of inline
// comments by `ini.unsafe`. Unlike `ini.decode`, a line that is neither a section nor an assignment
// is an error here, not silently skipped.
import { unsafe } from 'ini';
import { CairnError } from '../errors';

export interface Assignment {
  file: string;
  line: number;
  /** null for an assignment before the first section header. */
  section: string | null;
  key: string;
  value: string;
}

const SECTION = /^\[([^\]]*)\]\s*$/;
const ASSIGNMENT = /^([^=]+)=(.*)$/;

export function scanKeyfile(text: string, file: string): Assignment[] {
  const assignments: Assignment[] = [];
  let section: string | null = null;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) return;
    const header = SECTION.exec(line);
    if (header !== null) {
      section = unsafe(header[1]);
      return;
    }
    const assignment = ASSIGNMENT.exec(line);
    if (assignment === null || assignment[1].trim() === '') {
      throw new CairnError(
        'bad-config',
        `${file}:${index + 1}: expected "[section]" or "key = value", found "${line}"`,
      );
    }
    assignments.push({
      file,
      line: index + 1,
      section,
      key: unsafe(assignment[1]),
      value: unsafe(assignment[2]),
    });
  });
  return assignments;
}
