/**
 * The server killed with SIGKILL in the middle of a deployment, then started again: every host's
 * job still ends in exactly one terminal state and nothing is installed twice. Everything is real
 * and separate: `patchwise server` as its own process over PostgreSQL; each host an overlay clone
 * of a Debian tree with a local apt repository, and its own network namespace in which its
 * `patchwise agent run --root CLONE` process runs, reaching the server over a veth link only.
 *
 * Needs root, debootstrap, overlayfs, dpkg-dev, iproute2 and PostgreSQL (CI fails without them).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../../packages/server/test/support/test-database.js';
import { dpkgState, installsLogged } from './support/apt-job-fixtures.js';
import { which } from './support/exec-file.js';
import { cloneHost, type HostClone } from './support/host-clone.js';
import { localAptRepository, type LocalAptRepository } from './support/local-apt-repository.js';
import { networkNamespace, type NetworkNamespace } from './support/network-namespace.js';
import { missingAptHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';
import { debianPatchSet, deploymentJobs, deploymentStatus, startDeployment, waitFor } from './support/rollout-fixtures.js';
import { PATCHWISE_BIN, startServerProcess, type ServerProcess } from './support/server-process.js';

const missing = (await missingAptHostPrerequisites()) ?? ((await which('ip')) ? undefined : 'ip (Debian: apt-get install -y iproute2)') ?? ((await postgresAvailable()) ? undefined : 'PostgreSQL');
const skip = skipUnlessAvailable('the server crash end-to-end test', missing);

interface Host {
  readonly clone: HostClone;
  readonly net: NetworkNamespace;
  readonly state: string;
  readonly log: string[];
  agent?: ChildProcess;
}

describe.skipIf(skip)('a deployment survives kill -9 of the server', () => {
  let repo: LocalAptRepository;
  let server: ServerProcess;
  const hosts: Host[] = [];

  beforeAll(async () => {
    repo = await localAptRepository();
    server = await startServerProcess(['--checkin-interval', '5s']);
  }, 20 * 60_000);

  afterAll(async () => {
    for (const h of hosts) {
      h.agent?.kill('SIGKILL');
      await h.net.dispose();
      await h.clone.dispose();
      rmSync(h.state, { recursive: true, force: true });
    }
    await server?.close();
    await repo?.dispose();
  });

  /** A host in its own namespace, its agent process enrolled and looping. */
  async function host(name: string): Promise<Host> {
    const h: Host = { clone: await cloneHost(name, { layers: [await repo.layer()] }), net: await networkNamespace(), state: mkdtempSync(join(tmpdir(), `pw-agent-${name}-`)), log: [] };
    hosts.push(h);
    const token = (await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', {})).body.token;
    const argv = [...h.net.prefix, process.execPath, PATCHWISE_BIN, 'agent', 'run', '--server', `http://${h.net.gateway}:${server.port}`, '--enroll-token', token, '--state', h.state, '--root', h.clone.root, '--hostname', name, '--attr', 'environment=crash-env'];
    const agent = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    agent.stdout.on('data', (b: Buffer) => h.log.push(b.toString()));
    agent.stderr.on('data', (b: Buffer) => h.log.push(b.toString()));
    h.agent = agent;
    return h;
  }

  it('resumes after kill -9 with every host in exactly one terminal state and no package installed twice', async () => {
    const fleet = await Promise.all(['crash-1', 'crash-2', 'crash-3', 'crash-4'].map(host));
    await waitFor('four inventoried hosts', () => server.api<{ hosts: { inventoryAt: string | null }[] }>('GET', '/api/v1/hosts'), (r) => r.body.hosts.filter((x) => x.inventoryAt !== null).length === 4, 90_000);
    const patchSet = await debianPatchSet(server, { 'pw-hello': '1.1' });
    const id = await startDeployment(server, { patchSet, environment: 'crash-env', strategy: { canary: 1, waves: [1], concurrency: 1, soakMinutes: 0 } });

    // Kill the server while the second host's job is out: fetched by its agent, not yet reported.
    await waitFor('the second job in flight', () => deploymentJobs(server, id), (jobs) => jobs.filter((j) => j.state === 'succeeded').length === 1 && jobs.some((j) => j.state === 'running' || j.state === 'dispatched'), 120_000);
    await server.kill9();
    await server.restart();

    const done = await waitFor('completion after the restart', () => deploymentStatus(server, id), (s) => s.deployment.state === 'completed' || s.deployment.state === 'halted', 180_000);
    expect(done.deployment.state, fleet.map((h) => h.log.join('')).join('\n---\n')).toBe('completed');
    const jobs = await deploymentJobs(server, id);
    expect(jobs).toHaveLength(4);
    expect(new Set(jobs.map((j) => j.hostName)).size).toBe(4);
    expect(jobs.map((j) => j.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    for (const h of fleet) {
      expect(await dpkgState(h.clone, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.1' });
      expect(installsLogged(h.clone, 'pw-hello', '1.1'), h.clone.name).toBe(1);
    }
    const audit = await server.api<{ ok: boolean }>('GET', '/api/v1/audit/verify');
    expect(audit.body).toMatchObject({ ok: true });
  });
});
