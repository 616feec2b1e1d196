/**
 * Deployments end to end with real apt: the real server (in this process, over PGlite, on a clock
 * the test moves), and one real agent per host — `runAgent` itself, enrolled against the server,
 * each managing an overlay clone of a Debian bookworm tree whose apt sees only a local repository
 * with versions 1.0 and 1.1 of the test packages (1.0 installed). Each round, every agent checks
 * in once and runs the jobs waiting for it, exactly as `patchwise agent run --once --root CLONE`
 * does. What is installed is read back with the host's own dpkg, never through Patchwise.
 *
 * Needs root, debootstrap, overlayfs and dpkg-dev (CI fails without them; elsewhere it skips).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, AgentState, JobRunner, JobJournal, JobManifestGate, ChrootRunner, runAgent, type Signer } from '@patchwise/agent';
import type { JobManifest, SignedJobManifest } from '@patchwise/core';
import { dpkgState, installsLogged } from './support/apt-job-fixtures.js';
import { startE2eServer, type E2eServer } from './support/e2e-server.js';
import { cloneHost, type HostClone } from './support/host-clone.js';
import { UNHEALTHY_CHECK, localAptRepository, type LocalAptRepository } from './support/local-apt-repository.js';
import { missingAptHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';
import { approverToken, debianPatchSet, deploymentJobs, deploymentStatus, startDeployment, waitFor } from './support/rollout-fixtures.js';

const skip = skipUnlessAvailable('the rollout end-to-end test', await missingAptHostPrerequisites());

/** A clock the test moves; agents and server share it (agents check manifest expiry against it). */
class MovableClock {
  private offsetMs = 0;
  readonly read = (): Date => new Date(Date.now() + this.offsetMs);
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

interface TestHost {
  readonly clone: HostClone;
  readonly stateDir: string;
  readonly log: string[];
}

describe.skipIf(skip)('deployments with real apt in Debian chroots', () => {
  let repo: LocalAptRepository;
  let layer: string;
  let server: E2eServer;
  const clock = new MovableClock();
  const hosts: TestHost[] = [];

  beforeAll(async () => {
    repo = await localAptRepository();
    layer = await repo.layer();
    server = await startE2eServer('pglite', { clock: clock.read, engineTickMs: 200 });
  }, 20 * 60_000);

  afterEach(async () => {
    for (const h of hosts.splice(0)) {
      await h.clone.dispose();
      rmSync(h.stateDir, { recursive: true, force: true });
    }
  });

  afterAll(async () => {
    await server?.close();
    await repo?.dispose();
  });

  /** A host in environment `env` (and cluster), enrolled by its agent, inventory sent. */
  async function host(name: string, env: string, cluster?: string): Promise<TestHost> {
    const clone = await cloneHost(name, { layers: [layer] });
    const h: TestHost = { clone, stateDir: mkdtempSync(join(tmpdir(), `pw-agent-${name}-`)), log: [] };
    hosts.push(h);
    const token = (await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', {})).body.token;
    expect(await agentOnce(h, { serverUrl: server.url, enrollToken: token, attributes: { environment: env, ...(cluster ? { cluster } : {}) } }), h.log.join('\n')).toBe(0);
    return h;
  }

  function agentOnce(h: TestHost, extra: Partial<Parameters<typeof runAgent>[0]> = {}): Promise<number> {
    return runAgent({ stateDir: h.stateDir, root: h.clone.root, once: true, hostName: h.clone.name, agentVersion: 'e2e', log: (line) => h.log.push(line), clock: clock.read, ...extra });
  }

  /** Every agent checks in once and runs what waits for it, all at once as a fleet would. */
  async function round(of: readonly TestHost[]): Promise<void> {
    const codes = await Promise.all(of.map((h) => agentOnce(h)));
    expect(codes, of.map((h) => h.log.join('\n')).join('\n---\n')).toEqual(of.map(() => 0));
  }

  it('halts when the canary fails within its budget, and the canary is back at exactly 1.0', async () => {
    const fleet = [await host('canary-a', 'canary-env'), await host('canary-b', 'canary-env'), await host('canary-c', 'canary-env')];
    const patchSet = await debianPatchSet(server, { 'pw-broken': '1.1' });
    const id = await startDeployment(server, { patchSet, environment: 'canary-env', strategy: { canary: 1, waves: ['100%'], soakMinutes: 0, errorBudget: { perWave: 0, total: 0 } } });
    await round(fleet);

    const status = await waitFor('the halt', () => deploymentStatus(server, id), (s) => s.deployment.state !== 'running');
    expect(status.deployment).toMatchObject({ state: 'halted', stateReason: expect.stringMatching(/wave 1 \(canary\) exhausted: 1 of 1 hosts failed, the wave allows 0/) as unknown });
    const jobs = await deploymentJobs(server, id);
    const canary = jobs.find((j) => j.wave === 1)!;
    expect(canary).toMatchObject({ state: 'rolled-back', stateReason: expect.stringMatching(/^install: /) as unknown });
    const canaryHost = fleet.find((h) => h.clone.name === canary.hostName)!;
    // The broken 1.1 was unpacked and failed its postinst; the executor put back exactly 1.0.
    expect(await dpkgState(canaryHost.clone, 'pw-broken')).toEqual({ abbrev: 'ii', version: '1.0' });
    expect(installsLogged(canaryHost.clone, 'pw-broken', '1.1')).toBe(0);
    const report = (await server.api<{ report: { commands: { step: string; exitCode: number | null; stderr: string }[] } }>('GET', `/api/v1/deployments/${id}/jobs/${canary.id}/report`)).body.report;
    const install = report.commands.find((c) => c.step === 'install')!;
    expect(install.exitCode).not.toBe(0);
    expect(install.stderr).toMatch(/pw-broken/);

    // Nobody else was touched, however long we wait: the rest stay pending.
    clock.advance(3600_000);
    await round(fleet);
    expect((await deploymentJobs(server, id)).filter((j) => j.wave === 2).map((j) => j.state)).toEqual(['pending', 'pending']);
    for (const h of fleet.filter((x) => x !== canaryHost)) expect(await dpkgState(h.clone, 'pw-broken')).toEqual({ abbrev: 'ii', version: '1.0' });
  });

  it('rolls back a host whose health check fails after the install, and counts it against the budget', async () => {
    const fleet = [await host('health-a', 'health-env'), await host('health-b', 'health-env')];
    const patchSet = await debianPatchSet(server, { 'pw-unhealthy': '1.1' });
    await server.api('PUT', `/api/v1/scripts/${UNHEALTHY_CHECK.name}`, { body: UNHEALTHY_CHECK.body });
    expect((await server.apiAs(await approverToken(server), 'POST', `/api/v1/scripts/${UNHEALTHY_CHECK.name}/approve`, { sha256: UNHEALTHY_CHECK.sha256 })).status).toBe(200);
    const id = await startDeployment(server, {
      patchSet,
      environment: 'health-env',
      strategy: { canary: 0, waves: ['100%'], concurrency: '100%', soakMinutes: 0, errorBudget: { perWave: 1, total: 1 } },
      hooks: { postChecks: [{ kind: 'script', script: UNHEALTHY_CHECK.name }] },
    });
    await round(fleet);
    const status = await waitFor('the halt', () => deploymentStatus(server, id), (s) => s.deployment.state !== 'running');
    expect(status.deployment.state).toBe('halted'); // two failures, a budget of one
    expect((await deploymentJobs(server, id)).map((j) => [j.state, j.stateReason?.split(':')[0]])).toEqual([
      ['rolled-back', 'post-check'],
      ['rolled-back', 'post-check'],
    ]);
    for (const h of fleet) {
      expect(await dpkgState(h.clone, 'pw-unhealthy')).toEqual({ abbrev: 'ii', version: '1.0' });
      expect(installsLogged(h.clone, 'pw-unhealthy', '1.1')).toBe(1); // installed once, checked, undone
    }
  });

  it('refuses tampered, replayed and expired manifests, and applies a re-delivered job once', async () => {
    const [h] = [await host('manifest-a', 'manifest-env')];
    const patchSet = await debianPatchSet(server, { 'pw-hello': '1.1' });
    const id = await startDeployment(server, { patchSet, environment: 'manifest-env', strategy: { canary: 0, waves: ['100%'], soakMinutes: 0, errorBudget: { perWave: 1, total: 1 } } });
    const identity = new AgentState(h.stateDir).identity()!;
    const signer: Signer = { hostId: identity.hostId, privateKey: identity.privateKeyPem };
    const client = new AgentClient(server.url, clock.read);
    const [real] = await client.jobs(signer);
    expect(real).toBeDefined();

    /** The agent's own job runner, handed the manifests a man in the middle (or a replayer) chose. */
    const runWith = async (manifests: SignedJobManifest[]) => {
      const serving = Object.assign(Object.create(client) as AgentClient, { jobs: () => Promise.resolve(manifests) });
      const runner = new JobRunner({
        client: serving,
        signer,
        gate: JobManifestGate.forState(new AgentState(h.stateDir), clock.read),
        journal: new JobJournal(h.stateDir),
        runner: new ChrootRunner(h.clone.root),
        outboxDir: join(h.stateDir, 'outbox'),
        clock: clock.read,
        fetch,
        requestReboot: () => Promise.resolve(),
        log: (line) => h.log.push(line),
      });
      await runner.runOnce(0);
    };
    const payload = JSON.parse(real!.payload) as JobManifest;

    // Tampered: the target changed after signing (same length, so only the signature tells).
    await runWith([{ ...real!, payload: real!.payload.replace('"1.1"', '"1.0"') }]);
    expect(h.log.at(-1)).toMatch(/refused a job manifest: job manifest rejected \(bad-signature\)/);
    expect(await dpkgState(h.clone, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.0' });
    const afterTamper = (await deploymentJobs(server, id))[0]!;
    expect(afterTamper).toMatchObject({ state: 'failed', stateReason: expect.stringMatching(/^verify: job manifest rejected \(bad-signature\)/) as unknown });

    // The genuine manifest, delivered twice: applied once.
    await runWith([real!, real!]);
    expect(await dpkgState(h.clone, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.1' });
    expect(installsLogged(h.clone, 'pw-hello', '1.1')).toBe(1);

    // Replayed after the journal is gone (a wiped state directory keeps its replay guard): refused, nothing reinstalled.
    rmSync(join(h.stateDir, 'jobs'), { recursive: true, force: true });
    await runWith([real!]);
    expect(h.log.some((l) => /job manifest rejected \(replayed\)/.test(l))).toBe(true);
    expect(installsLogged(h.clone, 'pw-hello', '1.1')).toBe(1);

    // Expired: the same manifest once its time is up is refused before anything else is looked at.
    clock.advance(Date.parse(payload.expiresAt) - clock.read().getTime() + 1000);
    const gate = JobManifestGate.forState(new AgentState(h.stateDir), clock.read);
    expect(() => gate.verify(real)).toThrow(/job manifest rejected \(expired\)/);
  });
});
