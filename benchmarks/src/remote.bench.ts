/**
 * Remote hook round trip: firing a point whose one hook is a `remoteHook` answered by a policy
 * service (`serveHooks`) in another process over NATS on loopback, side by side with the same
 * policy as a local hook (the anchor) and a raw NATS request/reply between the same two processes
 * (what the client alone costs). One driving process, cases interleaved (each round runs every case
 * once, in a rotating order), a warm-up first; per-call latency, p50 / p99 over ROUNDS rounds.
 *
 * Cases:
 *   - local hook — the policy function registered in this process (anchor);
 *   - remote hook, service in another process — the policy served by `serveHooks` in a child;
 *   - remote hook, service in this process — the same, without the second process (NATS still in
 *     between: what the protocol and the executor cost without the other process's scheduling);
 *   - raw NATS request/reply to another process — `nc.request` to a bare responder in the child
 *     answering a fixed reply of the same size: the floor of any round trip.
 *
 *   pnpm --filter @hookspell/remote... build && pnpm --filter @hookspell/benchmarks bench remote
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { HookExecutor, HookRegistry, HookResult } from '@hookspell/hooks';
import { remoteHook, serveHooks } from '@hookspell/remote';

const ROUNDS = Number(process.env.ROUNDS ?? 3000);
const WARMUP = Number(process.env.WARMUP ?? 500);
const SERVERS = process.env.HOOKSPELL_NATS_URL ?? 'nats://127.0.0.1:4222';
const SUBJECT = `bench.remote.${process.pid}`;

// The raw client, from where @hookspell/remote has it: the same version the remote hook runs on.
const fromRemote = createRequire(new URL('../../packages/remote/package.json', import.meta.url));
const natsUrl = pathToFileURL(fromRemote.resolve('@nats-io/transport-node')).href;
const remoteUrl = pathToFileURL(
  fileURLToPath(new URL('../../packages/remote/dist/index.js', import.meta.url)),
).href;
const hooksUrl = pathToFileURL(
  createRequire(fromRemote.resolve('@hookspell/remote/package.json')).resolve('@hookspell/hooks'),
).href;
// Typed by the little the benchmark uses (the benchmarks package does not depend on the client).
interface RawConnection {
  request(subject: string, data: string, opts: { timeout: number }): Promise<unknown>;
  close(): Promise<void>;
}
const { connect } = (await import(natsUrl)) as { connect(o: { servers: string }): Promise<RawConnection> };

// The policy, here and (as source) in the other process.
const policy = (ctx: { component: { name: string } }) =>
  ctx.component.name === 'shell' ? HookResult.cancel('no shell') : HookResult.continue();
const POLICY = `(ctx) => ctx.component.name === 'shell' ? HookResult.cancel('no shell') : HookResult.continue()`;

// The other process: the same policy behind serveHooks, and a raw responder.
const CHILD = `
const { HookRegistry, HookResult } = await import(${JSON.stringify(hooksUrl)});
const { serveHooks } = await import(${JSON.stringify(remoteUrl)});
const { connect } = await import(${JSON.stringify(natsUrl)});
const registry = new HookRegistry();
registry.register('BeforeToolExecution', ${POLICY}, { name: 'policy' });
const service = await serveHooks(registry, { subject: ${JSON.stringify(`${SUBJECT}.child`)}, servers: ${JSON.stringify(SERVERS)} });
const nc = await connect({ servers: ${JSON.stringify(SERVERS)} });
const reply = process.argv[1];
nc.subscribe(${JSON.stringify(`${SUBJECT}.raw`)}, { callback: (_e, msg) => msg.respond(reply) });
await nc.flush();
console.log('ready');
process.stdin.on('end', async () => { await service.close(); await nc.close(); process.exit(0); }).resume();
`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function main() {
  const input = { component: { type: 'tool' as const, name: 'search' }, data: { query: 'weather in Lyon' } };

  const local = new HookRegistry();
  local.register('BeforeToolExecution', policy, { name: 'policy' });
  const localExec = new HookExecutor(local);

  const inProcess = new HookRegistry();
  inProcess.register('BeforeToolExecution', policy, { name: 'policy' });
  const service = await serveHooks(inProcess, { subject: `${SUBJECT}.self`, servers: SERVERS });

  const remoteSelf = remoteHook({ subject: `${SUBJECT}.self`, servers: SERVERS, timeoutMs: 5_000 });
  const remoteChild = remoteHook({ subject: `${SUBJECT}.child`, servers: SERVERS, timeoutMs: 5_000 });
  const selfReg = new HookRegistry();
  selfReg.register('BeforeToolExecution', remoteSelf);
  const childReg = new HookRegistry();
  childReg.register('BeforeToolExecution', remoteChild);
  const selfExec = new HookExecutor(selfReg);
  const childExec = new HookExecutor(childReg);

  // A reply of the size the service sends for this fire, for the raw case.
  const sample = await selfExec.fire('BeforeToolExecution', input);
  const replyText = JSON.stringify({
    v: 1,
    service: 'x',
    decision: sample.decision,
    metadata: {},
    records: [{ name: 'policy', status: 'ok', durationMs: 0.01, result: 'continue' }],
    durationMs: 0.02,
  });
  const requestText = JSON.stringify({
    v: 1,
    point: 'BeforeToolExecution',
    ...input,
    metadata: {},
    correlationId: 'x'.repeat(26),
    timestamp: Date.now(),
    timeoutMs: 5000,
  });

  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, replyText], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => s.includes('ready') && resolve());
    child.on('exit', (code) => reject(new Error(`the service process exited (${code})`)));
  });
  const nc = await connect({ servers: SERVERS });

  const check = (outcome: Awaited<ReturnType<typeof localExec.fire>>) => {
    if (outcome.records[0]!.status !== 'ok')
      throw new Error(`a fire failed: ${String(outcome.records[0]!.error)}`);
  };
  const cases: { name: string; run: () => Promise<unknown> }[] = [
    { name: 'local hook', run: async () => check(await localExec.fire('BeforeToolExecution', input)) },
    {
      name: 'remote hook, service in another process',
      run: async () => check(await childExec.fire('BeforeToolExecution', input)),
    },
    {
      name: 'remote hook, service in this process',
      run: async () => check(await selfExec.fire('BeforeToolExecution', input)),
    },
    {
      name: 'raw NATS request/reply to another process',
      run: () => nc.request(`${SUBJECT}.raw`, requestText, { timeout: 5_000 }),
    },
  ];
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let round = -WARMUP; round < ROUNDS; round++) {
    for (let i = 0; i < cases.length; i++) {
      const c = cases[(i + round + WARMUP) % cases.length]!;
      const t0 = performance.now();
      await c.run();
      const dt = performance.now() - t0;
      if (round >= 0) times.get(c.name)!.push(dt);
    }
  }

  const anchor = [...times.get('local hook')!].sort((a, b) => a - b);
  const anchorP50 = percentile(anchor, 50);
  const fmt = (ms: number) => (ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`);
  const lines = [
    `### one fire, one hook: local vs remote (${ROUNDS} interleaved rounds after ${WARMUP} warm-up)`,
    '',
    '| case | p50 | p99 | max | fires/s (1 / mean) | p50 vs local hook |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const c of cases) {
    const sorted = [...times.get(c.name)!].sort((a, b) => a - b);
    const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
    const p50 = percentile(sorted, 50);
    lines.push(
      `| ${c.name} | ${fmt(p50)} | ${fmt(percentile(sorted, 99))} | ${fmt(sorted.at(-1)!)} | ${(1000 / mean).toFixed(0)} | ${(p50 / anchorP50).toFixed(1)}× |`,
    );
  }
  console.log(`${lines.join('\n')}\n`);

  child.stdin!.end();
  await new Promise((r) => child.on('exit', r));
  await nc.close();
  await remoteSelf.close();
  await remoteChild.close();
  await service.close();
}

await main();
