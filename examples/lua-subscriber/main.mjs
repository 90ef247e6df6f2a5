// lua-subscriber: a Lua script subscribes to `tool.*` on the event bus and counts what it sees
// into State; the host publishes the events of a few tool calls.
//
//   pnpm --filter @hookspell/example-lua-subscriber start
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScriptRuntime } from '@hookspell/bridge';
import { EventBus } from '@hookspell/events';
import { HookRegistry } from '@hookspell/hooks';
import { MemoryStorage, ScopedState } from '@hookspell/storage';

const here = dirname(fileURLToPath(import.meta.url));
const bus = new EventBus();
const state = new ScopedState(MemoryStorage());
const scripts = new ScriptRuntime({ registry: new HookRegistry(), bus, state });

const script = await scripts.loadFile(join(here, 'tool-stats.lua'));
await script.run();
console.log(`lua-subscriber: ${script.name} ${script.logs.map((l) => l.message).join('; ')}`);
bus.subscribe('alert.*', (e) => console.log(`  alert from Lua: ${e.type} ${JSON.stringify(e.data)}`));

// What an agent's tool runner would publish.
const calls = [
  ['search', 120, undefined],
  ['calc', 3, undefined],
  ['search', 95, undefined],
  ['search', 2000, 'timeout after 2000 ms'],
  ['calc', 4, undefined],
];
let published = 0;
for (const [tool, ms, error] of calls) {
  await bus.publish('tool.started', { tool });
  if (error) await bus.publish('tool.failed', { tool, error, ms });
  else await bus.publish('tool.completed', { tool, ms });
  published += 2;
}
await bus.publish('tool.cache.hit', { tool: 'search' }); // two segments after `tool`: not matched
published++;
console.log(`published ${published} events`);

await bus.idle(); // every subscriber has finished with what was published
console.log('State custom:tool-stats:');
for (const key of await state.listKeys('custom:tool-stats')) {
  console.log(`  ${key.padEnd(17)} ${await state.load('custom:tool-stats', key)}`);
}
await scripts.dispose();
