import { Buffer } from 'node:buffer';

/**
 * The data itself (or, with `copy`, a JSON copy of it) when its JSON fits in `max` bytes, else its
 * JSON cut at `max` bytes and marked.
 */
export function truncated(data: Record<string, unknown>, max: number, copy = false): unknown {
  let json: string;
  try {
    json = JSON.stringify(data) ?? 'undefined';
  } catch (error) {
    return `[unserializable data: ${error instanceof Error ? error.message : String(error)}]`;
  }
  const bytes = json.length <= max / 3 ? json.length : Buffer.byteLength(json); // ≤ 3 bytes per UTF-16 unit
  if (bytes <= max) return copy ? JSON.parse(json) : data;
  // Cut on a character boundary: decoding a byte slice drops a split trailing character.
  const cut = Buffer.from(json)
    .subarray(0, max)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return `${cut}… [truncated ${bytes - Buffer.byteLength(cut)} of ${bytes} bytes]`;
}
