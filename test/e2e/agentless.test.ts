/**
 * Agentless mode end to end: the real server (PGlite, and PostgreSQL when available) reaches this
 * machine through a real sshd (test/e2e/support/test-sshd.ts) with its own generated client key,
 * pins the host key, reads the real dpkg database over SSH and turns a Debian advisory for an
 * installed source package into a finding, through the same path as an agent's upload. A wrong
 * pin is refused before authentication; the operator's CLI drives the same routes.
 *
 * Needs root and sshd (CI fails without them; elsewhere the suite is skipped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHostKey } from '@patchwise/agent';
import { postgresAvailable } from '../../packages/server/test/support/test-database.js';
import { runCliAsync } from '../../packages/cli/test/run-cli.js';
import { laterStableUpdate, osvFeedFile, type DebianAdvisory } from './support/debian-advisories.js';
import { startE2eServer, type DatabaseKind, type E2eServer } from './support/e2e-server.js';
import { exec, execStatus, which } from './support/exec-file.js';
import { skipUnlessAvailable } from './support/prerequisites.js';
import { missingSshdPrerequisites, startTestSshd, type TestSshd } from './support/test-sshd.js';

const SUITE = 'the agentless end-to-end test';
const missing = (await missingSshdPrerequisites()) ?? ((await which('dpkg-query')) ? undefined : 'dpkg-query (a Debian host whose packages the scan reads)');
const skip = skipUnlessAvailable(SUITE, missing);
const kinds: DatabaseKind[] = ['pglite', ...((await postgresAvailable()) ? (['postgres'] as const) : [])];
const WRONG_KEY = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

interface AgentlessView {
  id: string;
  name: string;
  connectivity: string;
  lastScanAt: string | null;
  lastScanCode: string | null;
  lastScanError: string | null;
  inventoryAt: string | null;
}
interface ScanReply {
  stored: boolean;
  packages: number;
  changes: { opened: number; updated: number; fixed: number };
  warnings: string[];
  commands: number;
}
interface AuditEvent {
  action: string;
  actor: { kind: string; name: string | null };
  target: { kind: string; id: string };
  details: Record<string, unknown>;
}

let sshd: TestSshd;
/** The source package and version of this machine's dpkg, from dpkg itself. */
let dpkgSource: { name: string; version: string };
let advisory: DebianAdvisory;
beforeAll(async () => {
  if (skip) return;
  sshd = await startTestSshd();
  const { stdout } = await exec('dpkg-query', ['--show', '--showformat=${source:Package}\t${source:Version}', 'dpkg']);
  const [name, version] = stdout.split('\t');
  dpkgSource = { name: name ?? '', version: version ?? '' };
  advisory = { id: 'DSA-5147-1', source: dpkgSource.name, cves: ['CVE-2022-1664'], fixed: laterStableUpdate(dpkgSource.version), published: '2022-05-26', summary: 'dpkg security update (directory traversal)' };
  // dpkg, not the code under test, says the fix is newer than what is installed.
  expect(await execStatus('dpkg', ['--compare-versions', advisory.fixed, 'gt', dpkgSource.version])).toBe(true);
});
afterAll(async () => {
  await sshd?.stop();
});

