// The correlation scope lives in @hookspell/core, shared by every package; re-exported here.
export {
  type Correlation,
  correlationStorage,
  correlationStorageCreated,
  currentCorrelation,
  withCorrelation,
} from '@hookspell/core';
