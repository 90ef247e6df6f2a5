// The error base lives in @hookspell/core; re-exported here so existing imports keep working.
export { HookspellError, type HookspellErrorOptions } from '@hookspell/core';
