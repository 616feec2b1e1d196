/**
 * The second report of a job that rebooted its host: sent once the host is back (its boot id
 * changed, or, without a boot id, a new agent process runs), never before, and only once; the
 * job's post-checks run again first, retried while the host settles, and a host still failing
 * them fails its job.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HealthCheck, JobReport } from '@patchwise/core';
import { JobJournal, JobRunner, PendingReboots, type AgentClient, type CommandRunner, type JobManifestGate, type Signer } from '@patchwise/agent';
import { ScriptedRunner, type ScriptedCommand } from './support/scripted-runner.js';

const KEY = 'deployment-1-install-h1';

function report(bootId: string | null): JobReport {
  const at = '2026-12-06T10:00:00.000Z';
  return { jobId: '0b7e4a8e-4a36-4a3b-9d0c-1a2b3c4d5e6f', idempotencyKey: KEY, outcome: 'succeeded', previous: [], after: [], rebootRequired: true, rebooted: true, bootId, failure: null, rollbackFailed: false, commands: [], startedAt: at, finishedAt: at };
}

const HTTPD: HealthCheck = { kind: 'service', unit: 'httpd.service' };
const isActive = (exitCode: number): ScriptedCommand => ({ argv: ['systemctl', 'is-active', '--quiet', 'httpd.service'], exitCode });

async function host(bootIdAtRequest: string | null, checks: { postChecks?: HealthCheck[]; commands?: ScriptedCommand[]; settleMs?: number } = {}) {
  const state = mkdtempSync(join(tmpdir(), 'pw-reboot-'));
  const journal = new JobJournal(state);
  await journal.put({
    v: 1, idempotencyKey: KEY, jobId: report(null).jobId, manifestDigest: 'd', state: 'finished', previous: [], attempts: 1, startedAt: '2026-12-06T09:59:00.000Z', report: report(bootIdAtRequest),
    ...(checks.postChecks ? { postChecks: checks.postChecks } : {}),
  });
  const commands: CommandRunner = checks.commands ? new ScriptedRunner(checks.commands) : { description: 'none', run: () => Promise.reject(new Error('no command expected')) };
  const sleeps: number[] = [];
  const pending = new PendingReboots(join(state, 'reboots'));
  await pending.add(KEY);
  const sent: JobReport[] = [];
  let bootId = bootIdAtRequest;
  // Only what runOnce touches when no manifest arrives: the fetch (empty) and the report.
  const client = { jobs: () => Promise.resolve([]), reportJob: (_: Signer, r: JobReport) => (sent.push(r), Promise.resolve({ recorded: true })) } as unknown as AgentClient;
  const runner = () =>
    new JobRunner({
      client,
      signer: {} as Signer,
      gate: {} as JobManifestGate,
      journal,
      runner: commands,
      outboxDir: join(state, 'outbox'),
      clock: () => new Date('2026-12-06T10:05:00.000Z'),
      fetch,
      reboot: { bootId: () => Promise.resolve(bootId), request: () => Promise.reject(new Error('no reboot expected')) },
      pendingReboots: pending,
      log: () => undefined,
      afterReboot: { settleMs: checks.settleMs ?? 0, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) },
    });
  return { journal, pending, sent, runner, sleeps, commands, boot: (id: string) => (bootId = id) };
}

describe('JobRunner after a reboot', () => {
  it('reports the host back once its boot id changed, not before, and only once', async () => {
    const h = await host('boot-a');
    const agent = h.runner();
    await agent.runOnce(0);
    expect(h.sent).toEqual([]);
    expect(await h.pending.list()).toEqual([KEY]);

    h.boot('boot-b');
    await agent.runOnce(0);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({ outcome: 'succeeded', rebooted: true, bootId: 'boot-a', back: { bootId: 'boot-b', at: '2026-12-06T10:05:00.000Z' } });
    // The journal answers a re-delivery with the completed report; nothing is left to confirm.
    expect((await h.journal.get(KEY))?.report?.back).toEqual({ bootId: 'boot-b', at: '2026-12-06T10:05:00.000Z' });
    expect(await h.pending.list()).toEqual([]);
    await agent.runOnce(0);
    expect(h.sent).toHaveLength(1);
  });

  it('without a boot id, reports back from the next agent process', async () => {
    const h = await host(null);
    await h.runner().runOnce(0);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]?.back).toEqual({ bootId: null, at: '2026-12-06T10:05:00.000Z' });
  });

  it('runs the post-checks again once the host is back, and records them in the report', async () => {
    const h = await host('boot-a', { postChecks: [HTTPD], commands: [isActive(0)] });
    const agent = h.runner();
    await agent.runOnce(0);
    expect(h.sent).toEqual([]);
    h.boot('boot-b');
    await agent.runOnce(0);
    expect(h.sent).toHaveLength(1);
    expect(h.sent[0]).toMatchObject({ outcome: 'succeeded', failure: null, back: { bootId: 'boot-b' } });
    expect(h.sent[0]?.commands.map((c) => `${c.step}: ${c.argv.join(' ')}`)).toEqual(['post-reboot-check: systemctl is-active --quiet httpd.service']);
    expect((h.commands as ScriptedRunner).remaining).toEqual([]);
  });

  it('retries failing post-checks while the host settles', async () => {
    const h = await host('boot-a', { postChecks: [HTTPD], commands: [isActive(3), isActive(3), isActive(0)], settleMs: 30_000 });
    h.boot('boot-b');
    await h.runner().runOnce(0);
    expect(h.sent[0]).toMatchObject({ outcome: 'succeeded', failure: null });
    expect(h.sent[0]?.commands.map((c) => c.exitCode)).toEqual([3, 3, 0]);
    expect(h.sleeps).toEqual([10_000, 10_000]);
  });

  it('fails the job when the post-checks still fail after the settle period, leaving the versions in place', async () => {
    const h = await host('boot-a', { postChecks: [HTTPD], commands: [isActive(3), isActive(3)], settleMs: 10_000 });
    h.boot('boot-b');
    const agent = h.runner();
    await agent.runOnce(0);
    expect(h.sent).toHaveLength(1);
    const sent = h.sent[0]!;
    expect(sent).toMatchObject({ outcome: 'failed', rebooted: true, back: { bootId: 'boot-b' }, rollbackFailed: false, failure: { step: 'post-reboot-check' } });
    expect(sent.failure?.message).toMatch(/^service httpd\.service is not active \(exit 3\) \(still failing after 2 tries over 10 s since the host was back\); the new versions stay installed/);
    // Journalled as sent: a re-delivery of the manifest gets this report, and nothing is pending.
    expect((await h.journal.get(KEY))?.report).toEqual(sent);
    expect(await h.pending.list()).toEqual([]);
    await agent.runOnce(0);
    expect(h.sent).toHaveLength(1);
  });
});
