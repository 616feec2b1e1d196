/**
 * The job-signing key from the server to the agent: the enrollment reply carries the public key,
 * the real agent (runAgent, its HTTP calls routed into the in-process app) pins it in
 * identity.json, and a manifest the server's key signs for that host passes the agent's gate
 * once, while anything else is refused with its reason.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentState, JobManifestGate, runAgent } from '@patchwise/agent';
import { generateAgentKeyPair, jobSigningKeyId, parsePublicKey, signJobManifest, type JobManifest } from '@patchwise/core';
import { jobSigningKeyOf } from '../src/job-signing-key.js';
import { almaFacts } from './support/fixtures.js';
import { TEST_JOB_SIGNING_KEY, TestAgent, admin, eachTestApp, type TestApp } from './support/test-app.js';

const work = mkdtempSync(join(tmpdir(), 'patchwise-job-signing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A Debian root with one package: enough for the agent's collectors. */
function debianRoot(name: string): string {
  const root = join(work, name, 'root');
  const files: Record<string, string> = {
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    'etc/hostname': `${name}\n`,
    'etc/machine-id': `${Buffer.from(name.padEnd(16, '-')).toString('hex').slice(0, 32)}\n`,
    'var/lib/dpkg/status': 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** The agent's fetch, answered by the in-process app. */
function injectFetch(t: TestApp): typeof fetch {
  return (async (input: URL | string, init?: RequestInit) => {
    const url = new URL(String(input));
    const res = await t.app.inject({ method: init?.method as 'POST', url: url.pathname + url.search, headers: init?.headers as Record<string, string>, payload: init?.body as string });
    return new Response(res.body, { status: res.statusCode });
  }) as typeof fetch;
}

function manifestFor(hostId: string, t: TestApp, jobId = 'job-1'): JobManifest {
  const now = t.clock.read().getTime();
  return {
    v: 1,
    jobId,
    idempotencyKey: `d1:${hostId}`,
    deploymentId: 1,
    hostId,
    action: 'install',
    manager: 'apt',
    targets: [{ name: 'bash', version: '5.2.15-2+deb12u1' }],
    reboot: 'never',
    preSteps: [],
    postSteps: [],
    preChecks: [],
    postChecks: [],
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 3_600_000).toISOString(),
  };
}

describe('job-signing key at enrollment', () => {
  let t: TestApp;
  eachTestApp('pglite', (app) => {
    t = app;
  });

  async function enrollToken(): Promise<string> {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<{ token: string }>().token;
  }

  async function enrollRealAgent(name: string): Promise<{ state: AgentState; log: string[] }> {
    const log: string[] = [];
    const state = new AgentState(join(work, name, 'state'));
    const status = await runAgent({
      serverUrl: 'http://patchwise.test',
      enrollToken: await enrollToken(),
      stateDir: state.dir,
      root: debianRoot(name),
      once: true,
      agentVersion: 'test',
      log: (line) => log.push(line),
      clock: t.clock.read,
      fetch: injectFetch(t),
    });
    expect(status, log.join('\n')).toBe(0);
    return { state, log };
  }

  it('the enrollment reply carries the public key, 32 bytes in base64url', async () => {
    const res = await new TestAgent(t).enroll(await enrollToken(), almaFacts());
    expect(res.statusCode, res.body).toBe(201);
    const { jobSigningKey } = res.json<{ jobSigningKey: string }>();
    expect(jobSigningKey).toBe(TEST_JOB_SIGNING_KEY.publicKey);
    expect(Buffer.from(jobSigningKey, 'base64url')).toHaveLength(32);
    expect(jobSigningKeyId(parsePublicKey(jobSigningKey))).toBe(TEST_JOB_SIGNING_KEY.keyId);
  });

  it('the real agent pins it in identity.json and runs what the server signs for it, once', async () => {
    const { state, log } = await enrollRealAgent('web-01');
    const identity = state.identity();
    if (!identity) throw new Error('not enrolled');
    expect(JSON.parse(readFileSync(join(state.dir, 'identity.json'), 'utf8'))).toEqual({ hostId: identity.hostId, serverUrl: 'http://patchwise.test', jobSigningKey: TEST_JOB_SIGNING_KEY.publicKey });
    expect(log).toContain(`pinned the server's job-signing key ${TEST_JOB_SIGNING_KEY.keyId}: only job manifests it signed will run`);

    const gate = JobManifestGate.forState(state, t.clock.read);
    const signed = signJobManifest(manifestFor(identity.hostId, t), TEST_JOB_SIGNING_KEY.privateKey);
    await expect(gate.accept(signed)).resolves.toMatchObject({ jobId: 'job-1', hostId: identity.hostId });
    await expect(gate.accept(signed)).rejects.toMatchObject({ code: 'PW_MANIFEST_REJECTED', reason: 'replayed' });
    const other = jobSigningKeyOf(generateAgentKeyPair().privateKeyPem);
    await expect(gate.accept(signJobManifest(manifestFor(identity.hostId, t, 'job-2'), other.privateKey))).rejects.toMatchObject({ reason: 'unknown-key' });
    t.clock.advance(3_600_000);
    await expect(gate.accept(signed)).rejects.toMatchObject({ reason: 'expired' });
  });

  it("one host's manifest does not run on another host", async () => {
    const a = await enrollRealAgent('web-02');
    const b = await enrollRealAgent('web-03');
    const hostA = a.state.identity()?.hostId ?? '';
    const signed = signJobManifest(manifestFor(hostA, t), TEST_JOB_SIGNING_KEY.privateKey);
    await expect(JobManifestGate.forState(b.state, t.clock.read).accept(signed)).rejects.toMatchObject({ reason: 'other-host' });
    await expect(JobManifestGate.forState(a.state, t.clock.read).accept(signed)).resolves.toMatchObject({ hostId: hostA });
  });

  it('an agent enrolled before manifests were signed keeps working but refuses every manifest until it re-enrolls', async () => {
    const { state } = await enrollRealAgent('web-04');
    const path = join(state.dir, 'identity.json');
    const { hostId, serverUrl } = JSON.parse(readFileSync(path, 'utf8')) as { hostId: string; serverUrl: string };
    writeFileSync(path, `${JSON.stringify({ hostId, serverUrl }, null, 2)}\n`); // as the previous agent version wrote it
    const log: string[] = [];
    const status = await runAgent({ stateDir: state.dir, root: debianRoot('web-04'), once: true, agentVersion: 'test', log: (l) => log.push(l), clock: t.clock.read, fetch: injectFetch(t) });
    expect(status, log.join('\n')).toBe(0);
    const signed = signJobManifest(manifestFor(hostId, t), TEST_JOB_SIGNING_KEY.privateKey);
    await expect(JobManifestGate.forState(state, t.clock.read).accept(signed)).rejects.toMatchObject({
      reason: 'no-pinned-key',
      message: expect.stringMatching(/pinned no job-signing key .* re-enroll/) as unknown,
    });
  });

  it('pins the approvers of the agent configuration at enrollment, and refuses another set later', async () => {
    const keys = [generateAgentKeyPair().publicKey, generateAgentKeyPair().publicKey, generateAgentKeyPair().publicKey];
    const approvers = { approverKeys: keys, requiredApprovals: 2 };
    const log: string[] = [];
    const state = new AgentState(join(work, 'web-06', 'state'));
    const run = (pins: typeof approvers, enrollToken?: string) =>
      runAgent({ serverUrl: 'http://patchwise.test', enrollToken, stateDir: state.dir, root: debianRoot('web-06'), once: true, agentVersion: 'test', approvers: pins, log: (l) => log.push(l), clock: t.clock.read, fetch: injectFetch(t) });
    expect(await run(approvers, await enrollToken())).toBe(0);
    expect(log).toContain('pinned 3 approver keys: each job needs 2 of their signatures');
    expect(JSON.parse(readFileSync(join(state.dir, 'identity.json'), 'utf8'))).toMatchObject({ approverKeys: keys, requiredApprovals: 2 });
    expect(await run({ approverKeys: [...keys].reverse(), requiredApprovals: 2 })).toBe(0);
    await expect(run({ approverKeys: keys, requiredApprovals: 1 })).rejects.toMatchObject({ code: 'PW_USAGE', message: expect.stringMatching(/pinned at enrollment .* re-enroll/) as unknown });
  });

  it('an enrollment reply without a usable key still enrolls the agent, which then refuses manifests and says why', async () => {
    const fetchImpl = injectFetch(t);
    const stripping = (async (input: URL | string, init?: RequestInit) => {
      const res = await fetchImpl(input, init);
      if (!String(input).endsWith('/api/v1/agent/enroll')) return res;
      const body = (await res.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...body, jobSigningKey: 'garbage' }), { status: res.status });
    }) as typeof fetch;
    const log: string[] = [];
    const state = new AgentState(join(work, 'web-05', 'state'));
    const status = await runAgent({ serverUrl: 'http://patchwise.test', enrollToken: await enrollToken(), stateDir: state.dir, root: debianRoot('web-05'), once: true, agentVersion: 'test', log: (l) => log.push(l), clock: t.clock.read, fetch: stripping });
    expect(status, log.join('\n')).toBe(0);
    expect(log).toContain('warning: the server sent no valid job-signing key; every job manifest will be refused until this agent re-enrolls');
    expect(state.identity()?.jobSigningKey).toBeNull();
  });
});
