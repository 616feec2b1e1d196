export { ScanThreadPool } from './scan-thread-pool.js';
export type { ScanThreadPoolOptions } from './scan-thread-pool.js';
