// Entry point of a `patchwise scan` parser thread (see src/scan-threads/scan-thread-pool.ts).
// A worker thread does not inherit the tsx loader that bin/patchwise.js registered, nor the one
// a test runner uses, so it registers its own before loading the TypeScript sources.
import { register } from 'tsx/esm/api';

register();
await import('../src/scan-threads/scan-thread.ts');
