import { auditHooks, type HookAuditFinding, type HookRegistry, isGuardPoint } from '@hookspell/hooks';
import { columns } from '../util/format.js';

/** One finding as `hooks audit --json` prints it: the library's, plus where the hook came from. */
export interface AuditFindingJson extends HookAuditFinding {
  /** How the hook was written (`command: ./deny.sh`, `lua:hooks/x.lua`, `script:setup.lua`), or null. */
  source: string | null;
}

/** What `hooks audit --json` prints. */
export interface AuditJson {
  /** Hooks registered at guard points (built-in guard points and points configured failClosed). */
  checked: number;
  findings: AuditFindingJson[];
}

/**
 * Every hook that can let a guarded action go ahead although it failed or did not run
 * (`auditHooks` of @hookspell/hooks), with its source, and how many hooks were looked at.
 */
export function audit(registry: HookRegistry, sources: ReadonlyMap<string, string>): AuditJson {
  const checked = registry
    .list()
    .filter((h) => isGuardPoint(h.point) || registry.pointConfig(h.point).failClosed).length;
  const findings = auditHooks(registry).map((f) => ({
    ...f,
    paths: [...f.paths],
    source: sources.get(`${f.name}@${f.point}`) ?? null,
  }));
  return { checked, findings };
}

/**
 * The findings as people read them: one aligned row per hook (point, hook, language, what its
 * failure decides and why, how it fails open), then its source, why and fix indented under it.
 */
export function renderAudit(result: AuditJson): string {
  const { checked, findings } = result;
  if (findings.length === 0) {
    return `no hook can fail open at a guard point (${checked} hook${checked === 1 ? '' : 's'} at guard points checked)\n`;
  }
  const rows = [
    ['point', 'hook', 'language', 'on failure', 'fails open when'],
    ...findings.map((f) => [
      f.point,
      f.name,
      f.language,
      f.paths.includes('disabled') ? 'disabled' : `${f.onFailure} (${f.onFailureSource})`,
      f.paths.join(', '),
    ]),
  ];
  const lines = columns(rows);
  const out = [
    `${findings.length} hook${findings.length === 1 ? '' : 's'} can let a guarded action go ahead although ${
      findings.length === 1 ? 'it' : 'they'
    } failed or did not run (${checked} checked):`,
    '',
    lines[0]!,
  ];
  findings.forEach((f, i) => {
    out.push(lines[i + 1]!);
    if (f.source !== null) out.push(`  source: ${f.source}`);
    out.push(`  why: ${f.why}`, `  fix: ${f.fix}`);
  });
  return `${out.join('\n')}\n`;
}
