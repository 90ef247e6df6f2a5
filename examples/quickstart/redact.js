// redact.js: masks e-mail addresses in every string argument before a tool sees it, and counts
// the redactions in State (kept in SQLite across runs). Runs in a sandboxed QuickJS context.
const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;

Hook.register(
  'BeforeToolExecution',
  async (ctx) => {
    const changed = {};
    let found = 0;
    for (const [key, value] of Object.entries(ctx.data)) {
      if (typeof value !== 'string') continue;
      const masked = value.replace(EMAIL, () => {
        found++;
        return '<email>';
      });
      if (masked !== value) changed[key] = masked;
    }
    if (found === 0) return undefined; // continue
    await State.save(
      'global',
      'emails_redacted',
      ((await State.load('global', 'emails_redacted')) ?? 0) + found,
    );
    return { type: 'modified', data: changed };
  },
  { name: 'redact-email', priority: 'normal' },
);
