import { describe, expect, it } from 'vitest';
import {
  auditHooks,
  type ExecutionMode,
  HookExecutor,
  type HookFunction,
  HookRegistry,
  HookResult,
  isGuardPoint,
  type RegisterOptions,
} from '../src/index.js';
import { never, recordingSink, sleep } from './helpers.js';

// Guards must never be switched off silently (issue 13 part 1): every way a hook that can cancel
// ends without a verdict — it never settles, ignores its signal, throws (an Error or anything
// else), returns an invalid result, cannot be launched, is refused by its open breaker or by a
// half-open breaker whose single probe is in flight — ends in a documented decision.

const POINT = 'BeforeToolExecution';

/** How the guard misbehaves. `prime` fires run first (e.g. to open the breaker). */
interface Cause {
  name: string;
  /** Record status of the guard in the fire under test. */
  status: 'error' | 'timeout' | 'skipped';
  /** Words the fail-closed cancel reason must contain. */
  reason: RegExp;
  hook(): HookFunction;
  options?: RegisterOptions;
  /** Fires before the one under test; the last returned promise is the fire under test. */
  fire?(fire: () => Promise<unknown>): Promise<unknown>;
}

const launchFailure = (): Error =>
  Object.assign(new Error('spawn ./guard.sh ENOENT'), { code: 'ENOENT', syscall: 'spawn ./guard.sh' });

const CAUSES: Cause[] = [
  {
    name: 'never settles',
    status: 'timeout',
    reason: /timed out after 30 ms/,
    hook: () => () => never(),
    options: { timeoutMs: 30 },
  },
  {
    name: 'ignores its signal',
    status: 'timeout',
    reason: /timed out after 30 ms/,
    hook: () => (_ctx, _signal) => never(),
    options: { timeoutMs: 30 },
  },
  {
    name: 'throws',
    status: 'error',
    reason: /failed: rm -rf check crashed/,
    hook: () => () => {
      throw new Error('rm -rf check crashed');
    },
  },
  {
    name: 'rejects',
    status: 'error',
    reason: /failed: rm -rf check crashed/,
    hook: () => async () => {
      throw new Error('rm -rf check crashed');
    },
  },
  {
    name: 'throws a non-Error (null-prototype object)',
    status: 'error',
    reason: /failed: .*cannot be kept as an error|failed: \{\}/,
    hook: () => () => {
      throw Object.create(null);
    },
  },
  {
    name: 'rejects with a revoked Proxy',
    status: 'error',
    reason: /failed: .*revoked Proxy/,
    hook: () => () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return Promise.reject(proxy);
    },
  },
  {
    name: 'returns an invalid result',
    status: 'error',
    reason: /not a HookResult/,
    hook: () => () => ({ type: 'deny' }) as never,
  },
  {
    name: 'returns a result whose type getter throws',
    status: 'error',
    reason: /reading it threw/,
    hook: () => () =>
      ({
        get type(): string {
          throw new Error('gotcha');
        },
      }) as never,
  },
  {
    name: 'cannot be launched',
    status: 'error',
    reason: /ENOENT/,
    hook: () => async () => {
      throw launchFailure();
    },
  },
  {
    name: 'open breaker',
    status: 'skipped',
    reason: /could not start \(circuit breaker open/,
    // Fails once (which opens its breaker), then would deny — but is never asked again.
    hook: () => {
      let calls = 0;
      return () => {
        if (calls++ === 0) throw new Error('flaky');
        return HookResult.cancel('rm -rf denied');
      };
    },
    options: { breaker: { failureThreshold: 1 } },
    fire: async (fire) => {
      await fire();
      return fire();
    },
  },
  {
    name: 'half-open probe in flight',
    status: 'skipped',
    reason: /could not start \(circuit breaker half-open: a probe call is already in flight\)/,
    hook: () => {
      let calls = 0;
      return async () => {
        if (calls++ === 0) throw new Error('flaky');
        await sleep(60);
        return HookResult.cancel('rm -rf denied');
      };
    },
    options: { breaker: { failureThreshold: 1, openMs: 5 } },
    fire: async (fire) => {
      await fire();
      await sleep(10); // the breaker is due for a probe
      const probe = fire(); // holds the single probe for 60 ms
      const refused = fire();
      await probe;
      return refused;
    },
  },
];

