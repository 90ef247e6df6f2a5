import type { CorrelationReplay, ReplayResult } from '@hookspell/journal';
import { brief, columns } from '../util/format.js';
import { resultText } from './outcome.js';

type Comparison = ReplayResult['comparison'];

function differences(comparison: Comparison, indent: string): string[] {
  if (comparison.identical) return [`${indent}no differences`];
  return columns(
    comparison.differences.map((d) => [
      d.path,
      d.original === undefined ? '(absent)' : brief(d.original, 60),
      '→',
      d.replayed === undefined ? '(absent)' : brief(d.replayed, 60),
    ]),
    indent,
  );
}

function outcomeText(x: {
  status: string;
  result?: Parameters<typeof resultText>[0];
  error?: { message: string };
}): string {
  return `${x.status}  ${x.error ? x.error.message : resultText(x.result)}`.trimEnd();
}

/** One replayed execution: what it was, what it is now, and the comparator's differences. */
export function renderReplay(r: ReplayResult): string {
  const o = r.original;
  const lines = [
    `replay ${r.executionId} · ${o.hook}@${o.point} · ${r.mode}${r.versionChanged ? ` · recorded version ${o.version} differs from the hook registered now` : ''}`,
    `original: ${outcomeText(o)}`,
    `replayed: ${outcomeText(r.replayed)}`,
  ];
  if (r.mode === 'modified') lines.push(`context:  ${brief(r.replayed.context.data, 200)}`);
  lines.push(
    `identical: ${r.comparison.identical ? 'yes' : 'no'} · similarity ${r.comparison.similarity.toFixed(2)}`,
  );
  if (!r.comparison.identical) lines.push('differences:');
  lines.push(...differences(r.comparison, '  '));
  return `${lines.join('\n')}\n`;
}

/** A replayed correlation: per fire, per hook, the differences. */
export function renderCorrelationReplay(r: CorrelationReplay): string {
  const lines = [
    `replay of correlation ${r.correlationId}${r.replayCorrelationId ? ` (new fires under ${r.replayCorrelationId})` : ' (simulated)'}: ${r.fires.length} fire(s)`,
  ];
  // Retention may have removed fires of this correlation: say so, never replay a part silently.
  if (r.pruned !== undefined) {
    lines.push(
      `warning: the journal's retention removed ${r.pruned.entries} entr${r.pruned.entries === 1 ? 'y' : 'ies'} recorded up to ${new Date(r.pruned.through.recordedAt).toISOString()}; fires of this correlation from before then may be missing from this replay`,
    );
  }
  for (const fire of r.fires) {
    lines.push(
      `fire ${fire.fireId} ${fire.point}${fire.outcome ? ` · decision now ${fire.outcome.decision.type}` : ''}`,
    );
    for (const { hook, comparison } of fire.comparisons) {
      lines.push(
        `  ${hook}: ${comparison.identical ? 'identical' : `${comparison.differences.length} difference(s), similarity ${comparison.similarity.toFixed(2)}`}`,
      );
      if (!comparison.identical) lines.push(...differences(comparison, '    '));
    }
  }
  lines.push(`identical: ${r.identical ? 'yes' : 'no'} · similarity ${r.similarity.toFixed(2)}`);
  return `${lines.join('\n')}\n`;
}
