/**
 * A lock between processes (parallel test files) that the kernel releases when its holder dies:
 * flock(1) holds it while its child `cat` copies a pipe from us. Ending the pipe, or this
 * process dying, ends `cat` and so the lock; no stale lock file ever needs cleaning up.
 */
import { spawn } from 'node:child_process';

const READY = 'locked\n';

/** Runs `work` while holding an exclusive flock on `lockPath` (created if missing). */
export async function withFileLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const holder = spawn('flock', ['--exclusive', lockPath, 'cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise((resolve) => holder.on('exit', resolve));
  // `cat` starts only once flock holds the lock, and echoes this line at once (it does not
  // buffer): the echo is the signal. Until then the line waits in the pipe.
  holder.stdin.write(READY);
  await new Promise<void>((resolve, reject) => {
    let stdout = '';
    holder.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes(READY)) resolve();
    });
    holder.on('error', reject);
    holder.on('exit', (code) => reject(new Error(`flock ${lockPath} exited (${String(code)}) before taking the lock: ${stderr.trim()}`)));
  });
  try {
    return await work();
  } finally {
    holder.stdin.end();
    await exited;
  }
}