describe.skipIf(skip).each(kinds)('agentless hosts over a real sshd, on %s', (kind) => {
  let server: E2eServer;
  let hostId: string;
  beforeAll(async () => {
    server = await startE2eServer(kind);
    // The operator's setup: the server's public key into the host's authorized_keys.
    const key = await server.api<{ publicKey: string }>('GET', '/api/v1/agentless/public-key');
    expect(key.status).toBe(200);
    expect(key.body.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+ patchwise@/);
    sshd.authorize(key.body.publicKey);
    const imported = await server.api('POST', '/api/v1/feeds/import?filename=debian.json', osvFeedFile([advisory]));
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('registers a host with its pinned key; the host exists, never seen, nothing scanned', async () => {
    const pinned = await fetchHostKey(sshd.host, sshd.port);
    expect(pinned).toBe(sshd.hostKeySha256);
    const res = await server.api<AgentlessView>('POST', '/api/v1/agentless/hosts', {
      name: 'ssh-deb12',
      address: sshd.host,
      port: sshd.port,
      user: sshd.user,
      hostKeySha256: pinned,
      attributes: { tier: 1, environment: 'prod' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ name: 'ssh-deb12', connectivity: 'never', lastScanAt: null, inventoryAt: null });
    hostId = res.body.id;
    const host = await server.api<{ name: string; attributes: { tier: number } }>('GET', `/api/v1/hosts/${hostId}`);
    expect(host.body).toMatchObject({ name: 'ssh-deb12', attributes: { tier: 1, environment: 'prod' } });
    // One machine, one host: the same address and port cannot be registered twice.
    const again = await server.api<{ error: { code: string } }>('POST', '/api/v1/agentless/hosts', { name: 'dup', address: sshd.host, port: sshd.port, user: 'root', hostKeySha256: pinned });
    expect([again.status, again.body.error.code]).toEqual([409, 'PW_CONFLICT']);
    const bad = await server.api<{ error: { code: string; message: string } }>('POST', '/api/v1/agentless/hosts', { name: 'bad', address: sshd.host, port: 2, user: 'root', hostKeySha256: 'MD5:00:11' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'PW_INPUT_INVALID']);
    expect(bad.body.error.message).toContain('hostKeySha256');
  });

  it('scans: the inventory read over SSH is assessed like an upload and the finding appears', async () => {
    const scan = await server.api<ScanReply>('POST', `/api/v1/agentless/hosts/${hostId}/scan`);
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    expect(scan.body.stored).toBe(true);
    expect(scan.body.packages).toBeGreaterThan(50);
    expect(scan.body.changes.opened).toBe(1);
    const findings = await server.api<{ findings: { advisory: string; package: string; installed: string; fixed: string }[] }>('GET', `/api/v1/findings?host=${hostId}`);
    expect(findings.body.findings.map((f) => [f.advisory, f.fixed])).toEqual([[advisory.id, advisory.fixed]]);
    const host = await server.api<{ os: unknown; ecosystem: string; connectivity: string; packages: number; facts: Record<string, unknown> }>('GET', `/api/v1/hosts/${hostId}`);
    expect(host.body).toMatchObject({ os: { id: 'debian', versionId: '12' }, ecosystem: 'Debian:12', connectivity: 'online', packages: scan.body.packages });
    expect(host.body.facts).toMatchObject({ hostname: 'ssh-deb12', agentVersion: 'agentless' });

    // The same inventory again changes nothing.
    const second = await server.api<ScanReply>('POST', `/api/v1/agentless/hosts/${hostId}/scan`);
    expect(second.body.changes).toEqual({ opened: 0, updated: 0, fixed: 0, retracted: 0 });
    const listed = await server.api<{ hosts: AgentlessView[] }>('GET', '/api/v1/agentless/hosts');
    expect(listed.body.hosts.find((h) => h.id === hostId)).toMatchObject({ lastScanCode: null, lastScanError: null, connectivity: 'online' });
  });

  it('refuses a host whose key is not the pinned one, before authenticating, and records why', async () => {
    // The same sshd under another name, pinned to a key it does not have.
    const res = await server.api<AgentlessView>('POST', '/api/v1/agentless/hosts', { name: 'impostor', address: 'localhost', port: sshd.port, user: 'root', hostKeySha256: WRONG_KEY });
    expect(res.status).toBe(201);
    const before = sshd.log().length;
    const scan = await server.api<{ error: { code: string; message: string } }>('POST', `/api/v1/agentless/hosts/${res.body.id}/scan`);
    expect([scan.status, scan.body.error.code]).toEqual([502, 'PW_HOST_KEY_MISMATCH']);
    expect(scan.body.error.message).toContain(sshd.hostKeySha256);
    expect(scan.body.error.message).toContain(WRONG_KEY);
    expect(sshd.log().slice(before)).not.toMatch(/publickey|Accepted|Starting session/);
    const listed = await server.api<{ hosts: AgentlessView[] }>('GET', '/api/v1/agentless/hosts');
    expect(listed.body.hosts.find((h) => h.id === res.body.id)).toMatchObject({ lastScanCode: 'PW_HOST_KEY_MISMATCH', inventoryAt: null });
    const host = await server.api<{ packages: number; connectivity: string }>('GET', `/api/v1/hosts/${res.body.id}`);
    expect(host.body).toMatchObject({ packages: 0, connectivity: 'never' });

    // A quarantined host is not even connected to.
    expect((await server.api('PATCH', `/api/v1/hosts/${res.body.id}`, { status: 'quarantined', reason: 'key changed' })).status).toBe(200);
    const connections = sshd.log().split('Connection from').length;
    const refused = await server.api<{ error: { code: string } }>('POST', `/api/v1/agentless/hosts/${res.body.id}/scan`);
    expect([refused.status, refused.body.error.code]).toEqual([403, 'PW_QUARANTINED']);
    expect(sshd.log().split('Connection from').length).toBe(connections);
  });

  it('audits registration, every scan (failed ones too), the inventory change and the removal', async () => {
    const removed = await server.api('DELETE', `/api/v1/agentless/hosts/${hostId}`);
    expect(removed.status).toBe(204);
    expect((await server.api('POST', `/api/v1/agentless/hosts/${hostId}/scan`)).status).toBe(404);
    // The host and its findings stay; only the way to reach it is gone.
    expect((await server.api('GET', `/api/v1/hosts/${hostId}`)).status).toBe(200);
    const events = (await server.api<{ events: AuditEvent[] }>('GET', '/api/v1/audit/events')).body.events.filter((e) => e.action.startsWith('host.'));
    const mine = events.filter((e) => e.target.id === hostId).map((e) => [e.action, e.details.ok ?? null]);
    expect(mine).toEqual([
      ['host.agentless.register', null],
      ['host.inventory.replace', null],
      ['host.agentless.scan', true],
      ['host.agentless.scan', true],
      ['host.agentless.remove', null],
    ]);
    expect(events.find((e) => e.action === 'host.inventory.replace')?.actor).toMatchObject({ kind: 'user' });
    expect(events.some((e) => e.action === 'host.agentless.scan' && e.details.code === 'PW_HOST_KEY_MISMATCH')).toBe(true);
    expect((await server.api<{ ok: boolean }>('GET', '/api/v1/audit/verify')).body.ok).toBe(true);
  });

  // The CLI talks to the same API on either database: registered once (on PGlite), never skipped.
  if (kind === 'pglite') it('works from the CLI: public-key, add, list, scan, remove', async () => {
    const env = { ...process.env, PATCHWISE_URL: server.url, PATCHWISE_TOKEN: server.adminToken };
    const key = await runCliAsync(['agentless', 'public-key'], env);
    expect([key.status, key.stdout]).toEqual([0, expect.stringMatching(/^ssh-ed25519 /)]);
    const fetched = await runCliAsync(['agentless', 'host-key', sshd.host, '--port', String(sshd.port)], env);
    expect([fetched.status, fetched.stdout.trim()]).toEqual([0, sshd.hostKeySha256]);
    expect(fetched.stderr).toContain('trust on first use');
    const added = await runCliAsync(['agentless', 'add', 'cli-host', '--address', '127.0.0.2', '--port', String(sshd.port), '--user', 'root', '--host-key', sshd.hostKeySha256, '--attr', 'tier=2'], env);
    expect(added.status, added.stderr).toBe(0);
    // sshd listens on 127.0.0.1 only: the scan fails to connect, exit 2 with the code's message.
    const failed = await runCliAsync(['agentless', 'scan', 'cli-host'], env);
    expect([failed.status, failed.stderr]).toEqual([2, expect.stringContaining('refused')]);
    const list = await runCliAsync(['agentless', 'list'], env);
    expect(list.stdout).toMatch(/cli-host\s+root@127\.0\.0\.2:\d+\s+never\s+PW_HOST_UNREACHABLE/);
    const removed = await runCliAsync(['agentless', 'remove', 'cli-host'], env);
    expect(removed.status, removed.stderr).toBe(0);
    expect((await runCliAsync(['agentless', 'list', '--json'], env)).stdout).not.toContain('cli-host');
    const bad = await runCliAsync(['agentless', 'add', 'x', '--address', 'h', '--user', 'root', '--host-key', 'nope'], env);
    expect([bad.status, bad.stderr]).toEqual([2, expect.stringContaining('hostKeySha256')]);
  });
});
