import { describe, expect, it } from 'vitest';
import type { DeploymentSnapshot, JobSnapshot, JobState } from './deployment.js';
import { engineStep, type StartVerdict, type StepInput } from './engine-step.js';
import { DEFAULT_STRATEGY, parseStrategy, type RolloutStrategy } from './strategy.js';

const now = new Date('2026-12-08T02:00:00Z');
const open: StartVerdict = { canStart: true, closesAt: new Date('2026-12-08T05:30:00Z') };

function job(id: string, wave: number, state: JobState = 'pending', over: Partial<JobSnapshot> = {}): JobSnapshot {
  return { id, hostId: `h-${id}`, cluster: null, action: 'install', wave, state, expiresAt: null, fetchedAt: null, finishedAt: null, ...over };
}

function input(jobs: JobSnapshot[], strategy: Partial<Record<string, unknown>> = {}, d: Partial<DeploymentSnapshot> = {}, over: Partial<StepInput> = {}): StepInput {
  const s: RolloutStrategy = parseStrategy({ soakMinutes: 0, concurrency: '100%', ...strategy });
  const waveCount = Math.max(...jobs.map((j) => j.wave)) + 1;
  return {
    deployment: { id: 1, state: 'running', strategy: s, currentWave: 0, waveCount, soakUntil: null, ...d },
    jobs,
    busyByCluster: new Map(),
    now,
    canStart: () => open,
    dispatchTtlMs: 15 * 60_000,
    ...over,
  };
}

