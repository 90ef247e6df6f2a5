import { describe, expect, it } from 'vitest';
import {
  HookCancelledError,
  HookError,
  HookExecutor,
  type HookPoint,
  HookRegistry,
  HookResult,
} from '../src/index.js';
import { AGENT_TRANSITIONS, agentLifecycle, agentTransitionPoints } from '../src/lifecycle/index.js';
import { FakeClock } from './helpers.js';

const ALL: HookPoint[] = [
  'SystemStartup',
  'BeforeAgentInit',
  'AfterAgentInit',
  'BeforeAgentExecution',
  'AfterAgentExecution',
  'AgentError',
  'BeforeAgentShutdown',
  'AfterAgentShutdown',
  'SystemShutdown',
  'custom:agent_paused',
  'custom:before_agent_terminate',
  'custom:agent_recovering',
];

function setup() {
  const registry = new HookRegistry();
  const fired: { point: string; data: Record<string, unknown>; component: string }[] = [];
  for (const point of ALL) {
    registry.register(
      point,
      (ctx) => void fired.push({ point, data: { ...ctx.data }, component: ctx.component.name }),
      {
        name: 'recorder',
      },
    );
  }
  return { registry, fired, executor: new HookExecutor(registry) };
}

describe('agentLifecycle()', () => {
  it('fires the mapped points through a whole life', async () => {
    const { executor, fired } = setup();
    const clock = new FakeClock(5);
    const agent = agentLifecycle(executor, 'planner', { clock });
    expect(agent.state).toBe('Uninitialized');
    expect(agent.component).toEqual({ type: 'agent', name: 'planner' });
    await agent.initialize(() => 'loaded');
    expect(agent.state).toBe('Ready');
    expect(await agent.execute(async () => 42, { prompt: 'hi' })).toBe(42);
    await agent.transition('Running');
    await agent.pause();
    expect(agent.state).toBe('Paused');
    await agent.resume();
    await agent.terminate();
    expect(agent.state).toBe('Terminated');
    expect(fired.map((f) => f.point)).toEqual([
      'SystemStartup',
      'BeforeAgentInit',
      'AfterAgentInit',
      'BeforeAgentExecution',
      'AfterAgentExecution',
      'BeforeAgentExecution',
      'custom:agent_paused',
      'BeforeAgentExecution',
      'custom:before_agent_terminate',
      'BeforeAgentShutdown',
      'AfterAgentShutdown',
      'SystemShutdown',
    ]);
    expect(fired[3]).toMatchObject({
      component: 'planner',
      data: { prompt: 'hi', agent: 'planner', from: 'Ready', to: 'Running' },
    });
    expect(fired[4]!.data).toMatchObject({ result: 42, from: 'Running', to: 'Ready' });
    expect(fired[7]!.data).toMatchObject({ resumed: true, from: 'Paused' });
    expect(agent.history.map((h) => `${h.from}→${h.to}`)).toEqual([
      'Uninitialized→Initializing',
      'Initializing→Ready',
      'Ready→Running',
      'Running→Ready',
      'Ready→Running',
      'Running→Paused',
      'Paused→Running',
      'Running→Terminating',
      'Terminating→Terminated',
    ]);
    expect(agent.history[0]!.at).toBe(5);
  });

  it('errors and recovery: Error → AgentError, Recovering → custom:agent_recovering → Ready', async () => {
    const { executor, fired } = setup();
    const agent = agentLifecycle(executor, { type: 'agent', name: 'coder', id: 'a-1' });
    await agent.initialize();
    const boom = new Error('model down');
    await expect(agent.execute(() => Promise.reject(boom))).rejects.toBe(boom);
    expect(agent.state).toBe('Error');
    expect(fired.find((f) => f.point === 'AgentError')!.data.error).toBe(boom);
    await agent.recover(() => undefined);
    expect(agent.state).toBe('Ready');
    expect(fired.slice(-2).map((f) => f.point)).toEqual(['custom:agent_recovering', 'AfterAgentInit']);
    await expect(agent.initialize(() => undefined)).rejects.toMatchObject({
      code: 'HOOKSPELL_ILLEGAL_TRANSITION',
    });
    const failing = agentLifecycle(executor, 'x');
    await expect(
      failing.initialize(() => {
        throw new Error('no config');
      }),
    ).rejects.toThrow('no config');
    expect(failing.state).toBe('Error');
    await failing.fail(new Error('again')).catch(() => {});
  });

  it('rejects illegal transitions with a coded error naming what is allowed', async () => {
    const { executor, fired } = setup();
    const agent = agentLifecycle(executor, 'a');
    const error = await agent.transition('Running').catch((e: unknown) => e);
    expect(HookError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      code: 'HOOKSPELL_ILLEGAL_TRANSITION',
      message:
        "[hookspell] [hooks] agent 'a' cannot go from Uninitialized to Running. Allowed from Uninitialized: Initializing, Terminating.",
    });
    expect(fired).toEqual([]);
    expect(agent.can('Initializing')).toBe(true);
    expect(agent.can('Running')).toBe(false);
    await agent.terminate();
    await expect(agent.transition('Ready')).rejects.toThrow(/Allowed from Terminated: none \(final state\)/);
    expect(AGENT_TRANSITIONS.Terminated).toEqual([]);
  });

  it('a cancel from a hook stops the transition: the state stays, later points are not fired', async () => {
    const { executor, registry, fired } = setup();
    registry.register(
      'BeforeAgentExecution',
      (ctx) => (ctx.data.prompt === 'bad' ? HookResult.cancel('unsafe prompt') : undefined),
      {
        name: 'guard',
      },
    );
    const agent = agentLifecycle(executor, 'a');
    await agent.initialize();
    const ran: string[] = [];
    const error = await agent.execute(() => ran.push('ran'), { prompt: 'bad' }).catch((e: unknown) => e);
    expect(HookCancelledError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      reason: 'Ready → Running cancelled: unsafe prompt',
      point: 'BeforeAgentExecution',
      hook: 'guard',
    });
    expect(ran).toEqual([]);
    expect(agent.state).toBe('Ready');
    // a cancel at the first of two points of a transition: the second is not fired
    registry.register('custom:before_agent_terminate', () => HookResult.cancel('busy'), {
      name: 'keep-alive',
    });
    await expect(agent.terminate()).rejects.toThrow(/busy/);
    expect(agent.state).toBe('Ready');
    expect(fired.some((f) => f.point === 'BeforeAgentShutdown')).toBe(false);
  });

  it('AfterAgentExecution may change the result (modified data.result or replace)', async () => {
    const { executor, registry } = setup();
    registry.register(
      'AfterAgentExecution',
      (ctx) => HookResult.modified({ result: `${ctx.data.result}!` }),
      { name: 'shout' },
    );
    const agent = agentLifecycle(executor, 'a', { initialState: 'Ready' });
    expect(await agent.execute(() => 'hi')).toBe('hi!');
    registry.register('AfterAgentExecution', () => HookResult.replace('replaced'), {
      name: 'swap',
      priority: 'low',
    });
    expect(await agent.execute(() => 'hi')).toBe('replaced');
  });

  it('transitions run one at a time in call order; listeners see each', async () => {
    const { executor } = setup();
    const agent = agentLifecycle(executor, 'a');
    const seen: string[] = [];
    const off = agent.onTransition((t) => seen.push(t.to));
    await Promise.all([
      agent.transition('Initializing'),
      agent.transition('Ready'),
      agent.transition('Running'),
    ]);
    off();
    await agent.pause();
    expect(seen).toEqual(['Initializing', 'Ready', 'Running']);
  });

  it('agentTransitionPoints() is the parity mapping', () => {
    expect(agentTransitionPoints('Uninitialized', 'Initializing')).toEqual([
      'SystemStartup',
      'BeforeAgentInit',
    ]);
    expect(agentTransitionPoints('Running', 'Ready')).toEqual(['AfterAgentExecution']);
    expect(agentTransitionPoints('Error', 'Recovering')).toEqual(['custom:agent_recovering']);
    expect(agentTransitionPoints('Running', 'Error')).toEqual(['AgentError']);
  });
});
