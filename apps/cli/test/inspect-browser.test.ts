import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookspell, nodeHook, project } from './helpers.js';
import { type Running, spawnWriter, startInspect, writerScript } from './inspect-helpers.js';

const CHROMIUM = process.env.HOOKSPELL_CHROMIUM ?? '/usr/bin/chromium';

/** expect.poll with room for a loaded machine (its default gives up after one second). */
const poll = <T>(fn: () => T | Promise<T>, options: { timeout?: number; intervals?: number[] } = {}) =>
  expect.poll(fn, { timeout: 20_000, ...options });
const present = existsSync(CHROMIUM);
if (!present) {
  console.warn(
    `[hookspell cli] ${CHROMIUM} is missing: the hookspell inspect browser tests are skipped (install it: apt-get update && apt-get install -y chromium).`,
  );
}

/**
 * Screenshots of the main pages. Every run takes them (a page that cannot render fails here);
 * they replace the ones docs/inspector.md links to only with HOOKSPELL_UPDATE_SCREENSHOTS=1, so an
 * ordinary test run leaves the working tree clean.
 */
const IMAGES =
  process.env.HOOKSPELL_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/images/', import.meta.url))
    : mkdtempSync(join(tmpdir(), 'hookspell-inspect-shots-'));

const SLEEP = nodeHook(`
  const [name, ms] = process.argv.slice(2);
  await new Promise((r) => setTimeout(r, Number(ms)));
  if (name === 'lint' && ctx.data.files > 2) console.log(JSON.stringify({ type: 'cancel', reason: ctx.data.files + ' files fail lint' }));
  else console.log(JSON.stringify({ type: 'modified', data: { [name]: true } }));`);

const FILES = {
  'hookspell.config.yaml': `hooks:
  - { name: format, point: custom:checks, command: [node, sleep.mjs, format, '200'] }
  - { name: lint, point: custom:checks, command: [node, sleep.mjs, lint, '120'], dependsOn: [format] }
  - { name: typecheck, point: custom:checks, command: [node, sleep.mjs, typecheck, '300'] }
  - { name: test, point: custom:checks, command: [node, sleep.mjs, test, '150'], dependsOn: [typecheck] }
  - { name: announce, point: custom:checks, run: 'lua:announce.lua' }
  - { name: deny-shell, point: BeforeToolExecution, run: 'lua:deny.lua' }
  - { name: flaky, point: BeforeToolExecution, command: [node, -e, 'process.exit(1)'] }
  - { name: slow, point: BeforeToolExecution, command: [node, sleep.mjs, slow, '2000'], timeoutMs: 150 }
points:
  custom:checks: { mode: parallel }
`,
  'sleep.mjs': SLEEP,
  'announce.lua': `Hook.register("custom:checks", function(ctx)
  Event.publish("checks.note", { text = "first <b>note</b>" })
  Event.publish("checks.note", { text = "second" })
end)
`,
  'deny.lua': `Hook.register("BeforeToolExecution", function(ctx)
  if ctx.data.cmd == "rm" then return { type = "cancel", reason = "rm is not allowed" } end
  return "continue"
end)
`,
  'writer.mjs': writerScript(),
};

