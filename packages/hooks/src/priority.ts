import { HookError, HookErrorCode } from './errors/hook-error.js';

/** Named priority levels; lower runs first. */
export type PriorityName = 'highest' | 'high' | 'normal' | 'low' | 'lowest';
/** A named level or any finite number (lower runs first, ties keep registration order). */
export type Priority = PriorityName | number;

/** The numbers behind the named levels (the original system's values). */
export const PRIORITY = Object.freeze({
  highest: -(2 ** 31),
  high: -100,
  normal: 0,
  low: 100,
  lowest: 2 ** 31 - 1,
} satisfies Record<PriorityName, number>);

/** The number of a priority; throws `HOOKSPELL_INVALID_ARGUMENT` for anything else. */
export function priorityValue(priority: Priority | undefined, where = 'priority'): number {
  if (priority === undefined) return PRIORITY.normal;
  if (typeof priority === 'number') {
    if (Number.isFinite(priority)) return priority;
  } else if (Object.hasOwn(PRIORITY, priority)) {
    return PRIORITY[priority];
  }
  throw new HookError(
    HookErrorCode.INVALID_ARGUMENT,
    `\`${where}\` must be 'highest', 'high', 'normal', 'low', 'lowest' or a finite number; got ${JSON.stringify(priority)}.`,
  );
}

/** The level name of a number when it is exactly one of the named levels. */
export function priorityName(value: number): PriorityName | undefined {
  for (const name of Object.keys(PRIORITY) as PriorityName[]) if (PRIORITY[name] === value) return name;
  return undefined;
}
