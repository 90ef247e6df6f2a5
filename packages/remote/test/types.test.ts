import { type Hook, HookRegistry, type HookResult } from '@hookspell/hooks';
import { describe, expectTypeOf, it } from 'vitest';
import { type HookService, type RemoteHook, remoteHook, serveHooks } from '../src/index.js';

// Type tests: a remote hook registers at any point of any registry, typed or not.
interface ToolData {
  tool: string;
  args: readonly string[];
}
type Points = { 'custom:tool': ToolData; BeforeToolExecution: ToolData };

describe('types', () => {
  it('a remote hook is a hook of a typed registry too', () => {
    const typed = new HookRegistry<Points>();
    const hook = remoteHook({ subject: 'policy.tools' });
    typed.register('custom:tool', hook);
    typed.register('BeforeToolExecution', hook, { name: 'again' });
    new HookRegistry().register('AfterToolExecution', hook);
    expectTypeOf(hook).toMatchTypeOf<Hook>();
    expectTypeOf(hook.execute).returns.toEqualTypeOf<Promise<HookResult>>();
    expectTypeOf(hook.close).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf<RemoteHook['timeoutMs']>().toEqualTypeOf<number | undefined>();
  });

  it('serveHooks takes any registry and resolves with a service handle', () => {
    // Never called: only compiled.
    const serveTyped = () => serveHooks(new HookRegistry<Points>(), { subject: 'policy.tools' });
    expectTypeOf(serveTyped).returns.resolves.toEqualTypeOf<HookService>();
    // @ts-expect-error a subject is required
    const noSubject = () => serveHooks(new HookRegistry(), {});
    // @ts-expect-error remoteHook needs its options
    const noOptions = () => remoteHook();
    expectTypeOf(noSubject).toBeFunction();
    expectTypeOf(noOptions).toBeFunction();
  });
});