describe.skipIf(!present)('hookspell inspect in headless Chromium', () => {
  let cwd: string;
  let inspect: Running;
  let browser: Browser;
  const errors: string[] = [];

  /** Waits until the run is loaded, live, and its bars stay where they are (journal times arrive after the events). */
  const settled = async (page: Page) => {
    await poll(() => page.locator('#connection').textContent()).toBe('● following');
    let last = '';
    await poll(
      async () => {
        const now = JSON.stringify(
          await page
            .locator('#timeline .row .bar')
            .evaluateAll((bars) => bars.map((b) => b.getBoundingClientRect().x)),
        );
        const same = now === last;
        last = now;
        return same;
      },
      { intervals: [300] },
    ).toBe(true);
  };

  const open = async (hash = ''): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith(inspect.base)) errors.push(`request elsewhere: ${r.url()}`);
    });
    await page.goto(`${inspect.base}/${hash}`);
    return page;
  };

  beforeAll(async () => {
    cwd = project(FILES);
    const fire = async (point: string, data: string, correlation: string, code: number) => {
      const r = await hookspell(['fire', point, '--data', data, '--json', '--correlation', correlation], {
        cwd,
      });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(code);
    };
    await fire('custom:checks', '{"files":1}', 'checks-ok', 0);
    await fire('BeforeToolExecution', '{"cmd":"ls"}', 'tools-ls', 4);
    await fire('BeforeToolExecution', '{"cmd":"rm"}', 'tools-rm', 3);
    await fire('custom:checks', '{"files":5}', 'checks-cancel', 3);
    inspect = await startInspect(cwd, ['--interval', '100']);
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
    mkdirSync(IMAGES, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    expect(errors).toEqual([]);
  });

  it('lists the runs newest first, with status and counts, and searches them', async () => {
    const page = await open();
    const rows = page.locator('#runs tbody tr.run');
    await poll(() => rows.count()).toBe(4);
    expect(await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.id))).toEqual([
      'checks-cancel',
      'tools-rm',
      'tools-ls',
      'checks-ok',
    ]);
    const cells = async (id: string) => page.locator(`tr.run[data-id="${id}"] td`).allTextContents();
    // status dot class, then: run, started, duration, events, fires, cancels, errors, timeouts
    expect((await cells('tools-ls')).slice(4, 9)).toEqual(['5', '1', '0', '1', '1']);
    expect((await cells('checks-cancel')).slice(4, 9)).toEqual(['9', '1', '1', '0', '0']);
    expect(await page.locator('tr.run[data-id="tools-ls"]').getAttribute('class')).toMatch(/st-failed/);
    expect(await page.locator('tr.run[data-id="checks-cancel"]').getAttribute('class')).toMatch(
      /st-cancelled/,
    );
    expect(await page.locator('tr.run[data-id="checks-ok"]').getAttribute('class')).toMatch(/st-ok/);
    await page.screenshot({ path: join(IMAGES, 'inspect-runs.png') });
    await page.locator('#run-search').fill('tools');
    await poll(() => rows.count()).toBe(2);
    await page.locator('#run-search').fill('typecheck');
    await poll(() => rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.id))).toEqual([
      'checks-cancel',
      'checks-ok',
    ]);
    await page.locator('tr.run[data-id="checks-ok"] a').click();
    await page.waitForURL(/#\/runs\/checks-ok$/);
    await poll(() => page.locator('#timeline .row').count()).toBe(9);
    await page.close();
  });

  it('shows a run as it grows: what other processes store appears on the open page', async () => {
    expect(
      (
        await hookspell(['fire', 'BeforeToolExecution', '--data', '{"cmd":"ls"}', '--correlation', 'live'], {
          cwd,
        })
      ).code,
    ).toBe(4);
    const page = await open('#/runs/live');
    const count = page.locator('#event-count');
    await poll(() => count.textContent()).toBe('5');
    await poll(() => page.locator('#connection').textContent()).toBe('● following');
    // Two other processes write the same SQLite log: an agent publishing steps, and a fire.
    const writer = spawnWriter(cwd, [
      'sqlite',
      join(cwd, '.hookspell', 'hookspell.db'),
      '',
      'live',
      '8',
      '150',
    ]);
    const seen: number[] = [];
    const poller = setInterval(async () => {
      const n = Number(await count.textContent().catch(() => '0'));
      if (seen.at(-1) !== n) seen.push(n);
    }, 50);
    const fired = hookspell(['fire', 'custom:checks', '--data', '{"files":1}', '--correlation', 'live'], {
      cwd,
    });
    expect(await writer.done).toBe(0);
    expect((await fired).code).toBe(0);
    await poll(() => count.textContent(), { timeout: 20_000 }).toBe(String(5 + 8 + 9));
    clearInterval(poller);
    // it grew step by step, not in one reload
    expect(seen.length).toBeGreaterThan(2);
    expect(await page.locator('#timeline .row[data-type="agent.step"]').count()).toBe(8);
    await poll(() => page.locator('#timeline .row[data-label="fire custom:checks"]').count()).toBe(1);
    await page.close();
  });

  it('clicking a hook execution shows its data, journal input, breaker, the hook it waited for and a dependency edge', async () => {
    const page = await open('#/runs/checks-cancel');
    const lint = page.locator('#timeline .row[data-label="lint cancel"]');
    await settled(page);
    // drawn in the cancel colour, not green, with its reason
    expect(await lint.getAttribute('class')).toMatch(/\bo-cancel\b/);
    expect(await lint.locator('.detail').textContent()).toMatch(/cancel: 5 files fail lint$/);
    const colour = await lint.locator('.bar').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(colour).toBe('rgb(194, 24, 91)');
    // dependsOn: the wait before lint is drawn, and an arrow from format's end to lint's start
    expect(await lint.locator('.after').textContent()).toBe('after format');
    expect(await lint.locator('.wait').count()).toBe(1);
    const lintId = await lint.getAttribute('data-id');
    const formatId = await page.locator('#timeline .row[data-label="format ok"]').getAttribute('data-id');
    const edge = page.locator(`#timeline path.edge[data-to="${lintId}"]`);
    expect(await edge.getAttribute('data-from')).toBe(formatId);
    // measured at once (the list redraws its rows as data arrives)
    const [formatBar, lintBar, edgeBox] = await page.evaluate((to) => {
      const box = (el: Element | null) => {
        const r = el!.getBoundingClientRect();
        return { x: r.x, width: r.width };
      };
      return [
        box(document.querySelector('#timeline .row[data-label="format ok"] .bar')),
        box(document.querySelector('#timeline .row[data-label="lint cancel"] .bar')),
        box(document.querySelector(`#timeline path.edge[data-to="${to}"]`)),
      ];
    }, lintId);
    expect(lintBar!.x).toBeGreaterThanOrEqual(formatBar!.x + formatBar!.width - 2);
    // the arrow leaves where format ends and points at where lint starts (its head sits before it)
    expect(Math.abs(edgeBox!.x - (formatBar!.x + formatBar!.width))).toBeLessThan(3);
    expect(Math.abs(edgeBox!.x + edgeBox!.width - lintBar!.x)).toBeLessThan(8);

    await lint.click();
    await page.waitForURL(/[?&]e=/);
    const panel = page.locator('#details');
    expect(await panel.locator('#details-title').textContent()).toBe('lint cancelcancel');
    expect(await panel.locator('#details-reason').textContent()).toBe('5 files fail lint');
    expect(await panel.locator('table.facts').first().textContent()).toMatch(/waited forformat/);
    expect(await panel.locator('[data-section="result"] pre').textContent()).toContain(
      '"reason": "5 files fail lint"',
    );
    // the journal entry: the context the hook ran on (format's change merged in: it waited for it)
    await poll(() => panel.locator('#journal-entry pre').first().textContent()).toMatch(
      /"files": 5,\s+"format": true/,
    );
    await poll(() => panel.locator('#breaker-state').textContent()).toMatch(/stateclosed/);
    await page.screenshot({ path: join(IMAGES, 'inspect-run.png') });
    // a plain event's panel: its data, as stored, with markup kept as text
    await page.locator('#timeline .row[data-type="checks.note"]').first().click();
    await poll(() => panel.locator('[data-section="data"] pre').textContent()).toContain(
      '"text": "first <b>note</b>"',
    );
    expect(await panel.locator('b').count()).toBe(0);
    await page.locator('#details .close').click();
    expect(await panel.isHidden()).toBe(true);
    await page.close();
  });

  it('filters by type pattern (the events package matcher), hook and status', async () => {
    const page = await open('#/runs/checks-cancel');
    const rows = page.locator('#timeline .row');
    await poll(() => rows.count()).toBe(9);
    const shown = () =>
      rows.evaluateAll((els) =>
        els.map(
          (e) => `${(e as HTMLElement).dataset.label}${e.classList.contains('context') ? ' (context)' : ''}`,
        ),
      );
    await page.locator('#filter-type').fill('checks.*');
    await poll(shown).toEqual([
      'fire custom:checks (context)',
      'announce ok (context)',
      'checks.note',
      'checks.note',
    ]);
    expect(page.url()).toMatch(/type=checks\.\*/);
    await page.locator('#filter-type').fill('hook.*.completed');
    await poll(() => rows.count()).toBe(7); // the fire for context, five hooks, the decision
    await page.locator('#filter-type').fill('checks..x');
    await poll(() => page.locator('#filter-note').textContent()).toMatch(/pattern/i);
    await page.locator('#filter-type').fill('');
    await page.locator('#filter-hook').selectOption('lint');
    await poll(shown).toEqual(['fire custom:checks (context)', 'lint cancel']);
    await page.locator('#filter-hook').selectOption('');
    await page.locator('#filter-status').selectOption('cancel');
    await poll(shown).toEqual(['fire custom:checks (context)', 'lint cancel', 'decision cancel']);
    await page.locator('#filter-status').selectOption('');
    await poll(() => rows.count()).toBe(9);
    // errors and timeouts in their own colours, with their reason
    await page.evaluate(() => {
      location.hash = '#/runs/tools-ls?status=timeout';
    });

    await poll(shown).toEqual(['fire BeforeToolExecution (context)', 'slow timeout']);
    const slow = page.locator('#timeline .row[data-label="slow timeout"]');
    expect(await slow.locator('.bar').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe(
      'rgb(224, 138, 30)',
    );
    expect(await slow.locator('.detail').textContent()).toMatch(/timed out after 150 ms/);
    await page.close();
  });

  it('replays a hook execution with a modified context and shows the comparison', async () => {
    const page = await open('#/runs/checks-cancel');
    await page.locator('#timeline .row[data-label="lint cancel"]').click();
    const replay = page.locator('#replay');
    await replay.locator('#replay-mode-modified').waitFor();
    // exact first: the same hook on the same input decides the same
    await replay.locator('#replay-run').click();
    await poll(() => replay.locator('#replay-verdict').textContent()).toMatch(
      /^identical · similarity 1\.00 · exact/,
    );
    await replay.locator('#replay-mode-modified').check();
    const editor = replay.locator('#replay-context');
    expect(await editor.isEnabled()).toBe(true);
    const context = JSON.parse(await editor.inputValue());
    expect(context.data.files).toBe(5);
    context.data.files = 1;
    await editor.fill(JSON.stringify(context, null, 2));
    await replay.locator('#replay-run').click();
    await poll(() => replay.locator('#replay-verdict').textContent()).toMatch(
      /^differs · similarity [\d.]+ · modified/,
    );
    const differences = await replay
      .locator('tr.difference')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    expect(differences).toContainEqual(['result.type', '"cancel"', '"modified"']);
    await page.screenshot({ path: join(IMAGES, 'inspect-replay.png') });
    // invalid JSON is caught before anything is sent
    await editor.fill('{ nope');
    await replay.locator('#replay-run').click();
    await poll(() => replay.locator('#replay-result').textContent()).toMatch(/not valid JSON/);
    await page.close();
  });
});
