// redact-pii.js: masks personal data — e-mail addresses, international phone numbers, payment
// card numbers (Luhn-checked, so an order number is left alone) and IBANs — in every string of
// the data, at any depth, before the model sees a prompt and before a tool's output goes back to
// it. It answers `modified` with the masked data, publishes `pii.redacted` with counts (never the
// values), and keeps running totals in State. Runs in a sandboxed QuickJS context: no file system,
// network or timers, a CPU deadline per call.

/** [kind, pattern, accept?] in the order they are applied. */
const RULES = [
  ['card', /\b\d(?:[ -]?\d){12,18}\b/g, luhn],
  ['iban', /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g],
  ['email', /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g],
  ['phone', /\+\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,4})){2,6}/g],
];

function luhn(text) {
  const digits = text.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** The value with every string masked; `counts` collects what was found. */
function mask(value, counts) {
  if (typeof value === 'string') {
    let text = value;
    for (const [kind, pattern, accept] of RULES) {
      text = text.replace(pattern, (match) => {
        if (accept && !accept(match)) return match;
        counts[kind] = (counts[kind] ?? 0) + 1;
        return `<${kind}>`;
      });
    }
    return text;
  }
  if (Array.isArray(value)) return value.map((v) => mask(v, counts));
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = mask(v, counts);
    return out;
  }
  return value;
}

async function redactPii(ctx) {
  const counts = {};
  const data = mask(ctx.data, counts);
  if (Object.keys(counts).length === 0) return undefined; // continue
  await Event.publish('pii.redacted', { point: ctx.point, component: ctx.component.name, counts });
  const totals = (await State.load('global', 'pii_totals')) ?? {};
  for (const [kind, n] of Object.entries(counts)) totals[kind] = (totals[kind] ?? 0) + n;
  await State.save('global', 'pii_totals', totals);
  return { type: 'modified', data };
}

for (const point of ['BeforeAgentExecution', 'AfterToolExecution']) {
  Hook.register(point, redactPii, { name: 'redact-pii', priority: 'high', tags: ['privacy'] });
}
print(`redact-pii.js: ${Hook.list({ tag: 'privacy' }).length} hooks registered`);
