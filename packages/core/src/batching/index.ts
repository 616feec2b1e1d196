/** Group commit of small concurrent writes (check-ins, replay nonces): one statement per batch. */
export { MicroBatcher } from './micro-batcher.js';
export type { BatchWriter, MicroBatcherOptions } from './micro-batcher.js';
