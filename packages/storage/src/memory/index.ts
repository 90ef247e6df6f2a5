export { MemoryStorage, type MemoryStorageOptions, type MemoryDriver, type MemoryStorageFactory } from './memory-storage.js';
