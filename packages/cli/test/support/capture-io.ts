import { PassThrough } from 'node:stream';

/** Streams a command writes to, and the text each received, for tests of a command's output. */
export function captureIo() {
  const out = { stdout: '', stderr: '' };
  const stdout = new PassThrough().on('data', (c: Buffer) => (out.stdout += c.toString()));
  const stderr = new PassThrough().on('data', (c: Buffer) => (out.stderr += c.toString()));
  return { out, io: { stdout, stderr } };
}
