/** Group commit of small concurrent writes (check-ins, replay nonces): one statement per batch; coalesced reruns of one piece of work per key. */
export { MicroBatcher } from './micro-batcher.js';
export type { BatchWriter, MicroBatcherOptions } from './micro-batcher.js';
export { RunCoalescer } from './run-coalescer.js';
