import { basename } from 'node:path';

/**
 * The script a Claude Code command runs, for hook names (as registerClaudeSettings names them):
 * the first word that looks like a path, else the first word — its base name, without quotes,
 * `@` (not allowed in names) made `_`, at most 60 characters.
 */
export function shortName(argv: readonly string[]): string {
  const words = argv.join(' ').trim().split(/\s+/);
  const script = words.find((w) => /[/.]/.test(w) && !w.startsWith('-')) ?? words[0] ?? 'hook';
  return (basename(script.replace(/["']/g, '')) || 'hook').replace(/@/g, '_').slice(0, 60);
}

/** `base`, or `base#2`, `base#3`… — the first not in `taken` (keys `name@point`); it is added. */
export function uniqueName(base: string, point: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(`${name}@${point}`); n++) name = `${base}#${n}`;
  taken.add(`${name}@${point}`);
  return name;
}
