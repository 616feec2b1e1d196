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
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, AgentState, JobRunner, JobJournal, JobManifestGate, ChrootRunner, PendingReboots, BOOT_ID_FILE, REBOOT_MARKER_FILE, runAgent, runnerReboot, type Signer } from '@patchwise/agent';
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
    const report = (await server.api<{ report: { commands: { step: string; argv: string[]; exitCode: number | null; stderr: string }[] } }>('GET', `/api/v1/deployments/${id}/jobs/${canary.id}/report`)).body.report;
    const install = report.commands.find((c) => c.step === 'install' && c.argv[1] === 'install')!;
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

  it('keeps concurrency, the cluster limit and the window, and resumes in the next window where it stopped', async () => {
    const fleet = [await host('w-web-1', 'win-env', 'web'), await host('w-web-2', 'win-env', 'web'), await host('w-db-1', 'win-env', 'db'), await host('w-db-2', 'win-env', 'db')];
    const put = await server.api('PUT', '/api/v1/windows/nightly', { rrule: 'FREQ=DAILY', start: '02:00', durationMinutes: 120, cutoffMinutes: 30, timeZone: 'UTC' });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    const at = (day: number, hhmm: string) => {
      const d = new Date(clock.read());
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + day, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3)));
    };
    const moveTo = (t: number) => clock.advance(t - clock.read().getTime());
    const day1 = (hhmm: string) => at(1, hhmm);
    const first = day1('01:00');
    moveTo(first);
    const day2 = first + 86_400_000;
    const patchSet = await debianPatchSet(server, { 'pw-hello': '1.1' });
    const id = await startDeployment(server, { patchSet, environment: 'win-env', windows: ['nightly'], strategy: { canary: 1, waves: ['100%'], concurrency: 2, clusterMaxUnavailable: 1, soakMinutes: 0 } });
    const states = async () => (await deploymentJobs(server, id)).map((j) => `${j.hostName}:${j.state}`).sort();

    // 01:00: outside the window, nothing starts.
    expect((await deploymentStatus(server, id)).waiting).toEqual({ 'outside-window': 1 });
    await round(fleet);
    for (const h of fleet) expect(await dpkgState(h.clone, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.0' });

    // 02:00 the window opens: the canary goes first.
    moveTo(day1('02:00'));
    await waitFor('the canary', states, (s) => s.filter((x) => x.endsWith(':dispatched')).length === 1);
    await round(fleet);
    // Wave 2: three hosts, two at a time, never two of one cluster.
    const wave2 = await waitFor('wave 2', () => deploymentJobs(server, id), (jobs) => jobs.filter((j) => j.state === 'dispatched').length === 2);
    const inFlight = wave2.filter((j) => j.state === 'dispatched').map((j) => j.hostName);
    expect(new Set(inFlight.map((n) => n.split('-')[1]))).toEqual(new Set(['web', 'db']));
    await round(fleet);
    // The last host is dispatched at once, with a manifest that dies 15 minutes later at the latest…
    await waitFor('the last host dispatched', states, (s) => s.filter((x) => x.endsWith(':succeeded')).length === 3 && s.some((x) => x.endsWith(':dispatched')));
    moveTo(day1('03:31'));
    // …and it is not fetched in time: back to pending, and nobody starts past the cutoff (03:30) or after the window.
    await waitFor('the requeue', states, (s) => s.some((x) => x.endsWith(':pending')));
    await round(fleet);
    expect((await deploymentStatus(server, id)).waiting).toEqual({ 'past-cutoff': 1 });
    moveTo(day1('05:00'));
    await round(fleet);
    expect((await deploymentStatus(server, id)).waiting).toEqual({ 'outside-window': 1 });
    expect((await states()).filter((s) => s.endsWith(':succeeded'))).toHaveLength(3);

    // The next night it carries on where it stopped.
    moveTo(day2 + 3600_000);
    await waitFor('the second window', states, (s) => s.some((x) => x.endsWith(':dispatched')));
    await round(fleet);
    const done = await waitFor('completion', () => deploymentStatus(server, id), (s) => s.deployment.state === 'completed');
    expect(done.waves.map((w) => w.install)).toEqual([{ succeeded: 1 }, { succeeded: 3 }]);
    for (const h of fleet) {
      expect(await dpkgState(h.clone, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.1' });
      expect(installsLogged(h.clone, 'pw-hello', '1.1')).toBe(1);
    }
  });

  it('staggers reboots per cluster: a rebooting host keeps its slot until it is back, and one that never comes back fails', async () => {
    const fleet = [await host('r-db-1', 'reboot-env', 'db'), await host('r-db-2', 'reboot-env', 'db'), await host('r-web-1', 'reboot-env', 'web')];
    // Each tree gets a boot id where the host's /proc would show one; a "reboot" is a new one and
    // an emptied /run, as a real boot does.
    const bootFile = (h: TestHost) => join(h.clone.root, BOOT_ID_FILE);
    const marker = (h: TestHost) => join(h.clone.root, REBOOT_MARKER_FILE);
    const reboot = (h: TestHost) => {
      writeFileSync(bootFile(h), `${randomUUID()}\n`);
      rmSync(marker(h), { force: true });
    };
    for (const h of fleet) {
      mkdirSync(dirname(bootFile(h)), { recursive: true });
      reboot(h);
    }
    const patchSet = await debianPatchSet(server, { 'pw-hello': '1.1' });
    const id = await startDeployment(server, {
      patchSet,
      environment: 'reboot-env',
      strategy: { canary: 0, waves: ['100%'], concurrency: 3, clusterMaxUnavailable: 1, reboot: 'always', rebootTimeoutMinutes: 30, soakMinutes: 0, errorBudget: { perWave: 1, total: 1 } },
    });
    const byHost = async () => Object.fromEntries((await deploymentJobs(server, id)).map((j) => [j.hostName, j.state]));
    const first = await waitFor('the first two hosts', byHost, (s) => Object.values(s).filter((x) => x === 'dispatched').length === 2);
    const db1 = fleet.find((h) => first[h.clone.name] === 'dispatched' && h.clone.name.startsWith('r-db'))!;
    const db2 = fleet.find((h) => h.clone.name.startsWith('r-db') && h !== db1)!;
    const web = fleet.find((h) => h.clone.name === 'r-web-1')!;
    expect(first[web.clone.name]).toBe('dispatched');

    // Installed and verified, reboot asked for: the jobs stay in flight, so the second db host waits.
    await round(fleet);
    await waitFor('two hosts rebooting', byHost, (s) => s[db1.clone.name] === 'rebooting' && s[web.clone.name] === 'rebooting');
    expect(existsSync(marker(db1)) && existsSync(marker(web))).toBe(true);
    await round(fleet); // not rebooted yet: nothing moves however often the agents run
    expect(await byHost()).toMatchObject({ [db1.clone.name]: 'rebooting', [db2.clone.name]: 'pending', [web.clone.name]: 'rebooting' });
    const status = await deploymentStatus(server, id);
    expect(status.waiting).toEqual({ 'cluster db at its limit of 1': 1 });
    expect(status.waves[0]?.install).toEqual({ rebooting: 2, pending: 1 });

    // The first db host comes back: its job succeeds, and only now does the second start.
    reboot(db1);
    await round(fleet);
    await waitFor('the second db host dispatched', byHost, (s) => s[db1.clone.name] === 'succeeded' && s[db2.clone.name] === 'dispatched');
    await round(fleet);
    await waitFor('the second db host rebooting', byHost, (s) => s[db2.clone.name] === 'rebooting');
    reboot(db2);
    await round(fleet);

    // The web host never comes back: past the reboot timeout its job fails, within the budget.
    clock.advance(31 * 60_000);
    const done = await waitFor('completion', () => deploymentStatus(server, id), (s) => s.deployment.state !== 'running');
    expect(done.deployment.state).toBe('completed');
    const jobs = await deploymentJobs(server, id);
    expect(Object.fromEntries(jobs.map((j) => [j.hostName, j.state]))).toEqual({ [db1.clone.name]: 'succeeded', [db2.clone.name]: 'succeeded', [web.clone.name]: 'failed' });
    expect(jobs.find((j) => j.hostName === web.clone.name)?.stateReason).toBe('reboot: the host was not back within 30 minutes');
    for (const h of fleet) {
      expect(await dpkgState(h.clone, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.1' });
      expect(installsLogged(h.clone, 'pw-hello', '1.1')).toBe(1);
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
        reboot: runnerReboot(new ChrootRunner(h.clone.root), 'marker'),
        pendingReboots: new PendingReboots(join(h.stateDir, 'reboots')),
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
