/**
 * The agent on Debian 13 "trixie" (apt 3.0, dpkg 1.22, merged /usr): a `debootstrap
 * --variant=minbase trixie` tree, built and cached like the bookworm base, with the local apt
 * repository of test packages layered on it (support/local-apt-repository.ts). The agent's
 * collectors must report exactly what the host's own dpkg-query lists, the real agent and server
 * must place the host in `Debian:13` with a sensible end-of-life status, and one job through the
 * real apt driver must install exact versions and restore exactly the previous ones.
 *
 * Expectations come from the host's dpkg-query and dpkg, never from the code under test. Kept
 * small on purpose (one base, two clones): the bookworm suites cover the driver's failure paths.
 *
 * Needs root, debootstrap, overlayfs and dpkg-dev (CI fails without them; elsewhere the suite is
 * skipped). The trixie tree is built once per machine (about 30 s) and cached.
 */
import { lstatSync, mkdtempSync, readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_EXIT, collectFacts, collectPackages, collectRemoteInventory, executeJob, runAgent, type InventoryPackage } from '@patchwise/agent';
import { aptJob, dpkgState, jobHarness } from './support/apt-job-fixtures.js';
import { installedPackageRows, type InstalledPackageRow } from './support/chroot-dpkg.js';
import { startE2eServer, type E2eServer } from './support/e2e-server.js';
import { cloneHost, type HostClone } from './support/host-clone.js';
import { localAptRepository, type LocalAptRepository } from './support/local-apt-repository.js';
import { missingAptHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';

const skip = skipUnlessAvailable('the Debian trixie end-to-end test', await missingAptHostPrerequisites('trixie'));

/**
 * The server's (and agent's) clock, fixed so the end-of-life expectations do not change with the
 * date: Debian 13 is supported until 2028-08-09 (distro-info), then in LTS.
 */
const NOW = new Date('2026-03-02T12:00:00Z');

interface HostDetail {
  name: string;
  machineId: string | null;
  os: { id: string; versionId: string | null } | null;
  ecosystem: string | null;
  packages: number;
  eol: { status: string; date: string | null; reason: string; packages: unknown[] };
}

/** A collected package in the oracle's shape (a package without a Source field is its own source). */
function asRow(p: InventoryPackage): InstalledPackageRow {
  return { name: p.name, version: p.version, arch: p.arch ?? '', sourceName: p.sourceName ?? p.name, sourceVersion: p.sourceVersion ?? p.version };
}

function sortedRows(packages: readonly InventoryPackage[]): InstalledPackageRow[] {
  return packages.map(asRow).sort((a, b) => `${a.name}:${a.arch}`.localeCompare(`${b.name}:${b.arch}`));
}

describe.skipIf(skip)('the agent on a Debian 13 trixie host', () => {
  let repo: LocalAptRepository;
  let layer: string;
  let server: E2eServer;
  const hosts: HostClone[] = [];

  beforeAll(async () => {
    repo = await localAptRepository('trixie');
    layer = await repo.layer();
    server = await startE2eServer('pglite', { clock: () => NOW });
  }, 20 * 60_000);

  afterAll(async () => {
    await server?.close();
    for (const host of hosts.splice(0)) await host.dispose();
    await repo?.dispose();
  });

  async function host(name: string): Promise<HostClone> {
    const clone = await cloneHost(name, { layers: [layer], suite: 'trixie' });
    hosts.push(clone);
    return clone;
  }

  it('is a trixie host: apt 3.0, dpkg 1.22, merged /usr', async () => {
    const h = await host('trixie-tools');
    const os = readFileSync(join(h.root, 'usr/lib/os-release'), 'utf8');
    expect(os).toMatch(/^VERSION_ID="13"$/m);
    expect(os).toMatch(/^VERSION_CODENAME=trixie$/m);
    for (const dir of ['bin', 'sbin', 'lib']) {
      expect(lstatSync(join(h.root, dir)).isSymbolicLink(), `/${dir} is a link into /usr`).toBe(true);
      expect(readlinkSync(join(h.root, dir))).toBe(`usr/${dir}`);
    }
    expect((await h.runner.run('check', ['apt-get', '--version'])).stdout).toMatch(/^apt 3\./);
    expect((await h.runner.run('check', ['dpkg', '--version'])).stdout).toMatch(/version 1\.22\./);
  });

  it('inventories exactly the packages dpkg-query lists, and the server places them in Debian:13, supported', async () => {
    const h = await host('trixie-inventory');
    const facts = await collectFacts({ root: h.root });
    expect(facts.os).toMatchObject({ id: 'debian', versionId: '13', versionCodename: 'trixie' });
    const collected = await collectPackages({ root: h.root });
    expect(collected).toMatchObject({ warnings: [], complete: true });
    const expected = await installedPackageRows(h.root);
    // Names, versions, architectures and sources, every one: the minbase tree and the test packages.
    expect(sortedRows(collected.packages)).toEqual(expected);
    expect(expected.map((p) => p.name)).toEqual(expect.arrayContaining(['apt', 'dpkg', 'libc6', 'sqv', 'pw-hello']));
    // The agentless collector (commands through a runner, here the chroot's) reads the same.
    const remote = await collectRemoteInventory(h.runner, { hostName: h.name });
    expect(remote.document.host.os).toEqual({ id: 'debian', versionId: '13' });
    expect(remote.collected).toMatchObject({ warnings: [], complete: true });
    expect(sortedRows(remote.collected.packages)).toEqual(expected);

    // The real agent (what `patchwise agent run --root` runs) against the real server.
    const token = await server.api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: 1 });
    expect(token.status).toBe(201);
    const lines: string[] = [];
    const status = await runAgent({
      root: h.root,
      serverUrl: server.url,
      enrollToken: token.body.token,
      stateDir: mkdtempSync(join(dirname(h.root), 'agent-state-')),
      once: true,
      jobs: false,
      agentVersion: 'e2e',
      // The server's clock: check-ins carry a timestamp it checks.
      clock: () => NOW,
      log: (line) => lines.push(line),
    });
    expect(status, lines.join('\n')).toBe(AGENT_EXIT.ok);
    const list = await server.api<{ hosts: { id: string }[] }>('GET', `/api/v1/hosts?name=${h.name}`);
    expect(list.body.hosts).toHaveLength(1);
    const stored = await server.api<HostDetail>('GET', `/api/v1/hosts/${list.body.hosts[0]?.id}`);
    expect(stored.body).toMatchObject({
      name: h.name,
      machineId: readFileSync(join(h.root, 'etc/machine-id'), 'utf8').trim(),
      os: { id: 'debian', versionId: '13' },
      ecosystem: 'Debian:13',
      packages: expected.length,
      eol: { status: 'supported', date: '2028-08-09' },
    });
    // sqv (source rust-sequoia-sqv), apt 3.0's signature verifier, is in every trixie: Debian's
    // list limits `rust.*` but names it supported, so no package of the base is out of support.
    expect(stored.body.eol.packages).toEqual([]);
  });

  it('installs exact versions with the real apt driver, then restores exactly the previous ones', async () => {
    const h = await host('trixie-job');
    const harness = jobHarness(h);
    // An upgrade, a package that raises the reboot flag and one absent before: every path of the driver a job takes.
    const targets = [
      { name: 'pw-hello', version: '1.1' },
      { name: 'pw-kernel', version: '1.1' },
      { name: 'pw-extra', version: '1.0' },
    ];
    const report = await executeJob(aptJob(targets, { reboot: 'if-required' }), harness.deps);
    const said = JSON.stringify(report.commands.map((c) => [c.argv.slice(0, 2), c.exitCode, c.stderr.slice(-300)]));
    expect(report, said).toMatchObject({
      outcome: 'succeeded',
      failure: null,
      previous: [
        { name: 'pw-hello', version: '1.0' },
        { name: 'pw-kernel', version: '1.0' },
        { name: 'pw-extra', version: null },
      ],
      after: targets,
      rebootRequired: true,
      rebooted: true,
    });
    expect(harness.reboots()).toBe(1);
    for (const { name, version } of targets) expect(await dpkgState(h, name)).toEqual({ abbrev: 'ii', version });

    const back = await executeJob(aptJob(report.previous, { action: 'rollback' }), harness.deps);
    expect(back, JSON.stringify(back.commands.map((c) => [c.argv.slice(0, 2), c.exitCode, c.stderr.slice(-300)]))).toMatchObject({
      outcome: 'succeeded',
      after: report.previous,
    });
    expect(await dpkgState(h, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.0' });
    expect(await dpkgState(h, 'pw-kernel')).toEqual({ abbrev: 'ii', version: '1.0' });
    expect(['absent', 'rc']).toContain((await dpkgState(h, 'pw-extra')).abbrev);
    expect(readFileSync(join(h.root, 'usr/share/pw-hello/version'), 'utf8')).toBe('1.0\n');
    // And the inventory after the round trip is again exactly dpkg's.
    expect(sortedRows((await collectPackages({ root: h.root })).packages)).toEqual(await installedPackageRows(h.root));
  });
});
