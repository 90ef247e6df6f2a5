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
});

async function fire(page: import('playwright-core').Page): Promise<void> {
  const root = page.locator('.tree-root > ul > li.node').first();
  await root.locator(':scope > .row .toggle').click();
  expect(await root.getAttribute('class')).toMatch(/\bfolded\b/);
  expect(await page.locator('.node[data-label="format ok"]').isVisible()).toBe(false);
}
