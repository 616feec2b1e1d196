/**
 * The same deployments to a host without an agent: a Debian clone (with the local apt repository)
 * served by a real OpenSSH server whose sessions are chrooted into it, registered as an agentless
 * host with its key pinned, scanned over SSH, then patched by the server itself over SSH with the
 * same drivers, journal and exact rollback as the agent's.
 *
 * Needs root, sshd, debootstrap, overlayfs and dpkg-dev (CI fails without them).
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BOOT_ID_FILE } from '@patchwise/agent';
import type { JobReport } from '@patchwise/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpkgState, installsLogged } from './support/apt-job-fixtures.js';
import { startE2eServer, type E2eServer } from './support/e2e-server.js';
import { cloneHost, type HostClone } from './support/host-clone.js';
import { approved, localAptRepository, type LocalAptRepository } from './support/local-apt-repository.js';
import { missingAptHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';
import { approverToken, debianPatchSet, deploymentJobs, deploymentStatus, startDeployment, waitFor } from './support/rollout-fixtures.js';
import { startChrootedSshd, type ChrootedSshd } from './support/chrooted-sshd.js';
import { missingSshdPrerequisites, type TestSshd } from './support/test-sshd.js';

const skip = skipUnlessAvailable('the agentless rollout end-to-end test', (await missingAptHostPrerequisites()) ?? (await missingSshdPrerequisites()));

describe.skipIf(skip)('deployments over SSH to a host without an agent', () => {
  let repo: LocalAptRepository;
  let clone: HostClone;
  let sshd: TestSshd;
  let server: E2eServer;
  let ssh: ChrootedSshd | undefined;

  beforeAll(async () => {
    repo = await localAptRepository();
    clone = await cloneHost('ssh-host', { layers: [await repo.layer()] });
    ssh = await startChrootedSshd(clone.root);
    sshd = ssh.sshd;
    server = await startE2eServer('pglite', { engineTickMs: 200 });
  }, 20 * 60_000);

  afterAll(async () => {
    await server?.close();
    await ssh?.stop();
    await clone?.dispose();
    await repo?.dispose();
  });

  it('registers, scans and patches the host over SSH: 1.1 installed once, a broken one back at exactly 1.0', async () => {
    sshd.authorize((await server.api<{ publicKey: string }>('GET', '/api/v1/agentless/public-key')).body.publicKey);
    const registered = await server.api<{ id: string }>('POST', '/api/v1/agentless/hosts', { name: 'ssh-host', address: sshd.host, port: sshd.port, user: 'root', hostKeySha256: sshd.hostKeySha256, attributes: { environment: 'ssh-env' } });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const id = registered.body.id;
    const scan = await server.api<{ stored: boolean; packages: number }>('POST', `/api/v1/agentless/hosts/${id}/scan`);
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    expect(scan.body.stored).toBe(true);

    const hello = await startDeployment(server, { patchSet: await debianPatchSet(server, { 'pw-hello': '1.1' }), environment: 'ssh-env', strategy: { canary: 0, waves: ['100%'], soakMinutes: 0 } });
    const done = await waitFor('the SSH deployment', () => deploymentStatus(server, hello), (s) => s.deployment.state !== 'running', 180_000);
    expect(done.deployment.state, JSON.stringify(await deploymentJobs(server, hello))).toBe('completed');
    expect(await dpkgState(clone, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.1' });
    expect(installsLogged(clone, 'pw-hello', '1.1')).toBe(1);
    const [job] = await deploymentJobs(server, hello);
    const report = (await server.api<{ report: { previous: unknown; commands: { argv: string[]; exitCode: number }[] } }>('GET', `/api/v1/deployments/${hello}/jobs/${job!.id}/report`)).body.report;
    expect(report.previous).toEqual([{ name: 'pw-hello', version: '1.0' }]);
    expect(report.commands.find((c) => c.argv[0] === 'apt-get')).toMatchObject({ exitCode: 0 });

    const broken = await startDeployment(server, { patchSet: await debianPatchSet(server, { 'pw-broken': '1.1' }), environment: 'ssh-env', strategy: { canary: 1, waves: ['100%'], soakMinutes: 0 } });
    const halted = await waitFor('the broken deployment', () => deploymentStatus(server, broken), (s) => s.deployment.state !== 'running', 180_000);
    expect(halted.deployment.state).toBe('halted');
    expect((await deploymentJobs(server, broken))[0]).toMatchObject({ state: 'rolled-back' });
    expect(await dpkgState(clone, 'pw-broken')).toEqual({ abbrev: 'ii', version: '1.0' });
  });

  it('keeps a job that reboots the host in flight until the host answers with a new boot id', async () => {
    // The host's /proc would show its boot id; this tree gets a file there instead. shutdown(8) is
    // a stand-in that only leaves a trace: the test cannot reboot the machine it runs on.
    const bootFile = join(clone.root, BOOT_ID_FILE);
    mkdirSync(dirname(bootFile), { recursive: true });
    writeFileSync(bootFile, `${randomUUID()}\n`);
    writeFileSync(join(clone.root, 'usr/sbin/shutdown'), '#!/bin/sh\necho "$@" > /run/pw-shutdown-called\n', { mode: 0o755 });

    // pw-kernel 1.1 leaves /var/run/reboot-required, so `if-required` reboots.
    // A post-check that reads the installed version: it runs after the install and again once the host is back.
    const check = approved('pw-kernel-version', 'grep -qx 1.1 /usr/share/pw-kernel/version\n');
    await server.api('PUT', `/api/v1/scripts/${check.name}`, { body: check.body });
    expect((await server.apiAs(await approverToken(server), 'POST', `/api/v1/scripts/${check.name}/approve`, { sha256: check.sha256 })).status).toBe(200);
    const kernel = await startDeployment(server, {
      patchSet: await debianPatchSet(server, { 'pw-kernel': '1.1' }),
      environment: 'ssh-env',
      strategy: { canary: 0, waves: ['100%'], soakMinutes: 0, reboot: 'if-required' },
      hooks: { postChecks: [{ kind: 'script', script: check.name }] },
    });
    const [rebooting] = await waitFor('the reboot', () => deploymentJobs(server, kernel), (jobs) => jobs[0]?.state === 'rebooting', 180_000);
    expect(readFileSync(join(clone.root, 'run/pw-shutdown-called'), 'utf8')).toMatch(/^-r \+1 /);
    // Reachable, same boot: the executor keeps asking, and the job stays in flight.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await deploymentJobs(server, kernel))[0]?.state).toBe('rebooting');
    expect((await deploymentStatus(server, kernel)).deployment.state).toBe('running');

    writeFileSync(bootFile, `${randomUUID()}\n`);
    const done = await waitFor('the host back', () => deploymentStatus(server, kernel), (s) => s.deployment.state !== 'running', 60_000);
    expect(done.deployment.state).toBe('completed');
    const [job] = await deploymentJobs(server, kernel);
    expect(job).toMatchObject({ id: rebooting!.id, state: 'succeeded' });
    const report = (await server.api<{ report: JobReport }>('GET', `/api/v1/deployments/${kernel}/jobs/${job!.id}/report`)).body.report;
    expect(report.rebooted).toBe(true);
    expect(report.back?.bootId).not.toBe(report.bootId);
    const checks = report.commands.filter((c) => c.argv.at(-1) === check.name);
    expect(checks.map((c) => [c.step, c.exitCode])).toEqual([['post-check', 0], ['post-reboot-check', 0]]);
    expect(await dpkgState(clone, 'pw-kernel')).toEqual({ abbrev: 'ii', version: '1.1' });
  });
});
