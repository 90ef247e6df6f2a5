import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookspell, json, nodeHook, project } from './helpers.js';

const CHROMIUM = process.env.HOOKSPELL_CHROMIUM ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) {
  console.warn(
    `[hookspell cli] ${CHROMIUM} is missing: the HTML timeline browser test is skipped (install it: apt-get update && apt-get install -y chromium).`,
  );
}

const SLEEP = nodeHook(`
  const [name, ms] = process.argv.slice(2);
  await new Promise((r) => setTimeout(r, Number(ms)));
  console.log(JSON.stringify({ type: 'modified', data: { [name]: true } }));`);

const FILES = {
  'hookspell.config.yaml': `hooks:
  - { name: format, point: custom:checks, command: [node, sleep.mjs, format, '250'] }
  - { name: lint, point: custom:checks, command: [node, sleep.mjs, lint, '150'], dependsOn: [format] }
  - { name: typecheck, point: custom:checks, command: [node, sleep.mjs, typecheck, '400'] }
  - { name: test, point: custom:checks, command: [node, sleep.mjs, test, '300'] }
  - { name: announce, point: custom:checks, run: 'lua:announce.lua' }
points:
  custom:checks: { mode: parallel }
`,
  'sleep.mjs': SLEEP,
  // Publishes two events from inside a hook: they hang under its execution and share a cause.
  'announce.lua': `Hook.register("custom:checks", function(ctx)
  Event.publish("checks.note", { text = "first <b>note</b>" })
  Event.publish("checks.note", { text = "second" })
end)
`,
};

