/**
 * Jobs executed by the agent (executeJob, the path agents take) with the dnf, yum and zypper
 * drivers against the real tools: each test host is an overlay clone of the Debian base plus a
 * cached layer with Debian's dnf 4.14 (and dnf-plugins-core) or zypper 1.14, whose only
 * repository is a local one of test RPMs built with rpmbuild (support/local-rpm-repository.ts).
 * Every command runs inside the host through ChrootRunner, as an agent started with `--root`
 * runs them. What is installed is read back with the host's own `rpm -q --qf %{NEVRA}` and the
 * packages' files, never with the driver under test.
 *
 * yum: Debian has no yum, so the yum hosts are dnf hosts with `/usr/bin/yum -> dnf` and a
 * `needs-restarting` wrapper of `dnf needs-restarting`: what RHEL 8 and 9 ship (yum is dnf there,
 * and yum-utils' needs-restarting calls dnf's). YumDriver's own commands (`yum downgrade`,
 * `yum install`, `yum clean expire-cache`) run for real; yum 3 itself (RHEL 7) is not covered.
 *
 * dnf hosts get /proc mounted: `dnf needs-restarting -r` reads the boot time there.
 *
 * Needs root, debootstrap, overlayfs, dpkg-dev, rpm (rpmbuild) and createrepo-c (CI fails
 * without them; elsewhere the suite is skipped). The layers are built once per machine.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DnfDriver, YumDriver, ZypperDriver, executeJob, type CommandRunner, type PackageDriver } from '@patchwise/agent';
import type { CommandRecord, PackageManagerKind } from '@patchwise/core';
import { jobHarness, packageJob } from './support/apt-job-fixtures.js';
import { CommandFailed, exec } from './support/exec-file.js';
import { cloneHost, type HostClone } from './support/host-clone.js';
import { localRpmRepository, type LocalRpmRepository, type RpmManager } from './support/local-rpm-repository.js';
import { missingRpmHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';

const skip = skipUnlessAvailable('the RPM drivers end-to-end test', await missingRpmHostPrerequisites());

interface Manager {
  readonly kind: Extract<PackageManagerKind, 'dnf' | 'yum' | 'zypper'>;
  readonly layer: RpmManager;
  readonly driver: (runner: CommandRunner) => PackageDriver;
  /** The argv that brings pw-hello back down to 1.0-1. */
  readonly downgrade: readonly string[];
  /** Exit status of the transaction whose %post failed. */
  readonly brokenExit: number;
}

const MANAGERS: readonly Manager[] = [
  { kind: 'dnf', layer: 'dnf', driver: (r) => new DnfDriver(r), downgrade: ['dnf', 'install', '-y', 'pw-hello-1.0-1'], brokenExit: 0 },
  { kind: 'yum', layer: 'dnf', driver: (r) => new YumDriver(r), downgrade: ['yum', 'downgrade', '-y', 'pw-hello-1.0-1'], brokenExit: 0 },
  {
    kind: 'zypper',
    layer: 'zypper',
    driver: (r) => new ZypperDriver(r),
    downgrade: ['zypper', '--non-interactive', 'install', '--oldpackage', 'pw-hello=1.0-1'],
    brokenExit: 107,
  },
];

/** rpm's own answer: the installed NEVRA of `name` (epoch shown when the package has one), or null. */
async function rpmNevra(host: HostClone, name: string): Promise<string | null> {
  try {
    return (await exec('chroot', [host.root, 'rpm', '-q', '--qf', '%{NEVRA}\\n', name])).stdout.trim();
  } catch (err) {
    if (err instanceof CommandFailed && err.exitCode === 1 && err.stdout.includes(`package ${name} is not installed`)) return null;
    throw err;
  }
}

function fileIn(host: HostClone, path: string): string {
  return readFileSync(join(host.root, path), 'utf8');
}

function commandsOf(records: readonly CommandRecord[], step: string): string[] {
  return records.filter((c) => c.step === step).map((c) => `${c.argv.join(' ')} → ${String(c.exitCode)}`);
}

