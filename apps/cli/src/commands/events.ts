import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compilePattern, EventLog, type HookspellEvent } from '@hookspell/events';
import { HookJournal } from '@hookspell/journal';
import type { StorageBackend } from '@hookspell/storage';
import type { Command } from 'commander';
import { configOf, out, outJson } from '../context.js';
import { CliError, CliErrorCode, errorLine } from '../errors.js';
import { configDependencies } from '../inspect/run-inputs.js';
import { loadTimeline } from '../load-timeline.js';
import { eventLine } from '../render/event-line.js';
import { renderTimelineHtml } from '../render/timeline-html.js';
import { renderTimelineTree } from '../render/timeline-tree.js';
import { type ExecutionSpan, timelineView } from '../render/timeline-view.js';
import { openStorage } from '../storage.js';
import { parsePositiveInt, parseTime } from '../util/input.js';

/** Reads the stored event log (never writes; a missing SQLite file is an error, not a new database). */
async function withLog<T>(
  command: Command,
  fn: (log: EventLog, storage: StorageBackend) => Promise<T>,
): Promise<T> {
  const storage = await openStorage(await configOf(command), 'read');
  try {
    return await fn(new EventLog(storage), storage);
  } finally {
    await storage.close().catch(() => {});
  }
}

/** Start times of the correlation's hook executions, from the hook journal (empty if there is none). */
async function executionSpans(
  storage: StorageBackend,
  correlationId: string,
): Promise<Map<string, ExecutionSpan>> {
  const spans = new Map<string, ExecutionSpan>();
  const journal = new HookJournal(storage, { retention: {} });
  try {
    for (const e of await journal.byCorrelation(correlationId)) {
      spans.set(e.executionId, { startedAt: e.startedAt, durationMs: e.durationMs });
    }
  } catch {
    // No journal (disabled, or another layout): the events' own timestamps are used.
  } finally {
    await journal.close().catch(() => {});
  }
  return spans;
}

function checkPattern(pattern: string | undefined): void {
  if (pattern === undefined) return;
  try {
    compilePattern(pattern);
  } catch (error) {
    throw new CliError(CliErrorCode.USAGE, `pattern '${pattern}': ${errorLine(error)}`, { cause: error });
  }
}