describe.skipIf(!present)('the HTML timeline in headless Chromium', () => {
  let browser: Browser;
  let cwd: string;
  let file: string;
  let correlationId: string;

  beforeAll(async () => {
    cwd = project(FILES);
    const fired = await hookspell(['fire', 'custom:checks', '--json', '--correlation', 'html-1'], { cwd });
    expect(fired.code).toBe(0);
    correlationId = json(fired).correlationId;
    const r = await hookspell(['events', 'timeline', correlationId, '--html', 'timeline.html'], { cwd });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote timeline\.html: 9 events, 2 concurrent group\(s\)$/m);
    file = join(cwd, 'timeline.html');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('is one self-contained file: no external resources', () => {
    const html = readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<(link|img|iframe)\b|\bsrc=|https?:\/\//i);
    expect(html).not.toContain('<b>note</b>'); // script-provided text is escaped
  });

  it('shows every event as a node, nested under its cause, with labels and bars', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    expect(await page.title()).toBe(`hookspell timeline · ${correlationId}`);
    expect(await page.locator('#event-count').textContent()).toBe('9');
    expect(await page.locator('.node').count()).toBe(9);
    // one root (the fire), the hooks and the decision under it, the two notes under the Lua hook
    expect(await page.locator('.tree-root > ul > li.node').count()).toBe(1);
    const fire = page.locator('.tree-root > ul > li.node').first();
    expect(await fire.locator(':scope > .row .label').textContent()).toBe('fire custom:checks');
    const children = await fire.locator(':scope > ul > li.node > .row .label').allTextContents();
    expect(children.sort()).toEqual([
      'announce ok',
      'decision modified',
      'format ok',
      'lint ok',
      'test ok',
      'typecheck ok',
    ]);
    const announce = page.locator('.node[data-label="announce ok"]');
    expect(await announce.locator(':scope > ul > li.node .label').allTextContents()).toEqual([
      'checks.note',
      'checks.note',
    ]);
    expect(await announce.locator(':scope > ul > li.node').first().getAttribute('data-depth')).toBe('2');
    expect(await page.locator('.node[data-status="ok"]').count()).toBe(5);
    // bars: visible, and lint's bar starts after format's ends (dependsOn), on one axis
    const box = async (name: string) =>
      (await page.locator(`.node[data-label="${name} ok"] > .row .bar`).boundingBox())!;
    const format = await box('format');
    const lint = await box('lint');
    const typecheck = await box('typecheck');
    expect(format.width).toBeGreaterThan(20);
    expect(lint.x).toBeGreaterThanOrEqual(format.x + format.width - 2);
    expect(typecheck.x).toBeLessThan(format.x + format.width); // ran alongside format
    expect(requests.every((u) => u.startsWith('file:'))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws the concurrent groups side by side', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    expect(await page.locator('#group-count').textContent()).toBe('2');
    const overlap = page.locator('.group[data-kind="overlap"]');
    expect(await overlap.locator('h3').textContent()).toMatch(/^ran side by side in fire custom:checks/);
    const lanes = overlap.locator('.lane');
    const labels = await lanes.locator('.lane-label').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['format ok', 'typecheck ok', 'test ok']));
    const boxes = await Promise.all((await lanes.all()).map((l) => l.boundingBox()));
    // side by side: one row (same top), left to right, not overlapping
    for (let i = 1; i < boxes.length; i++) {
      expect(Math.abs(boxes[i]!.y - boxes[0]!.y)).toBeLessThan(2);
      expect(boxes[i]!.x).toBeGreaterThanOrEqual(boxes[i - 1]!.x + boxes[i - 1]!.width - 1);
    }
    const sameCause = page.locator('.group[data-kind="same-cause"]');
    expect(await sameCause.locator('h3').textContent()).toMatch(/^caused by announce ok/);
    expect(await sameCause.locator('.lane-label').allTextContents()).toEqual(['checks.note', 'checks.note']);
    // chains: one per leaf, root first
    expect(await page.locator('.chain').count()).toBe(7);
    expect(
      await page.locator('.chain', { hasText: 'checks.note' }).first().locator('.link').allTextContents(),
    ).toEqual(['fire custom:checks', 'announce ok', 'checks.note']);
    // hovering a node highlights its chain; ▾ folds a subtree
    await page.locator('.node[data-label="announce ok"] > ul > li.node > .row').first().hover();
    expect(await page.locator('.node.hl').count()).toBe(3);
    await page.mouse.move(0, 0);
    // A picture for people (look at it when the page changes): $TMPDIR/hookspell-timeline.png
    await page.screenshot({ path: join(tmpdir(), 'hookspell-timeline.png'), fullPage: true });
    await fire(page);
    await page.close();
  });

  it('draws bars where the stored times put them: journal start times, durations, the dependsOn wait', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const nodes = await drawn(page);
    const total = Math.max(...nodes.map((n) => n.end));
    // each bar is where its node's times put it on the shared axis
    for (const n of nodes) {
      expect(n.bar.x, n.label).toBeCloseTo(n.track.x + (n.start / total) * n.track.width, 0);
      if (n.end - n.start > total / 100)
        expect(n.bar.width, n.label).toBeCloseTo(((n.end - n.start) / total) * n.track.width, 0);
    }
    // the hooks' times are the journal's: start and duration of each execution
    const events = json(
      await hookspell(['events', 'query', '--correlation', correlationId, '--json'], { cwd }),
    );
    const journal = new Map<string, { startedAt: number; durationMs: number }>();
    for (const e of events.filter((x: any) => x.type.startsWith('hook.execution.'))) {
      const r = json(
        await hookspell(['replay', e.data.executionId, '--mode', 'simulate', '--json'], { cwd }),
      );
      journal.set(e.data.hook, r.original);
    }
    const byHook = (hook: string) => nodes.find((n) => n.label === `${hook} ok`)!;
    for (const hook of ['format', 'lint', 'typecheck', 'test']) {
      expect(byHook(hook).end - byHook(hook).start, hook).toBeCloseTo(journal.get(hook)!.durationMs, 2);
      expect(byHook(hook).start - byHook('format').start, hook).toBeCloseTo(
        journal.get(hook)!.startedAt - journal.get('format')!.startedAt,
        2,
      );
    }
    // lint waited for format (dependsOn): its wait is drawn from the fire's start to its own start
    const fireNode = nodes.find((n) => n.label === 'fire custom:checks')!;
    const lint = byHook('lint');
    expect(lint.wait).toBeDefined();
    expect(lint.wait!.x).toBeCloseTo(fireNode.bar.x, 0);
    expect(lint.wait!.x + lint.wait!.width).toBeCloseTo(lint.bar.x, 0);
    expect(await page.locator('.node[data-label="lint ok"] > .row .after').textContent()).toBe(
      'after format',
    );
    expect(byHook('format').wait).toBeUndefined();
    await page.close();
  });

  it('clicking an event shows what is stored about it', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const panel = page.locator('#details');
    expect(await panel.isHidden()).toBe(true);
    await page.locator('.node[data-label="lint ok"] > .row .label').click();
    expect(await panel.isVisible()).toBe(true);
    const text = await panel.textContent();
    expect(text).toMatch(/typehook\.execution\.completed/);
    expect(text).toMatch(/waited forformat ok/);
    expect(text).toMatch(/replayhookspell replay [\w-]+\.\d+/);
    expect(text).toMatch(/journalstarted \d{4}-/);
    expect(await panel.locator('pre').first().textContent()).toBe(
      '{\n  "type": "modified",\n  "data": {\n    "lint": true\n  }\n}',
    );
    // stored text stays text
    await page.locator('.node[data-label="checks.note"] > .row .label').first().click();
    expect(await panel.locator('pre').last().textContent()).toContain('"correlationId": "html-1"');
    expect(await panel.textContent()).toContain('"text": "first <b>note</b>"');
    expect(await panel.locator('b').count()).toBe(0);
    await panel.locator('.close').click();
    expect(await panel.isHidden()).toBe(true);
    await page.close();
  });
});

