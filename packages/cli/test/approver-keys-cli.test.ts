/**
 * M of N approvers, end to end through the real `patchwise` binary: two approvers make their own
 * keys (`keys generate`), register the public halves, approve and sign a change (`changes
 * sign`); an admin prints the approvers document (`keys approvers`), an agent pins it at
 * enrollment (`agent run --approvers`), and a manifest carrying both signatures passes the
 * agent's gate while one carrying a single signature does not.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentState, JobManifestGate } from '@patchwise/agent';
import { signJobManifest, type ApprovedTarget, type ApproverSignature, type JobManifest } from '@patchwise/core';
import { jobSigningKeyOf, parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { runCliAsync } from './run-cli.js';
import { templateWorkDir } from './support/template-work-dir.js';

let server: RunningServer;
let work: string;
let adminToken: string;

const TARGETS = [{ ecosystem: 'Debian:12', package: 'libssl3', version: '3.0.15-1~deb12u1' }];

async function api<T>(method: string, path: string, body?: unknown, token = adminToken): Promise<T> {
  const res = await fetch(new URL(path, server.url), { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The binary as one person: their token, and their own config directory for the key. */
function as(token: string, configHome: string) {
  return (...args: string[]) => runCliAsync(args, { ...process.env, PATCHWISE_URL: server.url, PATCHWISE_TOKEN: token, XDG_CONFIG_HOME: configHome });
}

async function person(name: string) {
  await api('POST', '/api/v1/users', { name, roles: [{ role: 'approver' }] });
  const { token } = await api<{ token: string }>('POST', '/api/v1/tokens', { name: `${name} cli`, user: name });
  const home = join(work, name);
  return { run: as(token, home), keyPath: join(home, 'patchwise', 'signing-key') };
}

beforeAll(async () => {
  ({ work } = templateWorkDir('patchwise-approver-cli-'));
  server = await startServer(parseServerConfig({ data: join(work, 'data'), listen: '127.0.0.1:0', env: {} }));
  adminToken = readFileSync(server.adminTokenPath, 'utf8').trim();
});

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('approver keys through the CLI', () => {
  it('two approvers sign a change with keys the server never sees; an agent pinned to them runs only what both signed', async () => {
    const [alice, bob] = [await person('alice'), await person('bob')];
    for (const p of [alice, bob]) {
      const made = await p.run('keys', 'generate');
      expect(made.status, made.stderr).toBe(0);
      expect(made.stdout).toMatch(/^signing key written to .*signing-key \(mode 0600\)\npublic key [A-Za-z0-9_-]{43}\nkey id [0-9a-f]{64}\n/);
      expect(statSync(p.keyPath).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(p.keyPath)).mode & 0o777).toBe(0o700);
      expect((await p.run('keys', 'generate')).status).toBe(2); // never overwritten silently
      const registered = await p.run('keys', 'register', '--name', 'laptop');
      expect(registered.status, registered.stderr).toBe(0);
    }
    const listed = await alice.run('keys', 'list', '--json');
    expect(JSON.parse(listed.stdout)).toMatchObject([{ name: 'laptop', revokedAt: null }]);

    await api('PUT', '/api/v1/approval-policies/prod', { approvals: 2, approverRoles: ['approver'] });
    const patchSet = await api<{ number: number }>('POST', '/api/v1/patch-sets', { name: 'openssl', targets: TARGETS });
    const change = await api<{ id: string }>('POST', '/api/v1/changes', { kind: 'deployment', environment: 'prod', patchSet: patchSet.number, title: 'openssl', reason: 'DSA' });

    const early = await alice.run('changes', 'sign', change.id);
    expect([early.status, early.stderr]).toEqual([2, expect.stringMatching(/approve change .* first/)]);
    expect((await alice.run('changes', 'approve', change.id)).status).toBe(0);
    const signed = await alice.run('changes', 'sign', change.id, '--valid-for', '48h');
    expect(signed.status, signed.stderr).toBe(0);
    expect(signed.stdout).toMatch(/signing change .*: deployment of patch set 1 to prod, 1 target:\n {2}Debian:12 libssl3 3\.0\.15-1~deb12u1\nsigned with key [0-9a-f]{64}, valid until /);

    // The agent pins both approvers, M = 2, at enrollment.
    const doc = await as(adminToken, join(work, 'admin'))('keys', 'approvers', '--user', 'alice', '--user', 'bob', '--required', '2', '--environment', 'prod');
    expect(doc.status, doc.stderr).toBe(0);
    const approversFile = join(work, 'approvers.json');
    writeFileSync(approversFile, doc.stdout);
    const root = join(work, 'root');
    for (const [rel, text] of Object.entries({ 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'etc/hostname': 'db-1\n', 'etc/machine-id': `${'ab'.repeat(16)}\n`, 'var/lib/dpkg/status': 'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n\n' })) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    const { token: secret } = await api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: 1 });
    const state = join(work, 'agent');
    const agent = await runCliAsync(['agent', 'run', '--once', '--server', server.url, '--enroll-token', secret, '--state', state, '--root', root, '--approvers', approversFile]);
    expect(agent.status, agent.stderr).toBe(0);
    expect(agent.stderr).toContain('pinned 2 approver keys: each job needs 2 of their signatures on changes to prod');

    const identity = new AgentState(state).identity();
    if (!identity) throw new Error('not enrolled');
    const serverKey = jobSigningKeyOf(readFileSync(join(work, 'data', 'job-signing-key'), 'utf8'));
    const manifest = async (jobId: string): Promise<JobManifest> => {
      const { signatures, approvedTargets } = await api<{ signatures: ApproverSignature[]; approvedTargets: ApprovedTarget[] }>('GET', `/api/v1/changes/${change.id}/signatures`);
      const now = Date.now();
      return {
        v: 1, jobId, idempotencyKey: jobId, deploymentId: 1, hostId: identity.hostId, action: 'install', manager: 'apt',
        targets: [{ name: 'libssl3', version: '3.0.15-1~deb12u1' }], reboot: 'never', preSteps: [], postSteps: [], preChecks: [], postChecks: [],
        issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 3600_000).toISOString(),
        approvedTargets, approvals: signatures.map(({ keyId, signature, statement }) => ({ keyId, signature, statement })),
      };
    };
    const gate = JobManifestGate.forState(new AgentState(state));
    await expect(gate.accept(signJobManifest(await manifest('job-1'), serverKey.privateKey))).rejects.toMatchObject({ reason: 'approvals-missing' });

    expect((await bob.run('changes', 'approve', change.id)).status).toBe(0);
    expect((await bob.run('changes', 'sign', change.id)).status).toBe(0);
    await expect(gate.accept(signJobManifest(await manifest('job-2'), serverKey.privateKey))).resolves.toMatchObject({ jobId: 'job-2' });

    // A key file others can read is refused, as ssh refuses one.
    chmodSync(bob.keyPath, 0o644);
    const loose = await bob.run('changes', 'sign', change.id);
    expect([loose.status, loose.stderr]).toEqual([2, expect.stringMatching(/readable by others \(mode 0644\); chmod 600 it/)]);
  });
});
