export { CommandError, CommandErrorCode } from './command-error.js';
export { type CommandHookOptions, commandHook } from './command-hook.js';
export { parseCommand } from './parse-command.js';
