/**
 * End to end on a real Debian: a `debootstrap --variant=minbase bookworm` tree, cloned into two
 * hosts; the real agent inventories each clone; the real server (PGlite, and PostgreSQL when
 * available) stores them; real Debian advisories (ids and CVEs of the installed source packages)
 * produce findings; purging packages with dpkg and importing a feed update change them
 * incrementally.
 *
 * Nothing is tuned to today's mirror: installed versions are read from the chroot's dpkg at run
 * time, and every version-order fact the expectations rest on is checked with dpkg itself.
 *
 * Needs root and debootstrap (CI fails without them; elsewhere the suite is skipped). The tree
 * is built once per machine (about a minute) and cached; each run works on overlay clones.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EXIT, runAgent } from '@patchwise/agent';
import { postgresAvailable } from '../../packages/server/test/support/test-database.js';
import { cloneChroot, type ChrootClone } from './support/chroot-clone.js';
import { dpkgCompare, installedPackages, installedSource, purgePackages, type InstalledSource } from './support/chroot-dpkg.js';
import { laterStableUpdate, osvFeedFile, type DebianAdvisory } from './support/debian-advisories.js';
import { startE2eServer, type DatabaseKind, type E2eServer } from './support/e2e-server.js';
import { ensureMinbaseChroot, type MinbaseChroot } from './support/minbase-chroot.js';
import { missingChrootPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';

const SUITE = 'the Debian chroot end-to-end test';
const skip = skipUnlessAvailable(SUITE, await missingChrootPrerequisites());
const kinds: DatabaseKind[] = ['pglite', ...((await postgresAvailable()) ? (['postgres'] as const) : [])];

interface HostView {
  id: string;
  name: string;
  machineId: string | null;
  os: { id: string; versionId: string | null } | null;
  ecosystem: string | null;
  status: string;
  packages: number;
}
interface FindingView {
  host: string;
  advisory: string;
  aliases: string[];
  package: string;
  installed: string;
  fixed: string | null;
  state: string;
  fixedAt: string | null;
}
interface ImportReply {
  records: { inserted: number; updated: number; unchanged: number };
  hostsReassessed: number;
  problems: string[];
}

// The tree is shared by both database runs; building it once is the slow part of a cold run.
let chroot: MinbaseChroot;
beforeAll(async () => {
  if (skip) return;
  chroot = await ensureMinbaseChroot({ log: (line) => console.log(`[chroot] ${line}`) });
}, 20 * 60_000);

describe.skipIf(skip).each(kinds)('a Debian bookworm chroot inventoried by the agent, on %s', (kind) => {
  let server: E2eServer;
  let hostA: ChrootClone;
  let hostB: ChrootClone;
  const stateDirs = new Map<ChrootClone, string>();
  let enrollToken: string;
  /** Source versions debootstrap installed, read from the chroot's dpkg. */
  let installed: Record<'glibc' | 'apt' | 'gnupg2', InstalledSource>;
  /** The advisories, built from those versions (see beforeAll). */
  let glibc: DebianAdvisory;
  let glibcAlreadyFixed: DebianAdvisory;
  let apt: DebianAdvisory;
  let gnupg2: DebianAdvisory;

  beforeAll(async () => {
    server = await startE2eServer(kind);
    hostA = await cloneChroot(chroot.rootfs, { hostname: 'deb12-a' });
    hostB = await cloneChroot(chroot.rootfs, { hostname: 'deb12-b' });
    for (const host of [hostA, hostB]) stateDirs.set(host, mkdtempSync(join(tmpdir(), 'patchwise-agent-state-')));
    const token = await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: 2 });
    expect(token.status).toBe(201);
    enrollToken = token.body.token;

    // Installed source versions, from the chroot's dpkg. libc6 and apt are in every minbase;
    // gpgv (source gnupg2) comes with apt.
    installed = {
      glibc: await installedSource(hostA.root, 'libc6'),
      apt: await installedSource(hostA.root, 'apt'),
      gnupg2: await installedSource(hostA.root, 'gpgv'),
    };
    expect([installed.glibc.name, installed.apt.name, installed.gnupg2.name]).toEqual(['glibc', 'apt', 'gnupg2']);
    glibc = {
      id: 'DSA-5611-1',
      source: 'glibc',
      cves: ['CVE-2023-6246', 'CVE-2023-6779', 'CVE-2023-6780'],
      fixed: laterStableUpdate(installed.glibc.version),
      published: '2024-01-30',
      summary: 'glibc security update (syslog heap overflows)',
    };
    // The real record: fixed in bookworm by 2.36-9+deb12u3, older than any point release a
    // mirror serves now, so it must NOT produce a finding.
    glibcAlreadyFixed = {
      id: 'DSA-5514-1',
      source: 'glibc',
      cves: ['CVE-2023-4911'],
      fixed: '2.36-9+deb12u3',
      published: '2023-10-03',
      summary: 'glibc security update (Looney Tunables)',
    };
    apt = {
      id: 'DSA-4371-1',
      source: 'apt',
      cves: ['CVE-2019-3462'],
      fixed: laterStableUpdate(installed.apt.version),
      published: '2019-01-22',
      summary: 'apt security update (HTTP redirect injection)',
    };
    gnupg2 = {
      id: 'DSA-5174-1',
      source: 'gnupg2',
      cves: ['CVE-2022-34903'],
      fixed: laterStableUpdate(installed.gnupg2.version),
      published: '2022-07-04',
      summary: 'gnupg2 security update (status line injection)',
    };
    // The expectations below rest on these orders; dpkg, not the code under test, decides them.
    for (const [a, version] of [
      [glibc, installed.glibc.version],
      [apt, installed.apt.version],
      [gnupg2, installed.gnupg2.version],
    ] as const) {
      expect(await dpkgCompare(hostA.root, a.fixed, 'gt', version), `${a.id}: ${a.fixed} > ${version}`).toBe(true);
    }
    expect(await dpkgCompare(hostA.root, glibcAlreadyFixed.fixed, 'lt', installed.glibc.version), 'DSA-5514-1 is older than the installed glibc').toBe(true);
  });

  afterAll(async () => {
    await server?.close();
    for (const host of [hostA, hostB]) await host?.dispose();
    for (const dir of stateDirs.values()) rmSync(dir, { recursive: true, force: true });
  });

  /** Runs the real agent once against a clone (enrolling on its first run); returns its log. */
  async function runAgentOn(host: ChrootClone): Promise<string> {
    const lines: string[] = [];
    const status = await runAgent({
      root: host.root,
      serverUrl: server.url,
      enrollToken,
      stateDir: stateDirs.get(host) as string,
      once: true,
      agentVersion: 'e2e',
      log: (line) => lines.push(line),
    });
    const log = lines.join('\n');
    expect(status, log).toBe(AGENT_EXIT.ok);
    return log;
  }

  async function importFeed(filename: string, advisories: readonly DebianAdvisory[]): Promise<ImportReply> {
    const reply = await server.api<ImportReply>('POST', `/api/v1/feeds/import?filename=${filename}`, osvFeedFile(advisories));
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    expect(reply.body.problems).toEqual([]);
    return reply.body;
  }

  async function host(clone: ChrootClone): Promise<HostView> {
    const list = await server.api<{ hosts: { id: string }[] }>('GET', `/api/v1/hosts?name=${clone.hostname}`);
    expect(list.body.hosts).toHaveLength(1);
    const detail = await server.api<HostView>('GET', `/api/v1/hosts/${list.body.hosts[0]?.id}`);
    expect(detail.status).toBe(200);
    return detail.body;
  }

  /** Findings in one state, ordered by host, then advisory id. */
  async function findings(state: 'open' | 'fixed'): Promise<FindingView[]> {
    const reply = await server.api<{ total: number; findings: FindingView[] }>('GET', `/api/v1/findings?state=${state}&sort=advisory&limit=1000`);
    expect(reply.status).toBe(200);
    return reply.body.findings.sort((x, y) => `${x.host} ${x.advisory}`.localeCompare(`${y.host} ${y.advisory}`));
  }

  /** A finding as expected: the advisory's source package at the version dpkg says is installed. */
  const row = (hostname: string, a: DebianAdvisory) => ({
    host: hostname,
    advisory: a.id,
    package: a.source,
    installed: installed[a.source as keyof typeof installed].version,
    fixed: a.fixed,
  });
  const rowOf = (f: FindingView) => ({ host: f.host, advisory: f.advisory, package: f.package, installed: f.installed, fixed: f.fixed });

  it('imports real Debian advisories before any host exists', async () => {
    const reply = await importFeed('debian-dsa.json', [glibc, glibcAlreadyFixed, apt]);
    expect(reply.records).toEqual({ inserted: 3, updated: 0, unchanged: 0, older: 0 });
    expect(reply.hostsReassessed).toBe(0);
  });

  it('enrolls the agent of each clone and stores the facts and packages read from it', async () => {
    for (const clone of [hostA, hostB]) {
      const log = await runAgentOn(clone);
      expect(log).toMatch(/^enrolled as host [0-9a-f-]{36} \(active\)$/m);
      expect(log).toMatch(/inventory sent \(\d+ packages; 2 findings opened, 0 fixed/);
      const stored = await host(clone);
      expect(stored).toMatchObject({
        name: clone.hostname,
        machineId: readFileSync(join(clone.root, 'etc/machine-id'), 'utf8').trim(),
        os: { id: 'debian', versionId: '12' },
        ecosystem: 'Debian:12',
        status: 'active',
        // Exactly the binary packages dpkg calls installed.
        packages: (await installedPackages(clone.root)).length,
      });
    }
  });

  it('opens a finding for each advisory fixed after the installed source version, and none for DSA-5514-1', async () => {
    const open = await findings('open');
    expect(open.map(rowOf)).toEqual([
      row('deb12-a', apt),
      row('deb12-a', glibc),
      row('deb12-b', apt),
      row('deb12-b', glibc),
    ]);
    expect(open.find((f) => f.advisory === 'DSA-5611-1')?.aliases).toEqual(expect.arrayContaining([...glibc.cves]));
  });

  it('closes the apt finding of the clone apt is purged from, and leaves every other finding open', async () => {
    // A real inventory change: dpkg removes apt (and gpgv, which only apt needs) with their scripts.
    await purgePackages(hostA.root, ['apt', 'libapt-pkg6.0', 'gpgv']);
    const before = Date.now();
    expect(await runAgentOn(hostA)).toMatch(/inventory sent \(\d+ packages; 0 findings opened, 1 fixed/);
    // The untouched clone's agent sends nothing: its inventory digest is unchanged.
    expect(await runAgentOn(hostB)).toMatch(/inventory unchanged/);

    const fixed = await findings('fixed');
    expect(fixed.map(rowOf)).toEqual([row('deb12-a', apt)]);
    const fixedAt = Date.parse(fixed[0]?.fixedAt ?? '');
    expect(fixedAt).toBeGreaterThanOrEqual(before - 1000);
    expect(fixedAt).toBeLessThanOrEqual(Date.now());
    expect((await findings('open')).map(rowOf)).toEqual([
      row('deb12-a', glibc),
      row('deb12-b', apt),
      row('deb12-b', glibc),
    ]);
    expect((await host(hostA)).packages).toBe((await installedPackages(hostA.root)).length);
    // The purge changed the clone only: the cached tree, and so the other clone, still has apt.
    expect(await installedPackages(chroot.rootfs)).toContain('apt');
    expect(await installedPackages(hostB.root)).toContain('apt');
  });

  it('re-assesses only the host still carrying gnupg2 when a feed update names it', async () => {
    const reply = await importFeed('debian-dsa-update.json', [gnupg2]);
    expect(reply.records).toEqual({ inserted: 1, updated: 0, unchanged: 0, older: 0 });
    expect(reply.hostsReassessed).toBe(1);
    expect((await findings('open')).map(rowOf)).toEqual([
      row('deb12-a', glibc),
      row('deb12-b', apt),
      row('deb12-b', gnupg2),
      row('deb12-b', glibc),
    ]);
    // Importing the same update again changes nothing and re-assesses no one.
    const again = await importFeed('debian-dsa-update.json', [gnupg2]);
    expect(again).toMatchObject({ records: { inserted: 0, updated: 0, unchanged: 1 }, hostsReassessed: 0 });
  });
});
