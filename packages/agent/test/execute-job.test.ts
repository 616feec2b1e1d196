/**
 * executeJob's decisions that do not depend on apt (which test/e2e/agent-execution.test.ts runs
 * for real): reboot policy `always` and a failing reboot request, a rollback that fails, the
 * limit on interrupted attempts, manifests refused up front. The host is a dnf host whose
 * commands are scripted (dnf cannot run here; see support/scripted-runner.ts).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DnfDriver, JobJournal, MAX_JOB_ATTEMPTS, RPM_QUERY_FORMAT, executeJob, manifestDigest, type ExecuteJobDeps, type HostReboot } from '@patchwise/agent';
import type { JobManifest } from '@patchwise/core';
import { makeTree, removeTrees } from './support/fake-root.js';
import { ScriptedRunner, type ScriptedCommand } from './support/scripted-runner.js';

afterAll(removeTrees);

const query = (line: string, exitCode = 0): ScriptedCommand => ({ argv: ['rpm', '-q', '--qf', RPM_QUERY_FORMAT, '--', 'curl'], stdout: `${line}\n`, exitCode });
const OLD = 'curl\t(none)\t7.76.1\t26.el9';
const NEW = 'curl\t(none)\t7.76.1\t29.el9_4';
const INSTALL: ScriptedCommand = { argv: ['dnf', 'install', '-y', '--refresh', 'curl-7.76.1-29.el9_4'], stdout: 'Complete!\n' };
const RESTORE: ScriptedCommand = { argv: ['dnf', 'install', '-y', 'curl-7.76.1-26.el9'], stdout: 'Complete!\n' };

function job(overrides: Partial<JobManifest> = {}): JobManifest {
  return {
    v: 1,
    jobId: 'job-1',
    idempotencyKey: randomUUID(),
    deploymentId: 7,
    hostId: 'host-1',
    action: 'install',
    manager: 'dnf',
    targets: [{ name: 'curl', version: '7.76.1-29.el9_4' }],
    reboot: 'never',
    preSteps: [],
    postSteps: [],
    preChecks: [],
    postChecks: [],
    issuedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-01T02:00:00.000Z',
    ...overrides,
  };
}

async function harness(commands: ScriptedCommand[], requestReboot: () => Promise<void> = () => Promise.resolve()) {
  const reboot: HostReboot = { bootId: () => Promise.resolve('boot-1'), request: requestReboot };
  const runner = new ScriptedRunner(commands);
  const journal = new JobJournal(await makeTree({}, 'pw-agent-state-'));
  const deps: ExecuteJobDeps = {
    driver: new DnfDriver(runner),
    runner,
    journal,
    clock: () => new Date('2026-01-01T01:00:00.000Z'),
    fetch: () => Promise.reject(new Error('no HTTP in this test')),
    reboot,
  };
  return { runner, journal, deps };
}

describe('executeJob (scripted dnf host)', () => {
  it('reboots under policy always even when nothing asks for it, journalling the report first', async () => {
    let storedBeforeReboot: unknown;
    const active: ScriptedCommand = { argv: ['systemctl', 'is-active', '--quiet', 'httpd.service'], exitCode: 0 };
    const h = await harness([query(OLD), INSTALL, query(NEW), active, { argv: ['dnf', 'needs-restarting', '-r'], exitCode: 0 }], async () => {
      storedBeforeReboot = await h.journal.get(manifest.idempotencyKey);
    });
    const postChecks = [{ kind: 'service', unit: 'httpd.service' }] as const;
    const manifest = job({ reboot: 'always', postChecks });
    const report = await executeJob(manifest, h.deps);
    expect(report).toMatchObject({ outcome: 'succeeded', rebootRequired: false, rebooted: true, bootId: 'boot-1', failure: null });
    // The post-checks are kept with the report, for the agent that runs after the reboot to run again.
    expect(storedBeforeReboot).toMatchObject({ state: 'finished', report: { rebooted: true, bootId: 'boot-1' }, postChecks });
    expect(report.commands.map((c) => `${c.step}: ${c.argv[0]}`)).toEqual(['query: rpm', 'install: dnf', 'verify: rpm', 'post-check: systemctl', 'reboot-check: dnf']);
    expect(h.runner.remaining).toEqual([]);
  });

  it('reports a reboot that could not be requested, and keeps the outcome', async () => {
    const h = await harness([query(OLD), INSTALL, query(NEW), { argv: ['dnf', 'needs-restarting', '-r'], exitCode: 1, stdout: 'Reboot is required to fully utilize these updates.\n' }], () => Promise.reject(new Error('shutdown: not permitted')));
    const manifest = job({ reboot: 'if-required' });
    const report = await executeJob(manifest, h.deps);
    expect(report).toMatchObject({ outcome: 'succeeded', rebootRequired: true, rebooted: false, failure: { step: 'reboot', message: 'requesting the reboot failed: shutdown: not permitted' } });
    expect(report.bootId).toBeUndefined();
    expect((await h.journal.get(manifest.idempotencyKey))?.report).toEqual(report);
  });

  it('reports failed with rollbackFailed when the previous version cannot be brought back', async () => {
    const h = await harness([
      query(OLD),
      { ...INSTALL, exitCode: 1, stderr: 'Error: Transaction test error:\n  file /usr/bin/curl conflicts\n' },
      { ...RESTORE, exitCode: 1, stderr: 'Error: Unable to find a match: curl-7.76.1-26.el9\n' },
      query(NEW),
      { argv: ['dnf', 'needs-restarting', '-r'], exitCode: 0 },
    ]);
    const report = await executeJob(job(), h.deps);
    expect(report).toMatchObject({ outcome: 'failed', rollbackFailed: true, after: [{ name: 'curl', version: '7.76.1-29.el9_4' }] });
    expect(report.failure?.step).toBe('install');
    expect(report.failure?.message).toMatch(/conflicts; the rollback failed too: .*Unable to find a match/);
  });

  it(`restores instead of starting again a job interrupted ${MAX_JOB_ATTEMPTS} times`, async () => {
    const h = await harness([RESTORE, query(OLD), { argv: ['dnf', 'needs-restarting', '-r'], exitCode: 0 }]);
    const manifest = job();
    await h.journal.put({
      v: 1,
      idempotencyKey: manifest.idempotencyKey,
      jobId: manifest.jobId,
      manifestDigest: manifestDigest(manifest),
      state: 'started',
      previous: [{ name: 'curl', version: '7.76.1-26.el9' }],
      attempts: MAX_JOB_ATTEMPTS,
      startedAt: '2026-01-01T00:30:00.000Z',
      report: null,
    });
    const report = await executeJob(manifest, h.deps);
    expect(report).toMatchObject({ outcome: 'rolled-back', failure: { step: 'resume' }, previous: [{ name: 'curl', version: '7.76.1-26.el9' }] });
    expect(report.failure?.message).toContain(`started ${MAX_JOB_ATTEMPTS} times`);
    expect(await h.journal.get(manifest.idempotencyKey)).toMatchObject({ state: 'finished', attempts: MAX_JOB_ATTEMPTS + 1, startedAt: '2026-01-01T00:30:00.000Z' });
  });

  it('refuses before any command a manifest for another manager, without targets, or installing "absent"', async () => {
    const h = await harness([]);
    await expect(executeJob(job({ manager: 'apt' }), h.deps)).rejects.toMatchObject({ code: 'PW_INPUT_INVALID', message: expect.stringContaining('for apt') });
    await expect(executeJob(job({ targets: [] }), h.deps)).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
    await expect(executeJob(job({ targets: [{ name: 'curl', version: null }] }), h.deps)).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
    await expect(executeJob(job({ preChecks: [{ kind: 'service', unit: '--host=evil' }] }), h.deps)).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
    await expect(executeJob(job({ expiresAt: '2026-01-01T00:59:59.000Z' }), h.deps)).rejects.toMatchObject({ code: 'PW_MANIFEST_REJECTED' });
    expect(h.runner.calls).toEqual([]);
  });
});