export function eventsCommand(program: Command): void {
  const events = program.command('events').description('query, follow and draw the stored events');

  events
    .command('query')
    .description('print stored events, oldest first, filtered by type pattern, correlation and time')
    .option(
      '-p, --pattern <pattern>',
      "event type pattern: '*' one segment, '**' any (e.g. 'hook.**', '*.error')",
    )
    .option('--correlation <id>', 'only events of this correlation id')
    .option('--since <time>', 'at or after: ISO time, epoch ms, or a duration ago (30s, 10m, 2h, 1d)')
    .option('--until <time>', 'at or before (same forms)')
    .option('-n, --limit <n>', 'most events to print', '100')
    .option('--reverse', 'newest first')
    .option('--json', 'print a JSON array of events')
    .addHelpText(
      'after',
      `
Examples:
  $ hookspell events query --pattern 'hook.execution.*' --since 10m
  $ hookspell events query --correlation req-42 --json`,
    )
    .action(
      async (
        options: {
          pattern?: string;
          correlation?: string;
          since?: string;
          until?: string;
          limit: string;
          reverse?: boolean;
          json?: boolean;
        },
        command: Command,
      ) => {
        checkPattern(options.pattern);
        const query = {
          limit: parsePositiveInt(options.limit, '--limit'),
          ...(options.pattern !== undefined && { pattern: options.pattern }),
          ...(options.correlation !== undefined && { correlationId: options.correlation }),
          ...(options.since !== undefined && { from: parseTime(options.since, '--since') }),
          ...(options.until !== undefined && { to: parseTime(options.until, '--until') }),
          ...(options.reverse && { reverse: true }),
        };
        const found = await withLog(command, (log) => log.query(query));
        if (options.json) outJson(found);
        else if (found.length === 0) out('no matching events');
        else out(found.map(eventLine).join('\n'));
      },
    );

  events
    .command('tail')
    .description('print the last stored events, then follow new ones as other hookspell processes store them')
    .argument('[pattern]', "event type pattern (default '**', everything)")
    .option('-n, --lines <n>', 'how many stored events to print first', '10')
    .option('--count <n>', 'exit after this many new events')
    .option('--interval <ms>', 'how often to look for new events', '250')
    .option('--json', 'one JSON event per line (NDJSON)')
    .addHelpText(
      'after',
      `
Stops on Ctrl-C (exit 0) or after --count new events.

Examples:
  $ hookspell events tail 'hook.**'
  $ hookspell events tail --lines 0 --count 1 --json   # wait for the next event`,
    )
    .action(
      async (
        pattern: string | undefined,
        options: { lines: string; count?: string; interval: string; json?: boolean },
        command: Command,
      ) => {
        checkPattern(pattern);
        const lines = Number(options.lines);
        if (!Number.isInteger(lines) || lines < 0)
          throw new CliError(
            CliErrorCode.USAGE,
            `--lines must be a whole number ≥ 0 (got '${options.lines}')`,
          );
        const count =
          options.count === undefined ? Number.POSITIVE_INFINITY : parsePositiveInt(options.count, '--count');
        const interval = parsePositiveInt(options.interval, '--interval');
        const print = (e: HookspellEvent) => out(options.json ? JSON.stringify(e) : eventLine(e));
        const storage = await openStorage(await configOf(command), 'read');
        let stop = false;
        const onSignal = () => {
          stop = true;
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
        try {
          const base = pattern === undefined ? {} : { pattern };
          const last = await new EventLog(storage).query({
            ...base,
            reverse: true,
            limit: Math.max(lines, 1),
          });
          let cursor = last[0]?.sequence ?? 0;
          if (lines > 0) for (const e of last.slice(0, lines).reverse()) print(e);
          let seen = 0;
          while (!stop && seen < count) {
            await new Promise((r) => setTimeout(r, interval));
            // A fresh reader each time: a log caches its type index, and another process adds types.
            const fresh = await new EventLog(storage).query({ ...base, afterSequence: cursor, limit: 1000 });
            for (const e of fresh) {
              if (seen >= count) break;
              print(e);
              seen++;
              cursor = e.sequence;
            }
          }
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await storage.close().catch(() => {});
        }
      },
    );

  events
    .command('timeline')
    .description('draw what happened under one correlation id: an indented tree here, or an HTML page')
    .argument('<correlationId>', 'printed by `hookspell fire` and `hookspell run`')
    .option('--html <file>', 'write a self-contained HTML page (no network; opens in any browser)')
    .option('--json', 'print the timeline as JSON (events, chains, concurrent groups, tree)')
    .addHelpText(
      'after',
      `
Examples:
  $ hookspell events timeline 0f3c…-1
  $ hookspell events timeline req-42 --html timeline.html && xdg-open timeline.html`,
    )
    .action(async (correlationId: string, options: { html?: string; json?: boolean }, command: Command) => {
      const { timeline, spans } = await withLog(command, async (log, storage) => ({
        timeline: await loadTimeline(log, correlationId),
        spans: await executionSpans(storage, correlationId),
      }));
      if (timeline.events.length === 0) {
        throw new CliError(
          CliErrorCode.NOT_FOUND,
          `no events stored for correlation id '${correlationId}' (recent ones: hookspell events query --reverse --limit 20)`,
        );
      }
      const view = timelineView(timeline, spans, configDependencies(await configOf(command)));
      if (options.html !== undefined) {
        const file = resolve(options.html);
        writeFileSync(file, renderTimelineHtml(view));
        if (!options.json)
          out(`wrote ${options.html}: ${view.eventCount} events, ${view.groups.length} concurrent group(s)`);
      }
      if (options.json) {
        outJson({
          correlationId,
          durationMs: view.durationMs,
          events: timeline.events,
          chains: timeline.chains,
          leaves: timeline.leaves,
          concurrentGroups: view.groups,
          tree: view.roots,
        });
      } else if (options.html === undefined) {
        out(renderTimelineTree(view));
      }
    });
}
