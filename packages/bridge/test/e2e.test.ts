import { HookResult } from '@hookspell/hooks';
import { describe, expect, it } from 'vitest';
import { world } from './helpers.js';

describe('end to end: Lua and JavaScript policies fired by the TypeScript executor', () => {
  it('cancels shell, redacts an e-mail in modified data, and counts tool events into State', async () => {
    const w = world();
    await w.script(
      `-- deny-shell.lua
       Hook.register('BeforeToolExecution', function(ctx)
         if ctx.component.name == 'shell' then
           return { type = 'cancel', reason = 'shell is not allowed' }
         end
       end, 'high')`,
      { name: 'deny-shell.lua' },
    );
    await w.script(
      `// redact-email.js
       Hook.register('BeforeToolExecution', (ctx) => {
         const text = ctx.data.input;
         if (typeof text !== 'string') return undefined;
         const redacted = text.replace(/[\\w.+-]+@[\\w-]+\\.[\\w.]+/g, '[redacted]');
         return redacted === text ? undefined : { type: 'modified', data: { input: redacted } };
       });`,
      { name: 'redact-email.js' },
    );
    await w.script(
      `-- count-tools.lua
       Event.subscribe('tool.*', function(e)
         local n = State.load('global', 'tool_events') or 0
         State.save('global', 'tool_events', n + 1)
       end)`,
      { name: 'count-tools.lua' },
    );
    // TypeScript side: a host that fires the point and publishes what it did.
    const runTool = async (name: string, input: string) => {
      const outcome = await w.executor.fire('BeforeToolExecution', {
        component: { type: 'tool', name },
        data: { input },
      });
      if (outcome.decision.type === 'cancel') {
        await w.bus.publish('tool.denied', { name, reason: outcome.decision.reason });
        return { denied: outcome.decision.reason };
      }
      await w.bus.publish('tool.executed', { name, input: outcome.data.input });
      return { ran: outcome.data.input };
    };
    expect(await runTool('shell', 'rm -rf /')).toEqual({ denied: 'shell is not allowed' });
    expect(await runTool('mailer', 'write to alice.smith@example.com today')).toEqual({
      ran: 'write to [redacted] today',
    });
    expect(await runTool('calc', '1 + 1')).toEqual({ ran: '1 + 1' });
    await w.bus.flush();
    expect(await w.state.load('global', 'tool_events')).toBe(3);

    const languages = w.registry.list().map((h) => [h.name, h.language]);
    expect(languages).toEqual([
      ['deny-shell.lua#1', 'lua'],
      ['redact-email.js#2', 'javascript'],
    ]);
    const shell = await w.executor.fire('BeforeToolExecution', {
      component: { type: 'tool', name: 'shell' },
    });
    expect(shell.decision).toEqual(HookResult.cancel('shell is not allowed'));
    expect(shell.records.map((r) => r.status)).toEqual(['ok', 'skipped']);
    await w.runtime.dispose();
    expect(w.registry.list()).toEqual([]);
    expect(w.bus.subscriptions()).toEqual([]);
  });
});
