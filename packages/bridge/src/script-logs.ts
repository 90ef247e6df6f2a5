import type { ScriptLogEntry } from './types.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * What one script printed (`print`) and logged (`log.*`), kept for `script.logs`: at most
 * `maxLines` lines of at most `budget` bytes (UTF-8) in all, the oldest dropped first; a line
 * longer than the whole budget keeps its head. What was dropped is stated in a first entry
 * (`… N bytes of output dropped …`), so a reader knows the output is not whole.
 * @internal
 */
export class ScriptLogBuffer {
  readonly entries: ScriptLogEntry[] = [];
  /** UTF-8 size of each kept line (after the marker, if any), and their sum. */
  readonly #sizes: number[] = [];
  #keptBytes = 0;
  /** What was dropped so far, stated in the first entry once there is any (`#marked`). */
  #dropBytes = 0;
  #dropLines = 0;
  #cutLines = 0;
  #marked = false;

  constructor(
    readonly budget: number,
    readonly maxLines: number,
  ) {}

  /** Keeps a line; returns it as kept (cut to the budget when longer). */
  keep(level: ScriptLogEntry['level'], message: string): string {
    const { budget, maxLines } = this;
    let bytes = Buffer.byteLength(message, 'utf8');
    if (bytes > budget) {
      const head = headOf(message, budget);
      this.#dropBytes += bytes - head.bytes;
      this.#cutLines++;
      message = head.text;
      bytes = head.bytes;
    }
    const logs = this.entries;
    const first = this.#marked ? 1 : 0;
    while (logs.length > first && (logs.length - first >= maxLines || this.#keptBytes + bytes > budget)) {
      logs.splice(first, 1);
      const size = this.#sizes.shift()!;
      this.#keptBytes -= size;
      this.#dropBytes += size;
      this.#dropLines++;
    }
    logs.push({ level, message, timestamp: Date.now() });
    this.#sizes.push(bytes);
    this.#keptBytes += bytes;
    if (this.#dropLines > 0 || this.#cutLines > 0) {
      const marker: ScriptLogEntry = {
        level: 'print',
        message: `… ${this.#dropBytes} bytes of output dropped (${this.#dropLines} earlier lines, ${this.#cutLines} lines cut short): a script keeps its last ${budget} bytes (\`limits.printBytes\`) and ${maxLines} lines (\`maxLogLines\`) of print and log output`,
        timestamp: Date.now(),
      };
      if (this.#marked) logs[0] = marker;
      else logs.unshift(marker);
      this.#marked = true;
    }
    return message;
  }
}

/**
 * The longest head of `text` that is at most `bytes` bytes of UTF-8, cut between characters.
 * Decoded into a new string: a slice would keep the whole original alive.
 */
function headOf(text: string, bytes: number): { text: string; bytes: number } {
  const buf = new Uint8Array(bytes);
  const { written } = encoder.encodeInto(text, buf);
  return { text: decoder.decode(buf.subarray(0, written)), bytes: written };
}