describe('engineStep', () => {
  it('dispatches only the current wave, with the manifest expiring at the window cutoff when that comes first', () => {
    const r = engineStep(input([job('a', 0), job('b', 1)], {}, {}, { dispatchTtlMs: 10 * 3600_000 }));
    expect(r.dispatch).toEqual([{ jobId: 'a', expiresAt: open.closesAt }]);
    expect(r.deployment).toBeNull();
  });

  it('keeps the concurrency limit, counting jobs already in flight', () => {
    const jobs = [job('a', 0, 'running', { fetchedAt: now }), job('b', 0), job('c', 0), job('d', 0)];
    const r = engineStep(input(jobs, { concurrency: 2 }));
    expect(r.dispatch.map((d) => d.jobId)).toEqual(['b']);
    expect(r.waiting.get('concurrency limit')).toBe(2);
  });

  it('never lets more than K hosts of one cluster be in flight, across deployments', () => {
    const jobs = [job('a', 0, 'pending', { cluster: 'db' }), job('b', 0, 'pending', { cluster: 'db' }), job('c', 0, 'pending', { cluster: 'web' })];
    const r = engineStep(input(jobs, { clusterMaxUnavailable: 1 }, {}, { busyByCluster: new Map([['web', 1]]) }));
    expect(r.dispatch.map((d) => d.jobId)).toEqual(['a']);
    expect([...r.waiting.keys()].sort()).toEqual(['cluster db at its limit of 1', 'cluster web at its limit of 1']);
  });

  it('does not dispatch hosts whose window is closed and says why', () => {
    const closed: StartVerdict = { canStart: false, reason: 'outside-window', nextStart: new Date('2026-12-09T02:00:00Z') };
    const r = engineStep(input([job('a', 0), job('b', 0)], {}, {}, { canStart: (h) => (h === 'h-a' ? closed : open) }));
    expect(r.dispatch.map((d) => d.jobId)).toEqual(['b']);
    expect(r.waiting.get('outside-window')).toBe(1);
  });

  it('halts when the canary fails beyond its budget, and dispatches nothing more', () => {
    const r = engineStep(input([job('a', 0, 'rolled-back'), job('b', 1), job('c', 1)], { errorBudget: { perWave: 0, total: 5 } }));
    expect(r.deployment).toMatchObject({ state: 'halted' });
    expect(r.deployment?.reason).toMatch(/wave 1 \(canary\) exhausted: 1 of 1/);
    expect(r.dispatch).toEqual([]);
  });

  it('halts on the total budget even when each wave is within its own', () => {
    const jobs = [job('a', 0, 'succeeded'), job('b', 1, 'failed'), job('c', 1, 'succeeded'), job('d', 2, 'failed'), job('e', 2)];
    const r = engineStep(input(jobs, { errorBudget: { perWave: '50%', total: 1 } }, { currentWave: 2 }));
    expect(r.deployment?.reason).toMatch(/error budget exhausted: 2 hosts failed, the deployment allows 1/);
  });

  it('soaks a finished wave, then starts the next; blitz skips the soak', () => {
    const jobs = [job('a', 0, 'succeeded'), job('b', 1)];
    const soaking = engineStep(input(jobs, { soakMinutes: 30 }));
    expect(soaking.deployment).toMatchObject({ state: 'running', currentWave: 0, soakUntil: new Date(now.getTime() + 30 * 60_000) });
    expect(soaking.dispatch).toEqual([]);
    const later = engineStep(input(jobs, { soakMinutes: 30 }, { soakUntil: new Date(now.getTime() - 1) }));
    expect(later.deployment).toMatchObject({ state: 'running', currentWave: 1, soakUntil: null });
    expect(later.dispatch.map((d) => d.jobId)).toEqual(['b']);
    const blitz = engineStep(input(jobs, { soakMinutes: 30, blitz: true }));
    expect(blitz.dispatch.map((d) => d.jobId)).toEqual(['b']);
  });

  it('completes when the last wave is done; skipped hosts count as done', () => {
    const r = engineStep(input([job('a', 0, 'succeeded'), job('b', 1, 'skipped')], {}, { currentWave: 1 }));
    expect(r.deployment).toMatchObject({ state: 'completed' });
  });

  it('requeues unfetched manifests that expired, and fails fetched jobs without a report past the timeout', () => {
    const jobs = [
      job('a', 0, 'dispatched', { expiresAt: new Date(now.getTime() - 1) }),
      job('b', 0, 'running', { fetchedAt: new Date(now.getTime() - DEFAULT_STRATEGY.jobTimeoutMinutes * 60_000) }),
    ];
    const r = engineStep(input(jobs, { errorBudget: { perWave: 1, total: 1 } }));
    expect(r.requeue).toEqual(['a']);
    expect(r.timedOut).toEqual(['b']);
    expect(r.dispatch.map((d) => d.jobId)).toEqual(['a']);
  });

  it('keeps a rebooting host in flight: its cluster slot and the concurrency stay taken, and its wave is not done', () => {
    const rebooting = job('a', 0, 'rebooting', { cluster: 'db', finishedAt: now });
    const jobs = [rebooting, job('b', 0, 'pending', { cluster: 'db' }), job('c', 1)];
    const r = engineStep(input(jobs, { clusterMaxUnavailable: 1 }, {}, { busyByCluster: new Map([['db', 1]]) }));
    expect(r.dispatch).toEqual([]);
    expect(r.waiting.get('cluster db at its limit of 1')).toBe(1);
    expect(r.deployment).toBeNull();
    const limited = engineStep(input([job('x', 0, 'rebooting', { finishedAt: now }), job('y', 0)], { concurrency: 1 }));
    expect(limited.dispatch).toEqual([]);
    expect(limited.waiting.get('concurrency limit')).toBe(1);
  });

  it('fails a rebooting job whose host is not back within the reboot timeout, against the budget', () => {
    const since = (minutes: number) => new Date(now.getTime() - minutes * 60_000);
    const jobs = [job('a', 0, 'rebooting', { finishedAt: since(30) }), job('b', 0, 'rebooting', { finishedAt: since(29) }), job('c', 1)];
    const r = engineStep(input(jobs, { rebootTimeoutMinutes: 30 }));
    expect(r.rebootTimedOut).toEqual(['a']);
    expect(r.deployment).toMatchObject({ state: 'halted' });
    expect(r.deployment?.reason).toMatch(/canary\) exhausted: 1 of 2/);
  });

  it('rolls back without waiting for a window, then ends rolled-back', () => {
    const rb = (id: string, state: JobState) => job(id, 0, state, { action: 'rollback' });
    const closed = () => ({ canStart: false as const, reason: 'frozen', nextStart: null });
    const r = engineStep(input([job('a', 0, 'succeeded'), rb('ra', 'pending')], {}, { state: 'rolling-back' }, { canStart: closed }));
    expect(r.dispatch.map((d) => d.jobId)).toEqual(['ra']);
    const done = engineStep(input([job('a', 0, 'succeeded'), rb('ra', 'succeeded')], {}, { state: 'rolling-back' }));
    expect(done.deployment).toMatchObject({ state: 'rolled-back', reason: null });
  });

  it('does nothing for a paused or halted deployment', () => {
    for (const state of ['paused', 'halted', 'created'] as const) expect(engineStep(input([job('a', 0)], {}, { state })).dispatch).toEqual([]);
  });
});
