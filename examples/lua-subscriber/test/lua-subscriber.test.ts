import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ScriptRuntime } from '@hookspell/bridge';
import { EventBus } from '@hookspell/events';
import { HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';
import { describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../main.mjs', import.meta.url));
const script = fileURLToPath(new URL('../tool-stats.lua', import.meta.url));

describe('examples/lua-subscriber', () => {
  it('counts tool events into State and raises an alert for the failure', () => {
    const out = execFileSync(process.execPath, [main], { encoding: 'utf8' });
    expect(out).toContain('lua-subscriber: tool-stats.lua subscribed to tool.* (1 subscription)');
    expect(out).toContain(
      'alert from Lua: alert.tool_failed {"tool":"search","error":"timeout after 2000 ms"}',
    );
    expect(out).toContain(
      [
        'State custom:tool-stats:',
        '  calc.completed    2',
        '  calc.ms           7',
        '  calc.started      2',
        '  search.completed  2',
        '  search.failed     1',
        '  search.ms         2215',
        '  search.started    3',
      ].join('\n'),
    );
  });

  it('counts every event of a burst exactly (one delivery at a time, so no lost updates)', async () => {
    const bus = new EventBus();
    const state = new ScopedState(MemoryStorage());
    const runtime = new ScriptRuntime({ registry: new HookRegistry(), bus, state });
    await (await runtime.loadFile(script)).run();
    try {
      for (let i = 0; i < 200; i++) bus.emit('tool.started', { tool: 'search' });
      bus.emit('tool.cache.hit', { tool: 'search' });
      await bus.idle();
      expect(await state.listKeys('custom:tool-stats')).toEqual(['search.started']);
      expect(await state.load('custom:tool-stats', 'search.started')).toBe(200);
    } finally {
      await runtime.dispose();
    }
  });
});