type Setup =
  | 'fail-open hook'
  | 'fail-closed hook'
  | 'failClosed point'
  | "failClosed point, hook says 'continue'";
const SETUPS: { setup: Setup; closed: boolean }[] = [
  { setup: 'fail-open hook', closed: false },
  { setup: 'fail-closed hook', closed: true },
  { setup: 'failClosed point', closed: true },
  { setup: "failClosed point, hook says 'continue'", closed: false },
];
const MODES: ExecutionMode[] = ['sequential', 'parallel'];

describe('guard decision table: cause × setup × mode', () => {
  for (const cause of CAUSES) {
    for (const { setup, closed } of SETUPS) {
      for (const mode of MODES) {
        it(`${cause.name} · ${setup} · ${mode} → ${closed ? 'cancel' : 'continue'}`, async () => {
          const registry = new HookRegistry();
          const sink = recordingSink();
          const executor = new HookExecutor(registry, { sink });
          const options: RegisterOptions = { name: 'rm-guard', ...cause.options };
          if (setup === 'fail-closed hook') options.onFailure = 'cancel';
          if (setup === "failClosed point, hook says 'continue'") options.onFailure = 'continue';
          if (setup.startsWith('failClosed point')) registry.configurePoint(POINT, { failClosed: true });
          registry.register(POINT, cause.hook(), options);
          // A sibling that runs after the guard: it shows the chain went on (or was stopped).
          registry.register(POINT, () => HookResult.modified({ audited: true }), {
            name: 'audit',
            priority: 'low',
          });
          const fire = () => executor.fire(POINT, { data: { cmd: 'rm -rf /' } }, { mode });
          const outcome = (await (cause.fire ? cause.fire(fire) : fire())) as Awaited<
            ReturnType<typeof fire>
          >;
          const guard = outcome.records.find((r) => r.name === 'rm-guard')!;
          expect(guard.status).toBe(cause.status);
          expect(outcome.records).toHaveLength(2);
          if (closed) {
            expect(outcome.decision.type).toBe('cancel');
            const reason = (outcome.decision as { reason: string }).reason;
            expect(reason).toMatch(/^hook 'rm-guard' is fail-closed and /);
            expect(reason).toMatch(cause.reason);
          } else {
            expect(outcome.decision.type).not.toBe('cancel');
            // Fail-open is never silent: the guard's record says what happened, and so does an event.
            const event = sink.events.find(
              (e) =>
                e.data.hook === 'rm-guard' &&
                e.type !== 'hook.breaker.opened' &&
                e.data.fireSeq !== undefined,
            );
            expect(event).toBeDefined();
          }
          if (mode === 'sequential' && closed) {
            expect(outcome.records.find((r) => r.name === 'audit')!.status).toBe('skipped');
          }
          if (cause.status === 'skipped') {
            expect(
              sink.events.some((e) => e.type === 'hook.breaker.opened' && e.data.hook === 'rm-guard'),
            ).toBe(true);
          }
        });
      }
    }
  }
});

describe('default breaker never switches a guard off for ordinary durations', () => {
  it('a ~100 ms guard denying 10 times in a row with default options denies 10 times', async () => {
    const registry = new HookRegistry();
    const sink = recordingSink();
    const executor = new HookExecutor(registry, { sink });
    registry.register(
      POINT,
      async () => {
        await sleep(100); // what starting a process and a script costs
        return HookResult.cancel('rm -rf denied');
      },
      { name: 'rm-guard' },
    );
    const decisions: string[] = [];
    for (let i = 0; i < 10; i++) {
      const outcome = await executor.fire(POINT, { data: { cmd: 'rm -rf /' } });
      decisions.push(outcome.decision.type);
    }
    expect(decisions).toEqual(Array(10).fill('cancel'));
    expect(sink.events.filter((e) => e.type.startsWith('hook.breaker.'))).toEqual([]);
    expect(registry.get('rm-guard@BeforeToolExecution')!.breaker!.state).toBe('closed');
  });
});

