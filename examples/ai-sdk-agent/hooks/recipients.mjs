// recipients.mjs: a command hook. hookspell runs it with the hook context as JSON on stdin.
// Exit 0 with no output = continue; exit 2 = cancel, with stderr as the reason.
let input = '';
for await (const chunk of process.stdin) input += chunk;
const { data } = JSON.parse(input);
if (data.tool_name !== 'send_email') process.exit(0);
const to = String(data.tool_input?.to ?? '');
if (to.endsWith('@example.com')) process.exit(0);
process.stderr.write(`mail may only go to @example.com, not to ${to}`);
process.exit(2);
