import {
  type ComponentRef,
  type HookContext,
  type HookInput,
  type HookPoint,
  HookResult,
  systemClock,
} from '@hookspell/hooks';
import {
  type BuiltinHook,
  type BuiltinOptions,
  check,
  defineBuiltin,
  isoAt,
  positiveOption,
} from './builtin-hook.js';
import { type BuiltinEventOptions, eventEmitter } from './event-target.js';
import { maskSensitive, SENSITIVE_KEYS, sensitiveKeyMatcher } from './mask.js';
import { RingBuffer } from './ring-buffer.js';

export interface SecurityOptions extends BuiltinOptions, BuiltinEventOptions {
  /** Names whose values are masked (case-insensitive, by word; see `sensitiveKeyMatcher`). @default SENSITIVE_KEYS */
  sensitiveKeys?: readonly string[];
  /**
   * `'data'`: later hooks (logging, debugging, the journal, events) see the masked data — and so
   * does the guarded action, so use `'audit'` when it needs the secret; `'audit'`: only the audit
   * log is masked; `false`: nothing is. @default 'data'
   */
  mask?: 'data' | 'audit' | false;
  /** @default '***' */
  maskWith?: string;
  /** Longest string allowed anywhere in the data. @default 10000 */
  maxParameterLength?: number;
  /** More rules: return the violations found (empty or nothing when none). */
  validate?: (ctx: HookContext) => readonly string[] | undefined;
  /** Cancel calls with violations (and register fail-closed). @default false */
  block?: boolean;
  /** Audit events kept. @default 10000 */
  auditSize?: number;
  /** Fires `SecurityViolation` on a violation (the executor the hook is registered with, usually). */
  executor?: { fire(point: HookPoint, input?: HookInput): Promise<unknown> };
}

/** One audited call. */
export interface AuditEvent {
  /** Epoch ms (the hook's clock). */
  readonly at: number;
  readonly point: HookPoint;
  readonly component: ComponentRef;
  readonly correlationId: string;
  readonly violations: readonly string[];
  readonly blocked: boolean;
  /** Values masked in the data. */
  readonly masked: number;
  /** The data, masked unless `mask: false`. */
  readonly data: unknown;
}

export interface AuditQuery {
  point?: HookPoint;
  /** Only calls with violations. */
  violations?: boolean;
  since?: number;
  /** Newest first, at most this many. @default all */
  limit?: number;
}

/** What `security()` returns. */
export interface SecurityHook extends BuiltinHook {
  /** Audited calls, newest first. */
  audit(query?: AuditQuery): AuditEvent[];
  /** Violations seen since creation (or the last `clearAudit`). */
  readonly violations: number;
  clearAudit(): void;
}

/**
 * Audits every call into a bounded log, masks sensitive keys at any depth of the data
 * (case-insensitive), validates parameters (no string over `maxParameterLength`, plus your
 * rules), and on a violation emits `security.violation`, fires `SecurityViolation` (with
 * `executor`) and, with `block`, cancels. Writes `security_checked_at` and `security_blocked`.
 * Priority `highest`; with `block` it is registered fail-closed, so a security hook that fails
 * or cannot start never lets the action through.
 *
 * @example
 * ```ts
 * const guard = security({ block: true, executor, mask: 'audit' });
 * guard.register(registry); // BeforeToolExecution, BeforeAgentExecution, ToolValidation, BeforeWorkflowStart
 * guard.audit({ violations: true, limit: 20 });
 * ```
 */
export function security(options: SecurityOptions = {}): SecurityHook {
  const {
    sensitiveKeys = SENSITIVE_KEYS,
    mask = 'data',
    maskWith = '***',
    block = false,
    clock = systemClock,
    executor,
  } = options;
  check(
    mask === 'data' || mask === 'audit' || mask === false,
    'security',
    "`mask` must be 'data', 'audit' or false.",
  );
  const maxLength = positiveOption(options.maxParameterLength, 10_000, 'security', 'maxParameterLength');
  const auditSize = positiveOption(options.auditSize, 10_000, 'security', 'auditSize');
  const isSensitive = sensitiveKeyMatcher(sensitiveKeys);
  const log = new RingBuffer<AuditEvent>(auditSize);
  const emit = eventEmitter(options);
  let violationCount = 0;

  const execute = (ctx: HookContext): HookResult | undefined | Promise<HookResult | undefined> => {
    const masked =
      mask === false ? { value: ctx.data, masked: 0 } : maskSensitive(ctx.data, isSensitive, maskWith);
    const violations: string[] = [];
    longStrings(ctx.data, maxLength, 'data', violations, new Set());
    const extra = options.validate?.(ctx);
    if (extra) violations.push(...extra);
    const blocked = block && violations.length > 0;
    ctx.metadata.security_checked_at = isoAt(clock);
    ctx.metadata.security_blocked = String(blocked);
    if (masked.masked > 0) ctx.metadata.security_masked = String(masked.masked);
    log.push({
      at: clock.now(),
      point: ctx.point,
      component: ctx.component,
      correlationId: ctx.correlationId,
      violations,
      blocked,
      masked: masked.masked,
      data: masked.value,
    });
    const result = blocked
      ? HookResult.cancel(`security: ${violations.join('; ')}`)
      : mask === 'data' && masked.masked > 0
        ? HookResult.modified(masked.value as Record<string, unknown>)
        : undefined;
    // At SecurityViolation itself only audit, or a violation would fire itself forever.
    if (violations.length === 0 || ctx.point === 'SecurityViolation') return result;
    violationCount += violations.length;
    const report = { point: ctx.point, component: ctx.component, violations, blocked };
    emit('security.violation', report);
    if (executor === undefined) return result;
    return executor
      .fire('SecurityViolation', { component: ctx.component, data: report, correlationId: ctx.correlationId })
      .then(
        () => result,
        () => result,
      );
  };

  return defineBuiltin(
    {
      name: 'security',
      priority: 'highest',
      points: ['BeforeToolExecution', 'BeforeAgentExecution', 'ToolValidation', 'BeforeWorkflowStart'],
      options,
      registerOptions: block ? { onFailure: 'cancel' } : {},
      execute,
    },
    {
      audit(query: AuditQuery = {}): AuditEvent[] {
        const out: AuditEvent[] = [];
        const limit = query.limit ?? Number.POSITIVE_INFINITY;
        for (const event of log.items(true)) {
          if (out.length >= limit) break;
          if (query.point !== undefined && event.point !== query.point) continue;
          if (query.violations === true && event.violations.length === 0) continue;
          if (query.since !== undefined && event.at < query.since) continue;
          out.push(event);
        }
        return out;
      },
      get violations() {
        return violationCount;
      },
      clearAudit() {
        log.clear();
        violationCount = 0;
      },
    },
  );
}

/** Reports every string longer than `max` under `path`. */
function longStrings(value: unknown, max: number, path: string, out: string[], seen: Set<object>): void {
  if (typeof value === 'string') {
    if (value.length > max) out.push(`${path} is ${value.length} characters long (limit ${max})`);
    return;
  }
  if (typeof value !== 'object' || value === null || seen.has(value)) return;
  seen.add(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) longStrings(value[i], max, `${path}[${i}]`, out, seen);
  } else for (const [k, v] of Object.entries(value)) longStrings(v, max, `${path}.${k}`, out, seen);
}
