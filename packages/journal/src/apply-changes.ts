import { HookError, HookErrorCode } from '@hookspell/hooks';

/**
 * Applies replay `changes` to a stored context, in place: keys are paths `data.<key>[.<key>…]`
 * or `metadata.<key>`; `undefined` deletes. `data` or `metadata` alone takes an object whose
 * keys are set one by one (`{ data: { cmd: 'pwd' } }` = `{ 'data.cmd': 'pwd' }`), for callers
 * who write changes as nested objects. Anything else is `HOOKSPELL_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * applyChanges(ctx, { 'data.args.0.cmd': 'pwd', 'metadata.user_id': 'bob', 'data.debug': undefined });
 * applyChanges(ctx, { data: { cmd: 'pwd' }, metadata: { user_id: 'bob' } });
 * ```
 */
export function applyChanges(
  context: { data: Record<string, unknown>; metadata: Record<string, string> },
  changes: Record<string, unknown>,
): void {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    throw new HookError(
      HookErrorCode.INVALID_ARGUMENT,
      "replay(): `changes` must be an object such as { 'data.cmd': 'pwd', 'metadata.user_id': 'bob' }.",
    );
  }
  for (const [path, value] of Object.entries(changes)) {
    if ((path === 'data' || path === 'metadata') && isPlainObject(value)) {
      applyChanges(
        context,
        Object.fromEntries(Object.entries(value).map(([key, v]) => [`${path}.${key}`, v])),
      );
      continue;
    }
    const parts = path.split('.');
    const [root, ...rest] = parts;
    if ((root !== 'data' && root !== 'metadata') || rest.length === 0 || rest.some((p) => p.length === 0)) {
      throw new HookError(
        HookErrorCode.INVALID_ARGUMENT,
        `replay(): change '${path}' must name a path under \`data.\` or \`metadata.\` (e.g. 'data.args.0', 'metadata.user_id').`,
      );
    }
    if (root === 'metadata') {
      if (rest.length !== 1) {
        throw new HookError(
          HookErrorCode.INVALID_ARGUMENT,
          `replay(): metadata is flat; '${path}' names a nested key.`,
        );
      }
      if (value === undefined) delete context.metadata[rest[0]!];
      else context.metadata[rest[0]!] = typeof value === 'string' ? value : JSON.stringify(value);
      continue;
    }
    let target: Record<string, unknown> = context.data;
    for (const key of rest.slice(0, -1)) {
      const next = target[key];
      if (typeof next !== 'object' || next === null) target[key] = {};
      target = target[key] as Record<string, unknown>;
    }
    const last = rest[rest.length - 1]!;
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