/** One repository (and its prepared layers) for the three managers of this file. */
let repo: LocalRpmRepository | undefined;
afterAll(async () => {
  await repo?.dispose();
});

describe.skipIf(skip).each(MANAGERS)('executeJob with the $kind driver and the real tool', (manager) => {
  let layers: string[];
  const hosts: HostClone[] = [];

  beforeAll(async () => {
    repo = await localRpmRepository();
    layers = await repo.layers(manager.layer);
  }, 20 * 60_000);

  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.dispose();
  });

  async function host(name: string): Promise<HostClone> {
    const clone = await cloneHost(`${manager.kind}-${name}`, { layers });
    hosts.push(clone);
    if (manager.layer === 'dnf') await exec('mount', ['-t', 'proc', 'proc', join(clone.root, 'proc')]);
    if (manager.kind === 'yum') {
      // See the file's comment: RHEL 8+'s yum is dnf, and its needs-restarting calls dnf's.
      symlinkSync('dnf', join(clone.root, 'usr/bin/yum'));
      writeFileSync(join(clone.root, 'usr/local/sbin/needs-restarting'), '#!/bin/sh\nexec dnf needs-restarting "$@"\n', { mode: 0o755 });
    }
    return clone;
  }

  const harness = (h: HostClone) => jobHarness(h, { driver: manager.driver });

  it('starts every host with the preinstalled packages from the local repository', async () => {
    const h = await host('fresh');
    expect(await rpmNevra(h, 'pw-hello')).toBe('pw-hello-1.0-1.noarch');
    expect(await rpmNevra(h, 'pw-epoch')).toBe('pw-epoch-0:2.0-1.noarch');
    expect(await rpmNevra(h, 'pw-broken')).toBe('pw-broken-1.0-1.noarch');
    expect(await rpmNevra(h, 'pw-extra')).toBeNull();
  });

  it('journals 1.0-1, installs exactly 1.1-1, and a rollback job brings back exactly 1.0-1', async () => {
    const h = await host('hello');
    const { deps } = harness(h);
    const job = packageJob(manager.kind, [{ name: 'pw-hello', version: '1.1-1' }]);
    const report = await executeJob(job, deps);
    expect(report).toMatchObject({ outcome: 'succeeded', previous: [{ name: 'pw-hello', version: '1.0-1' }], after: [{ name: 'pw-hello', version: '1.1-1' }], failure: null });
    // The previous version was read (and journalled) before the first change.
    expect(report.commands[0]).toMatchObject({ step: 'query', argv: expect.arrayContaining(['rpm', '-q']) });
    expect(await deps.journal.get(job.idempotencyKey)).toMatchObject({ state: 'finished', previous: [{ name: 'pw-hello', version: '1.0-1' }] });
    expect(await rpmNevra(h, 'pw-hello')).toBe('pw-hello-1.1-1.noarch');
    expect(fileIn(h, 'usr/share/pw-hello/version')).toBe('1.1-1\n');
    expect(report.rebootRequired).toBe(false);

    const back = await executeJob(packageJob(manager.kind, report.previous, { action: 'rollback' }), deps);
    expect(back).toMatchObject({ outcome: 'succeeded', previous: [{ name: 'pw-hello', version: '1.1-1' }], after: [{ name: 'pw-hello', version: '1.0-1' }], failure: null });
    // (YumDriver queries first: yum 3 downgrades only with `yum downgrade`.)
    expect(commandsOf(back.commands, 'restore').filter((c) => !c.startsWith('rpm '))).toEqual([`${manager.downgrade.join(' ')} → 0`]);
    expect(await rpmNevra(h, 'pw-hello')).toBe('pw-hello-1.0-1.noarch');
    expect(fileIn(h, 'usr/share/pw-hello/version')).toBe('1.0-1\n');
  });

  it('removes on rollback a package that was absent before the job', async () => {
    const h = await host('extra');
    const { deps } = harness(h);
    const added = await executeJob(packageJob(manager.kind, [{ name: 'pw-extra', version: '1.0-1' }]), deps);
    expect(added).toMatchObject({ outcome: 'succeeded', previous: [{ name: 'pw-extra', version: null }], after: [{ name: 'pw-extra', version: '1.0-1' }] });
    expect(await rpmNevra(h, 'pw-extra')).toBe('pw-extra-1.0-1.noarch');

    const back = await executeJob(packageJob(manager.kind, added.previous, { action: 'rollback' }), deps);
    expect(back).toMatchObject({ outcome: 'succeeded', after: [{ name: 'pw-extra', version: null }] });
    expect(back.commands.some((c) => c.argv.includes('remove') && c.argv.includes('pw-extra') && c.exitCode === 0)).toBe(true);
    expect(await rpmNevra(h, 'pw-extra')).toBeNull();
  });

  it('honours epochs: 1:1.0-1 replaces 0:2.0-1, and the rollback goes back down to 0:2.0-1', async () => {
    const h = await host('epoch');
    const { deps } = harness(h);
    const report = await executeJob(packageJob(manager.kind, [{ name: 'pw-epoch', version: '1:1.0-1' }]), deps);
    expect(report).toMatchObject({ outcome: 'succeeded', previous: [{ name: 'pw-epoch', version: '0:2.0-1' }], after: [{ name: 'pw-epoch', version: '1:1.0-1' }] });
    expect(await rpmNevra(h, 'pw-epoch')).toBe('pw-epoch-1:1.0-1.noarch');
    expect(fileIn(h, 'usr/share/pw-epoch/version')).toBe('1:1.0-1\n');

    const back = await executeJob(packageJob(manager.kind, report.previous, { action: 'rollback' }), deps);
    expect(back).toMatchObject({ outcome: 'succeeded', after: [{ name: 'pw-epoch', version: '0:2.0-1' }] });
    expect(await rpmNevra(h, 'pw-epoch')).toBe('pw-epoch-0:2.0-1.noarch');
    expect(fileIn(h, 'usr/share/pw-epoch/version')).toBe('0:2.0-1\n');
  });

  it('rolls back pw-broken 1.1-1, whose %post fails and which rpm leaves installed, to exactly 1.0-1', async () => {
    const h = await host('broken');
    const { deps } = harness(h);
    const report = await executeJob(packageJob(manager.kind, [{ name: 'pw-broken', version: '1.1-1' }]), deps);
    expect(report).toMatchObject({ outcome: 'rolled-back', rollbackFailed: false, failure: { step: 'install' }, after: [{ name: 'pw-broken', version: '1.0-1' }] });
    // What really happens: rpm keeps 1.1-1 installed (1.0-1 erased); dnf exits 0, zypper 107.
    const install = report.commands.filter((c) => c.step === 'install').at(-1);
    expect(install?.exitCode).toBe(manager.brokenExit);
    expect(`${install?.stdout ?? ''}${install?.stderr ?? ''}`).toContain('pw-broken 1.1: %post fails on purpose');
    expect(report.failure?.message).toMatch(/scriptlet failed/);
    expect(commandsOf(report.commands, 'rollback').filter((c) => !c.startsWith('rpm '))).toHaveLength(1);
    expect(await rpmNevra(h, 'pw-broken')).toBe('pw-broken-1.0-1.noarch');
    expect(fileIn(h, 'usr/share/pw-broken/version')).toBe('1.0-1\n');
  });

  it('installs a version published after the host last read the repository', async () => {
    const h = await host('late');
    const { deps } = harness(h);
    await repo?.publish(h, 'pw-hello', '1.2-1');
    const report = await executeJob(packageJob(manager.kind, [{ name: 'pw-hello', version: '1.2-1' }]), deps);
    expect(report).toMatchObject({ outcome: 'succeeded', after: [{ name: 'pw-hello', version: '1.2-1' }], failure: null });
    expect(await rpmNevra(h, 'pw-hello')).toBe('pw-hello-1.2-1.noarch');
  });
});
