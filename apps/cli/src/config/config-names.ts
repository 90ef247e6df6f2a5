// Imported by the Claude Code hook's client path: nothing but this constant.

/** File names looked for in the working directory, in this order. */
export const CONFIG_NAMES = [
  'hookspell.config.json',
  'hookspell.config.yaml',
  'hookspell.config.yml',
] as const;
