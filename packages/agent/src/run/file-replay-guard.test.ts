import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileReplayGuard, REPLAY_MARGIN_MS } from './file-replay-guard.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function guardDir(): string {
  const state = mkdtempSync(join(tmpdir(), 'pw-replay-'));
  dirs.push(state);
  return join(state, 'accepted-jobs');
}

describe('FileReplayGuard', () => {
  it('remembers an accepted job across restarts, in a private file named by the hash of the job id', () => {
    const dir = guardDir();
    const now = new Date('2026-11-22T10:00:00Z');
    const guard = new FileReplayGuard(dir, () => now);
    expect(guard.seen('../../etc/passwd')).toBe(false);
    expect(guard.remember('../../etc/passwd', new Date('2026-11-22T12:00:00Z'))).toBe(true);
    expect(guard.seen('../../etc/passwd')).toBe(true);
    expect(new FileReplayGuard(dir, () => now).seen('../../etc/passwd')).toBe(true);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.json$/);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('lets only one of two racing deliveries record the same job', () => {
    const dir = guardDir();
    const a = new FileReplayGuard(dir);
    const b = new FileReplayGuard(dir);
    const expiresAt = new Date(Date.now() + 3_600_000);
    expect([a.remember('job-1', expiresAt), b.remember('job-1', expiresAt)]).toEqual([true, false]);
    expect(readdirSync(dir)).toHaveLength(1); // no temporary file left behind
  });

  it('prunes entries once their manifest expired longer ago than the margin, keeping the rest', () => {
    const dir = guardDir();
    let now = new Date('2026-11-22T10:00:00Z');
    const guard = new FileReplayGuard(dir, () => now);
    guard.remember('old', new Date('2026-11-22T11:00:00Z'));
    guard.remember('recent', new Date('2026-11-23T11:00:00Z'));
    now = new Date(Date.parse('2026-11-22T11:00:00Z') + REPLAY_MARGIN_MS); // exactly at the margin: kept
    expect(guard.prune()).toBe(0);
    now = new Date(now.getTime() + 1);
    expect(guard.remember('new', new Date(now.getTime() + 3_600_000))).toBe(true);
    expect([guard.seen('old'), guard.seen('recent'), guard.seen('new')]).toEqual([false, true, true]);
  });

  it('keeps a damaged entry as long as any manifest could have lived, then prunes it', () => {
    const dir = guardDir();
    const now = new Date('2026-11-22T10:00:00Z');
    const guard = new FileReplayGuard(dir, () => now);
    guard.remember('first', new Date('2026-11-22T12:00:00Z'));
    const damaged = join(dir, `${'a'.repeat(64)}.json`);
    writeFileSync(damaged, '{"jobId":');
    expect(guard.prune()).toBe(0);
    utimesSync(damaged, new Date('2026-10-01T00:00:00Z'), new Date('2026-10-01T00:00:00Z'));
    expect(guard.prune()).toBe(1);
    expect(guard.seen('first')).toBe(true);
  });
});
