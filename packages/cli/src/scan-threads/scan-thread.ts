/**
 * A parser thread of `patchwise scan`: reads and parses the files it is sent, in the order sent,
 * and answers each with its hosts in compact form (core's InventoryFileReader). Loaded by
 * bin/scan-thread.js; everything it knows comes in `workerData` and messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
// Only the inventory module (and what it needs): a thread's start-up is paid on every large scan.
import { InventoryFileReader } from '@patchwise/core/inventory';
import type { ThreadReply, ThreadTask, ThreadStart } from './thread-messages.js';

const port = parentPort;
if (!port) throw new Error('scan-thread.ts runs only as a worker thread');
const reader = new InventoryFileReader(workerData as ThreadStart);
port.on('message', (task: ThreadTask) => {
  let reply: ThreadReply;
  try {
    reply = { seq: task.seq, result: reader.read(task.path, task.root) };
  } catch (err) {
    // Not an input problem but a bug: the main thread raises it when the scan reaches this file.
    reply = { seq: task.seq, crash: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(reply);
});
