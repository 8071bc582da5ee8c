// SPDX-License-Identifier: LGPL-2.1-or-later
// Collects a hook's output: the last bytes of stdout and stderr together (kept in the hook record)
// and, when asked, each complete line as it arrives (for the journal or a progress view).
import { StringDecoder } from 'node:string_decoder';

/** Bytes of output kept in a hook record. */
export const OUTPUT_TAIL_BYTES = 4096;

export class OutputCollector {
  #tail: Buffer = Buffer.alloc(0);
  readonly #partial = new Map<string, { decoder: StringDecoder; text: string }>();

  constructor(private readonly onLine?: (line: string) => void) {}

  /** Adds a chunk from the stream named `stream` (lines are split per stream). */
  push(stream: string, chunk: Buffer): void {
    const joined = Buffer.concat([this.#tail, chunk]);
    this.#tail = joined.subarray(Math.max(0, joined.length - OUTPUT_TAIL_BYTES));
    if (this.onLine === undefined) return;
    let partial = this.#partial.get(stream);
    if (partial === undefined) {
      partial = { decoder: new StringDecoder('utf8'), text: '' };
      this.#partial.set(stream, partial);
    }
    const lines = (partial.text + partial.decoder.write(chunk)).split('\n');
    partial.text = lines.pop() ?? '';
    for (const line of lines) this.onLine(line);
  }

  /** Emits unterminated last lines; returns the tail as text. */
  finish(): string {
    for (const partial of this.#partial.values()) {
      const rest = partial.text + partial.decoder.end();
      if (rest !== '') this.onLine?.(rest);
    }
    this.#partial.clear();
    let start = 0;
    // The cut may fall inside a UTF-8 sequence: drop its continuation bytes rather than show U+FFFD.
    while (start < this.#tail.length && start < 3 && (this.#tail[start] & 0xc0) === 0x80) start++;
    return this.#tail.subarray(start).toString('utf8');
  }
}