describe('breaker transitions are lifecycle events', () => {
  it('opened → half_open → closed, with hook, point, state and reason', async () => {
    const registry = new HookRegistry();
    const sink = recordingSink();
    const executor = new HookExecutor(registry, { sink });
    let fail = true;
    registry.register(
      POINT,
      () => {
        if (fail) throw new Error('down');
      },
      { name: 'flaky', breaker: { failureThreshold: 2, successThreshold: 1, openMs: 20 } },
    );
    await executor.fire(POINT);
    await executor.fire(POINT);
    await executor.fire(POINT); // skipped: open
    fail = false;
    await sleep(30);
    await executor.fire(POINT); // the probe succeeds and closes it
    const changes = sink.events.filter((e) => e.type.startsWith('hook.breaker.'));
    expect(changes.map((e) => e.type)).toEqual([
      'hook.breaker.opened',
      'hook.breaker.half_open',
      'hook.breaker.closed',
    ]);
    expect(changes[0]!.data).toMatchObject({
      point: POINT,
      hook: 'flaky',
      hookId: expect.stringMatching(/^flaky@BeforeToolExecution#/),
      state: 'open',
      failClosed: false,
      reason: expect.stringMatching(/2 failures within 30000 ms; calls are skipped for 20 ms/),
    });
    expect(changes[1]!.data).toMatchObject({ state: 'half-open' });
    expect(changes[2]!.data).toMatchObject({ state: 'closed' });
    expect(changes.every((e) => e.meta.correlationId !== undefined)).toBe(true);
  });

  it('a fail-closed breaker says that calls cancel', async () => {
    const registry = new HookRegistry();
    const sink = recordingSink();
    const executor = new HookExecutor(registry, { sink });
    registry.configurePoint(POINT, { failClosed: true });
    registry.register(
      POINT,
      () => {
        throw new Error('down');
      },
      { name: 'guard', breaker: { failureThreshold: 1 } },
    );
    await executor.fire(POINT);
    const opened = sink.events.find((e) => e.type === 'hook.breaker.opened')!;
    expect(opened.data).toMatchObject({ failClosed: true, reason: expect.stringMatching(/calls cancel/) });
  });
});

describe('failClosed points', () => {
  it('pointConfig and list() report the effective onFailure and where it comes from', () => {
    const registry = new HookRegistry();
    registry.register(POINT, () => {}, { name: 'inherits' });
    registry.register(POINT, () => {}, { name: 'opts-out', onFailure: 'continue' });
    registry.register('AfterToolExecution', () => {}, { name: 'elsewhere' });
    registry.configurePoint(POINT, { failClosed: true });
    expect(registry.pointConfig(POINT).failClosed).toBe(true);
    const by = Object.fromEntries(registry.list().map((h) => [h.name, [h.onFailure, h.onFailureSource]]));
    expect(by).toEqual({
      inherits: ['cancel', 'point'],
      'opts-out': ['continue', 'hook'],
      elsewhere: ['continue', 'default'],
    });
  });

  it('switching failClosed on after a fire takes effect on the next fire', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    registry.register(POINT, () => {
      throw new Error('x');
    });
    expect((await executor.fire(POINT)).decision.type).toBe('continue');
    registry.configurePoint(POINT, { failClosed: true });
    expect((await executor.fire(POINT)).decision.type).toBe('cancel');
  });

  it('a deliberate skip (shouldExecute false) is not a failure', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    registry.configurePoint(POINT, { failClosed: true });
    registry.register(POINT, { execute: () => HookResult.cancel('no'), shouldExecute: () => false });
    expect((await executor.fire(POINT)).decision.type).toBe('continue');
  });
});

