// Fire and execution ids live in @hookspell/core, shared by every package; re-exported here.
export { formatExecutionId, formatFireId, nextFireSeq } from '@hookspell/core';
