// A scan parser thread that stops when sent its first file, leaving every file it was given
// unanswered, as one that runs out of memory would (scan-threads.test.ts).
import { parentPort } from 'node:worker_threads';

parentPort?.once('message', () => process.exit(3));