/**
 * The run of issue 19, recorded without a journal: synchronous Lua hooks (their events share one
 * coarse clock reading), a hook that cancels, and events before and after the fires.
 */
describe.skipIf(!present)('the HTML timeline of a run without a journal', () => {
  let browser: Browser;
  let cwd: string;
  let events: any[];
  let page: import('playwright-core').Page;

  beforeAll(async () => {
    cwd = project({
      'hookspell.config.yaml': `journal: { enabled: false }
hooks:
  - { name: slow-a, point: BeforeEventEmit, run: 'lua:slow.lua' }
  - { name: slow-b, point: BeforeEventEmit, run: 'lua:slow.lua' }
  - { name: guard, point: BeforeEventEmit, run: 'lua:guard.lua' }
`,
      'slow.lua': `Hook.register("BeforeEventEmit", function(ctx)
  local x = 0
  for i = 1, 20000 do x = x + i end
end)
`,
      'guard.lua': `Hook.register("BeforeEventEmit", function(ctx)
  if ctx.data.type == "danger" then return { type = "cancel", reason = "no danger here" } end
end)
`,
      'demo.lua': `Event.publish("agent.step", { n = 1 })
print(pcall(function() Event.publish("danger", { n = 2 }) end))
Event.publish("agent.step", { n = 3 })
`,
    });
    const r = await hookspell(['run', 'demo.lua', '--correlation', 'nojournal'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    events = json(
      await hookspell(['events', 'query', '--correlation', 'nojournal', '--json', '-n', '1000'], { cwd }),
    );
    expect(
      (await hookspell(['events', 'timeline', 'nojournal', '--html', 'timeline.html'], { cwd })).code,
    ).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(pathToFileURL(join(cwd, 'timeline.html')).href);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('no hook before its fire, each for its duration, one after the other; decisions after their hooks; nothing drawn before what precedes it', async () => {
    const nodes = await drawn(page);
    const stored = new Map(events.map((e) => [e.id, e]));
    const byId = new Map(nodes.map((n) => [n.id, n]));
    const t0 = Math.min(...events.map((e) => e.timestamp));
    const fires = nodes.filter((n) => n.type === 'hook.fire.started');
    expect(fires.length).toBeGreaterThanOrEqual(3);
    for (const f of fires) {
      const children = nodes.filter((n) => n.parent === f.id);
      const hooks = children.filter((n) => n.type.startsWith('hook.execution.'));
      const decision = children.find((n) => n.type === 'hook.fire.completed')!;
      expect(hooks.length).toBeGreaterThan(0);
      // a fire is drawn at its stored time (or later, when an event before it was pushed later)
      expect(f.start).toBeGreaterThanOrEqual(stored.get(f.id).timestamp - t0 - 1e-3);
      let at = f.start;
      for (const h of hooks) {
        const duration = stored.get(h.id).data.durationMs;
        expect(h.start, h.label).toBeGreaterThanOrEqual(f.start); // never before its fire
        expect(h.start, h.label).toBeCloseTo(at, 2); // a sequential chain: one after the other
        expect(h.end - h.start, h.label).toBeCloseTo(duration, 2); // for its recorded duration
        // and in pixels, inside the fire's bar
        expect(h.bar.x).toBeGreaterThanOrEqual(f.bar.x - 1);
        expect(h.bar.x + h.bar.width).toBeLessThanOrEqual(f.bar.x + f.bar.width + 2);
        at = h.end;
      }
      const fireDuration = stored.get(decision.id).data.durationMs;
      expect(decision.start).toBeGreaterThanOrEqual(f.start + fireDuration - 1e-3);
      expect(decision.start).toBeGreaterThanOrEqual(at - 1e-3);
      expect(f.end).toBeCloseTo(decision.start, 2);
    }
    // in sequence order, nothing is drawn before an event stored before it (offsets never go back)
    let last = Number.NEGATIVE_INFINITY;
    for (const e of events) {
      const n = byId.get(e.id)!;
      if (n.type.startsWith('hook.execution.')) continue;
      expect(n.start, n.label).toBeGreaterThanOrEqual(last);
      expect(n.offset).toBe(
        `+${n.start >= 1000 ? `${(n.start / 1000).toFixed(2)} s` : `${n.start.toFixed(1)} ms`}`,
      );
      last = n.start;
    }
    // the header's duration is the last drawn time
    expect(Math.max(...nodes.map((n) => n.end))).toBeCloseTo(
      Math.max(...nodes.filter((n) => n.type === 'hook.fire.completed').map((n) => n.start)),
      6,
    );
  });

  it('a hook that cancelled is drawn as a cancel (its own colour, its reason), not green ok', async () => {
    const guard = (await drawn(page)).filter((n) => n.label.startsWith('guard '));
    const cancelled = guard.filter((n) => n.outcome === 'cancel');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]!.label).toBe('guard cancel');
    expect(cancelled[0]!.colour).toBe('rgb(194, 24, 91)');
    expect(guard.filter((n) => n.outcome === 'ok').every((n) => n.colour === 'rgb(46, 157, 91)')).toBe(true);
    const row = page.locator(`.node[data-id="${cancelled[0]!.id}"] > .row`);
    expect(await row.locator('.detail').textContent()).toMatch(/cancel: no danger here$/);
    expect(await row.locator('.label').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(194, 24, 91)');
    const decision = page.locator('.node[data-label="decision cancel"] > .row');
    expect(await decision.locator('.detail').textContent()).toMatch(/guard: no danger here$/);
    await row.click();
    expect(await page.locator('#details .reason').textContent()).toBe('no danger here');
  });
});

/** Drawn and stored times of every node, and its bar in px (all read at once). */
async function drawn(page: import('playwright-core').Page) {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.node')].map((li) => {
      const track = li.querySelector(':scope > .row .track')!.getBoundingClientRect();
      const bar = li.querySelector(':scope > .row .bar')!.getBoundingClientRect();
      const wait = li.querySelector(':scope > .row .wait')?.getBoundingClientRect();
      return {
        id: li.dataset.id!,
        label: li.dataset.label!,
        type: li.dataset.type!,
        outcome: li.dataset.outcome!,
        start: Number(li.dataset.start),
        end: Number(li.dataset.end),
        parent: li.parentElement!.closest<HTMLElement>('.node')?.dataset.id,
        offset: li.querySelector(':scope > .row .offset')!.textContent!,
        track: { x: track.x, width: track.width },
        bar: { x: bar.x, width: bar.width },
        ...(wait !== undefined && { wait: { x: wait.x, width: wait.width } }),
        colour: getComputedStyle(li.querySelector(':scope > .row .bar')!).backgroundColor,
      };
    }),
  );
}

async function fire(page: import('playwright-core').Page): Promise<void> {
  const root = page.locator('.tree-root > ul > li.node').first();
  await root.locator(':scope > .row .toggle').click();
  expect(await root.getAttribute('class')).toMatch(/\bfolded\b/);
  expect(await page.locator('.node[data-label="format ok"]').isVisible()).toBe(false);
}
