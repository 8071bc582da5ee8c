// SPDX-License-Identifier: LGPL-2.1-or-later
// The small part of the GVariant text format the publisher writes (`--add-metadata=KEY=VALUE` of the
// ostree CLI parses it).

/** A string literal GVariant's parser reads back exactly. */
export function formatString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0) as number;
    if (ch === "'" || ch === '\\') out += `\\${ch}`;
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/** `a{sas}` text for a map of string to string list, typed so empty maps and lists parse too. */
export function formatStringListMap(map: Record<string, string[]>): string {
  const entries = Object.entries(map).map(
    ([key, list]) => `${formatString(key)}: [${list.map(formatString).join(', ')}]`,
  );
  return `@a{sas} {${entries.join(', ')}}`;
}
