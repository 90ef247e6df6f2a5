import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

/** A position in a config file, 1-based. */
export interface SourcePosition {
  line: number;
  col: number;
}

/**
 * Where the value at `path` (or, with `key`, the key naming it) starts in the parsed document.
 * A path that does not exist all the way resolves to the deepest part that does, so an error
 * about a missing field points at the object that lacks it.
 */
export function locate(
  doc: Document,
  lines: LineCounter,
  path: readonly (string | number)[],
  options: { key?: boolean } = {},
): SourcePosition | undefined {
  let node: Node | null | undefined = doc.contents as Node | null;
  let keyNode: Node | undefined;
  let last: Node | undefined = node ?? undefined;
  for (const segment of path) {
    keyNode = undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (pair === undefined) break;
      keyNode = pair.key as Node;
      node = pair.value as Node | null;
      last = node ?? keyNode;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)] as Node | undefined;
      if (item === undefined) break;
      node = item;
      last = item;
    } else {
      break;
    }
  }
  const target = options.key && keyNode !== undefined ? keyNode : last;
  const offset = target?.range?.[0];
  if (offset === undefined) return undefined;
  return lines.linePos(offset);
}

/** `hooks/2/point` (ajv's instancePath) → ['hooks', 2, 'point']. */
export function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** ['hooks', 2, 'point'] → `hooks[2].point`, how the field is named in messages. */
export function fieldName(path: readonly (string | number)[]): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += /^[A-Za-z_$][\w$]*$/.test(s) ? (out ? `.${s}` : s) : `[${JSON.stringify(s)}]`;
  }
  return out || '(top level)';
}
