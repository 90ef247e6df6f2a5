import type { HookspellEvent } from '@hookspell/events';

/** An event longer than this (as JSON) is listed with its data cut; its full form is one request away. */
export const MAX_LISTED_EVENT_CHARS = 64 * 1024;
/** Most characters of event JSON in one response or stream message. */
export const MAX_PAGE_CHARS = 8 * 1024 * 1024;
const PREVIEW_CHARS = 2048;

/**
 * An event as JSON for a listing: whole, or — when its data is huge — with `data` left out and
 * `truncated: { chars, preview }` instead (`GET /api/runs/:id/events/:sequence` has it whole).
 */
export function listedEventJson(event: HookspellEvent): string {
  const text = JSON.stringify(event);
  if (text.length <= MAX_LISTED_EVENT_CHARS) return text;
  const data = JSON.stringify(event.data) ?? '';
  return JSON.stringify({
    ...event,
    data: undefined,
    truncated: { chars: data.length, preview: data.slice(0, PREVIEW_CHARS) },
  });
}

/**
 * As many of `events` as fit `maxChars`, as a JSON array (at least one, so paging always moves
 * on), and how many that was.
 */
export function eventsArrayJson(
  events: readonly HookspellEvent[],
  maxChars = MAX_PAGE_CHARS,
): { json: string; count: number } {
  const parts: string[] = [];
  let chars = 2;
  for (const event of events) {
    const text = listedEventJson(event);
    if (parts.length > 0 && chars + text.length + 1 > maxChars) break;
    parts.push(text);
    chars += text.length + 1;
  }
  return { json: `[${parts.join(',')}]`, count: parts.length };
}
