// redact-email.js: replaces e-mail addresses in `ctx.data.input` before a tool sees them.
// Load it with ScriptRuntime (see ../scripts/run.mjs); it runs in a sandboxed QuickJS context.

const EMAIL = /[\w.+-]+@[\w-]+\.[\w.]+/g;

Hook.register(
  'BeforeToolExecution',
  async (ctx) => {
    const input = ctx.data.input;
    if (typeof input !== 'string') return undefined; // continue
    const redacted = input.replace(EMAIL, '[email]');
    if (redacted === input) return undefined;
    const redactions = ((await State.load('global', 'redactions')) ?? 0) + 1;
    await State.save('global', 'redactions', redactions);
    return { type: 'modified', data: { input: redacted } };
  },
  { name: 'redact-email', priority: 'normal', tags: ['privacy'] },
);

print('redact-email.js: registered on BeforeToolExecution');
