/** `feeds status` and `hosts show` say when hosts show no findings because no advisory covers them. */
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../src/api-client.js';
import { captureIo } from './support/capture-io.js';
import { feedsStatus } from '../src/commands/feeds.js';
import { hostsShow } from '../src/commands/hosts.js';

const capture = captureIo;

/** An API client answering GET /api/v1/feeds with `reply`. */
const answering = (reply: unknown) => ({ get: () => Promise.resolve(reply) }) as unknown as ApiClient;

const REPLY = {
  feeds: [{ name: 'alma', kind: 'osv', records: 12, ageSeconds: 60, lastError: null }],
  uncovered: [
    { ecosystem: 'Debian:12', hosts: 1 },
    { ecosystem: 'Ubuntu:22.04:LTS', hosts: 3 },
  ],
};

describe('feeds status', () => {
  it('names the ecosystems of hosts no advisory covers, under the table', async () => {
    const { out, io } = capture();
    expect(await feedsStatus(answering(REPLY), {}, io)).toBe(0);
    expect(out.stdout).toMatch(/^FEED\s+KIND\s+RECORDS/);
    expect(out.stdout.endsWith('no advisories held for Debian:12 (1 host), Ubuntu:22.04:LTS (3 hosts)\n')).toBe(true);
  });

  it('keeps the JSON a list of feeds and puts the note on stderr', async () => {
    const { out, io } = capture();
    await feedsStatus(answering(REPLY), { json: true }, io);
    expect(JSON.parse(out.stdout)).toEqual(REPLY.feeds);
    expect(out.stderr).toBe('patchwise: note: no advisories held for Debian:12 (1 host), Ubuntu:22.04:LTS (3 hosts)\n');
  });

  it('says nothing more when every host is covered', async () => {
    const { out, io } = capture();
    await feedsStatus(answering({ ...REPLY, uncovered: [] }), {}, io);
    expect(out.stdout).not.toContain('no advisories');
  });
});

describe('hosts show', () => {
  const ID = '00000000-0000-4000-8000-000000000001';
  const host = (advisoriesHeld: boolean | null) => ({
    id: ID,
    name: 'db-1',
    machineId: 'm',
    os: { id: 'debian', versionId: '12' },
    ecosystem: 'Debian:12',
    attributes: { tier: null, environment: null, owner: null, tags: [], internetFacing: null, cluster: null, timezone: null },
    status: 'active',
    quarantineReason: null,
    connectivity: 'online',
    eol: { status: 'supported', date: null, reason: 'supported', packages: [] },
    lastSeenAt: null,
    inventoryAt: null,
    packages: 0,
    openFindings: { P1: 0, P2: 0, P3: 0, P4: 0 },
    advisoriesHeld,
  });

  it("says when no advisory held covers the host's ecosystem, next to its open findings", async () => {
    const { out, io } = capture();
    await hostsShow(answering(host(false)), ID, {}, io);
    expect(out.stdout).toMatch(/^open findings\s+P1 0, P2 0, P3 0, P4 0\nadvisories\s+none held for this host's ecosystem \(Debian:12\): import or sync its feed \(docs\/feeds\.md\)$/m);
    const { out: covered, io: io2 } = capture();
    await hostsShow(answering(host(true)), ID, {}, io2);
    expect(covered.stdout).not.toMatch(/^advisories/m);
  });

  it('shows what the agent reported about the running machine, and - for what it could not tell', async () => {
    const { out, io } = capture();
    const facts = { kernel: '6.1.0-18-amd64', arch: 'x86_64', ips: ['10.0.0.5', 'fd00::5'], uptimeSeconds: 3 * 86_400 + 4 * 3600 + 59, rebootRequired: true, agentVersion: '0.1.0' };
    await hostsShow(answering({ ...host(true), facts }), ID, {}, io);
    expect(out.stdout).toMatch(/^kernel\s+6\.1\.0-18-amd64 \(x86_64\)\naddresses\s+10\.0\.0\.5, fd00::5\nup for\s+3d 4h\nreboot required\s+yes\nagent\s+0\.1\.0$/m);
    const { out: unknown, io: io2 } = capture();
    await hostsShow(answering({ ...host(true), facts: { kernel: null, ips: null, uptimeSeconds: null, rebootRequired: null } }), ID, {}, io2);
    expect(unknown.stdout).toMatch(/^kernel\s+-\naddresses\s+-\nup for\s+-\nreboot required\s+-\nagent\s+-$/m);
  });
});
