export {
  type MemoryDriver,
  MemoryStorage,
  type MemoryStorageFactory,
  type MemoryStorageOptions,
} from './memory-storage.js';