describe('auditHooks', () => {
  it('lists hooks that can fail open at guard points, and why', () => {
    const registry = new HookRegistry();
    registry.register(POINT, () => {}, { name: 'default-guard', language: 'command' });
    registry.register(POINT, () => {}, { name: 'closed-guard', onFailure: 'cancel' });
    registry.register(POINT, () => {}, { name: 'off', onFailure: 'cancel', enabled: false });
    registry.register('AfterToolExecution', () => {}, { name: 'observer' });
    registry.register('BeforeAgentExecution', () => {}, {
      name: 'explicit',
      onFailure: 'continue',
      breaker: false,
    });
    registry.register('custom:deploy', () => {}, { name: 'custom-default' });
    registry.register('custom:gate', () => {}, { name: 'custom-open', onFailure: 'continue' });
    registry.configurePoint('custom:gate', { failClosed: true });
    const findings = auditHooks(registry);
    expect(findings.map((f) => f.name).sort()).toEqual(['custom-open', 'default-guard', 'explicit', 'off']);
    const byName = Object.fromEntries(findings.map((f) => [f.name, f]));
    expect(byName['default-guard']).toMatchObject({
      onFailureSource: 'default',
      paths: ['timeout', 'error', 'invalid result', 'launch failure', 'breaker open'],
      why: expect.stringMatching(/not failClosed.*tool call does not run/),
      fix: expect.stringMatching(/failClosed: true/),
    });
    expect(byName.explicit).toMatchObject({
      onFailureSource: 'hook',
      paths: ['timeout', 'error', 'invalid result'],
      why: expect.stringMatching(/onFailure: 'continue'/),
    });
    expect(byName.off!.paths).toEqual(['disabled']);
    expect(isGuardPoint(POINT)).toBe(true);
    expect(isGuardPoint('AfterToolExecution')).toBe(false);
    expect(isGuardPoint('custom:gate')).toBe(false);
  });

  it('is empty once every guard point fails closed', () => {
    const registry = new HookRegistry();
    registry.register(POINT, () => {}, { name: 'g' });
    registry.configurePoint(POINT, { failClosed: true });
    expect(auditHooks(registry)).toEqual([]);
  });
});

describe('a critical sibling never switches a fail-closed guard off', () => {
  for (const mode of MODES) {
    it(`${mode}: the guard that could not run (or was abandoned) cancels`, async () => {
      const registry = new HookRegistry();
      const executor = new HookExecutor(registry);
      registry.configurePoint(POINT, { failClosed: true, abortOnCritical: true });
      registry.register(
        POINT,
        () => {
          throw new Error('critical broke');
        },
        { name: 'critical', critical: true, onFailure: 'continue', priority: 'highest' },
      );
      registry.register(POINT, async () => HookResult.cancel('rm -rf denied'), { name: 'guard' });
      const outcome = await executor.fire(POINT, {}, { mode, maxParallel: 1 });
      expect(outcome.records.map((r) => [r.name, r.status])).toEqual([
        ['critical', 'error'],
        ['guard', 'skipped'],
      ]);
      expect(outcome.decision).toEqual({
        type: 'cancel',
        reason: expect.stringMatching(
          /^hook 'guard' is fail-closed and could not run \(critical hook 'critical' failed/,
        ),
      });
    });
  }

  it('parallel: a fail-closed guard abandoned by abortOnCritical cancels', async () => {
    const registry = new HookRegistry();
    const executor = new HookExecutor(registry);
    registry.configurePoint(POINT, { failClosed: true, abortOnCritical: true });
    registry.register(POINT, () => sleep(50).then(() => HookResult.cancel('denied')), { name: 'guard' });
    registry.register(
      POINT,
      async () => {
        await sleep(5);
        throw new Error('critical broke');
      },
      { name: 'critical', critical: true, onFailure: 'continue' },
    );
    const outcome = await executor.fire(POINT, {}, { mode: 'parallel' });
    expect(outcome.decision).toEqual({
      type: 'cancel',
      reason: expect.stringMatching(/^hook 'guard' is fail-closed and was abandoned/),
    });
  });
});
