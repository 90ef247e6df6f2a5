// redact.js: masks e-mail addresses in the text fields of a tool's input before the tool sees
// them (the recipient `to` is kept: the mail has to go somewhere). Runs in a sandboxed QuickJS
// context; counts what it masked in State (kept in SQLite across runs).
const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;

Hook.register(
  'BeforeToolExecution',
  async (ctx) => {
    const input = ctx.data.tool_input;
    if (input === null || typeof input !== 'object') return undefined;
    const masked = {};
    let found = 0;
    for (const [key, value] of Object.entries(input)) {
      if (key === 'to' || typeof value !== 'string') continue;
      const next = value.replace(EMAIL, () => {
        found++;
        return '<email>';
      });
      if (next !== value) masked[key] = next;
    }
    if (found === 0) return undefined;
    await State.save(
      'global',
      'emails_redacted',
      ((await State.load('global', 'emails_redacted')) ?? 0) + found,
    );
    return { type: 'modified', data: { tool_input: { ...input, ...masked } } };
  },
  { name: 'redact-email', priority: 'normal' },
);

// The same for what the model is asked: `prompt` is the text of the last user message.
Hook.register(
  'BeforeAgentExecution',
  (ctx) => {
    const prompt = String(ctx.data.prompt ?? '');
    const masked = prompt.replace(EMAIL, '<email>');
    return masked === prompt ? undefined : { type: 'modified', data: { prompt: masked } };
  },
  { name: 'redact-prompt', priority: 'normal' },
);
