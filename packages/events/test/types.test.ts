import { describe, expectTypeOf, it } from 'vitest';
import { EventBus, type HookspellEvent } from '../src/index.js';

// Compile-time checks: `tsc --noEmit -p tsconfig.json` (the package's typecheck) fails when these
// types regress; at run time the tests only build buses and subscriptions.

describe('event types', () => {
  it('an untyped bus gives subscribers `type: string` and `data: unknown`', async () => {
    const bus = new EventBus();
    bus.subscribe('tool.*', (e) => {
      expectTypeOf(e.type).toEqualTypeOf<string>();
      expectTypeOf(e.data).toEqualTypeOf<unknown>();
      if (e.type === 'tool.started') return; // compared with a concrete type: compiles
    });
    bus.subscribe('tool.started', (e) => {
      expectTypeOf(e).toEqualTypeOf<HookspellEvent>();
    });
    bus.subscribe('**', (e) => void (e.type === 'agent.done'));
    for await (const e of bus.stream('agent.**', { signal: AbortSignal.abort() })) {
      expectTypeOf(e.type).toEqualTypeOf<string>();
      if (e.type === 'agent.done') break;
    }
    // (never called: `once` only needs to type-check here)
    const next = () => bus.once('job.*', { filter: (e) => e.type !== 'job.skipped' });
    expectTypeOf(next).returns.resolves.toEqualTypeOf<HookspellEvent>();
    // publishing takes any data, or none
    await bus.publish('tool.started');
    await bus.publish('tool.started', { anything: [1] });
  });

  it('a typed bus narrows exact names and leaves patterns at the general event', async () => {
    type Events = { 'tool.started': { tool: string }; 'tool.done': { ms: number }; 'run.done': undefined };
    const bus = new EventBus<Events>();
    bus.subscribe('tool.started', (e) => {
      expectTypeOf(e.type).toEqualTypeOf<'tool.started'>();
      expectTypeOf(e.data).toEqualTypeOf<{ tool: string }>();
      // @ts-expect-error: the exact name narrows `type`, so comparing with another name is an error
      void (e.type === 'tool.done');
    });
    bus.subscribe('run.done', (e) => expectTypeOf(e.data).toEqualTypeOf<undefined>());
    bus.subscribe('tool.*', (e) => {
      expectTypeOf(e.type).toEqualTypeOf<string>();
      expectTypeOf(e.data).toEqualTypeOf<unknown>();
    });
    const done = () => bus.once('tool.done');
    expectTypeOf(done).returns.resolves.toEqualTypeOf<HookspellEvent<{ ms: number }, 'tool.done'>>();
    for await (const e of bus.stream('tool.started', { signal: AbortSignal.abort() })) {
      expectTypeOf(e.data.tool).toEqualTypeOf<string>();
    }
    await bus.publish('tool.started', { tool: 'calc' });
    await bus.publish('run.done');
    // @ts-expect-error: `tool` must be a string
    await bus.publish('tool.started', { tool: 42 });
    // @ts-expect-error: the data of tool.started is required
    await bus.publish('tool.started');
  });

  it('a bus with an index signature and named events narrows the named ones only', () => {
    type Events = Record<string, unknown> & { 'tool.started': { tool: string } };
    const bus = new EventBus<Events>();
    bus.subscribe('tool.started', (e) => expectTypeOf(e.data).toEqualTypeOf<{ tool: string }>());
    bus.subscribe('other.thing', (e) => {
      expectTypeOf(e.type).toEqualTypeOf<string>();
      expectTypeOf(e.data).toEqualTypeOf<unknown>();
    });
  });
});
