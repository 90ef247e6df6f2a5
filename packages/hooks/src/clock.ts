// The clock lives in @hookspell/core, shared by every package; re-exported here.
export { type Clock, systemClock } from '@hookspell/core';
