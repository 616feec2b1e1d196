/**
 * collectRemoteInventory over a real SSH connection to this machine (test/e2e/support/test-sshd.ts):
 * what it reads of `/` (dpkg and system Python here) and of fake roots (dpkg, apk, Python, real rpm
 * databases) must be what the local collectors read of the same files. Skipped without root or sshd, except on CI.
 */
import { uptime } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshRunner, buildInventoryDocument, collectFacts, collectPackages, collectRemoteInventory, type CommandRunner } from '@patchwise/agent';
import { skipUnlessAvailable } from '../../../test/e2e/support/prerequisites.js';
import { missingSshdPrerequisites, startTestSshd, type TestSshd } from '../../../test/e2e/support/test-sshd.js';
import { addToTree, makeTree, removeTrees } from './support/fake-root.js';
import { RPM_PYTHON_DIST, buildPythonRpm, buildTestRpms, expectedTestRpms, haveRpmTools, rootWithRpmDb } from './support/rpm-root.js';

const skip = skipUnlessAvailable('the remote inventory tests', await missingSshdPrerequisites());
const haveRpm = await haveRpmTools();

const DPKG_STATUS = `Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.11-1~deb12u2

Package: removed-pkg
Status: deinstall ok config-files
Architecture: amd64
Version: 2.0-1
`;
const APK_INSTALLED = `P:libcrypto3
V:3.3.1-r0
A:x86_64
o:openssl

P:musl
V:1.2.5-r0
A:x86_64
`;

describe.skipIf(skip)('collectRemoteInventory over SSH', () => {
  let sshd: TestSshd;
  let runner: SshRunner;
  beforeAll(async () => {
    sshd = await startTestSshd();
    runner = await SshRunner.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.clientPrivateKey, hostKeySha256: sshd.hostKeySha256 });
  });
  afterAll(async () => {
    await runner?.close();
    await sshd?.stop();
    await removeTrees();
  });

  /** What the agent would build for `root`. */
  async function localDocument(root: string, hostName: string) {
    const packages = await collectPackages({ root });
    return { document: buildInventoryDocument(await collectFacts({ root }), packages.packages, { hostName }), packages };
  }

  it("reads this machine's / exactly as the local collector does", async () => {
    const bootedBefore = uptime();
    const remote = await collectRemoteInventory(runner, { hostName: 'this-machine' });
    const bootedAfter = uptime();
    const local = await localDocument('/', 'this-machine');
    expect(remote.document).toEqual(local.document);
    expect(remote.document.packages.length).toBeGreaterThan(50);
    expect(remote.collected.complete).toBe(true);
    expect(remote.collected.skipped).toEqual(local.packages.skipped);
    expect(remote.collected.warnings.length).toBe(local.packages.warnings.length);
    const facts = await collectFacts({ root: '/' });
    // The same machine: the same facts, the uptime seconds apart at most, addresses read from
    // procfs as getifaddrs gives them, the serial as the agent reads it (both as root).
    expect({ ...remote.facts, uptimeSeconds: 0 }).toEqual({ ...facts, uptimeSeconds: 0 });
    expect(remote.facts.uptimeSeconds).toBeGreaterThanOrEqual(Math.floor(bootedBefore) - 1);
    expect(remote.facts.uptimeSeconds).toBeLessThanOrEqual(bootedAfter + 1);
    expect(remote.facts.ipAddresses?.length).toBeGreaterThan(0);
    // Every command is recorded, and none wrote anything: reads and look-ups only.
    expect(remote.commands.map((c) => c.argv[0]).sort()).toEqual(expect.arrayContaining(['cat', 'ls', 'readlink', 'test', 'uname', 'wc']));
    // rpm and find where there is something to ask them; without a marker, the reboot hint's clock, process 1 and dpkg-query.
    const optional = ['rpm', 'find', 'date', 'stat', 'dpkg-query'].filter((p) => remote.commands.some((c) => c.argv[0] === p));
    expect(new Set(remote.commands.map((c) => c.argv[0]))).toEqual(new Set(['cat', 'ls', 'readlink', 'test', 'uname', 'wc', ...optional]));
    if (local.packages.packages.some((p) => p.ecosystem === 'PyPI')) expect(remote.document.packages.some((p) => p.ecosystem === 'PyPI')).toBe(true);
  });

  it('reads a dpkg root and an apk root like the local collector', async () => {
    const roots: Record<string, string>[] = [
      { 'var/lib/dpkg/status': DPKG_STATUS, 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'etc/hostname': 'deb-image\n', 'etc/machine-id': `${'a'.repeat(32)}\n` },
      { 'lib/apk/db/installed': APK_INSTALLED, 'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.1\n' },
      // dpkg's journal of an unfinished run, and a distroless image's per-package files.
      {
        'var/lib/dpkg/status': DPKG_STATUS,
        'var/lib/dpkg/updates/0000': 'Package: libssl3\nStatus: install ok unpacked\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u3\n',
        'var/lib/dpkg/updates/tmp.i': 'Package: libssl3\nStatus: install ok installed\nVersion: 9\n',
        'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
      },
      { 'var/lib/dpkg/status.d/zlib1g': 'Package: zlib1g\nVersion: 1:1.2.13.dfsg-1\nArchitecture: amd64\n', 'var/lib/dpkg/status.d/zlib1g.md5sums': 'x  y\n', 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' },
      {
        'lib/apk/db/installed': APK_INSTALLED,
        'etc/os-release': 'ID=alpine\nVERSION_ID=3.20.1\n',
        'usr/lib/python3.12/site-packages/requests-2.32.3.dist-info/METADATA': 'Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\n\nVersion: 9 in the body\n',
        'usr/lib/python3.12/site-packages/six-1.16.0.egg-info': 'Metadata-Version: 1.1\nName: six\nVersion: 1.16.0\n',
        'usr/lib/python3.12/site-packages/broken-1.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: broken\n',
        'usr/lib/python3.12/site-packages/odd name-1.0.dist-info/METADATA': "Name: odd-name\nVersion: 1.0 it's $(fine)\n",
      },
    ];
    for (const files of roots) {
      const root = await makeTree({ files });
      const remote = await collectRemoteInventory(runner, { hostName: 'image', root });
      const local = await localDocument(root, 'image');
      expect(remote.document).toEqual(local.document);
      expect(remote.collected.warnings.map((w) => w.replace(`${runner.description}:`, ''))).toEqual(local.packages.warnings);
      expect(remote.facts).toEqual(await collectFacts({ root }));
    }
  });

  it.runIf(haveRpm || process.env.CI === 'true')('reads a real rpm database with the same query as the local collector', async () => {
    const { rpms, arch } = await buildTestRpms();
    const root = await rootWithRpmDb('/var/lib/rpm', rpms);
    await addToTree(root, { files: { 'etc/os-release': 'ID="almalinux"\nVERSION_ID="9.4"\n' } });
    const remote = await collectRemoteInventory(runner, { hostName: 'alma', root });
    expect([...remote.collected.packages].sort((a, b) => a.name.localeCompare(b.name))).toEqual(expectedTestRpms(arch));
    expect(remote.collected.packages).toEqual((await collectPackages({ root })).packages);
    expect(remote.document).toEqual((await localDocument(root, 'alma')).document);
    expect(remote.commands.find((c) => c.argv[0] === 'rpm')?.argv).toEqual(['rpm', '--root', root, '--dbpath', '/var/lib/rpm', '--define', '_db_backend sqlite', '-qa', '--qf', expect.stringContaining('%{NAME}')]);
  });

  it.runIf(haveRpm || process.env.CI === 'true')('leaves out the Python distributions rpm installed, as the local collector does', async () => {
    const root = await rootWithRpmDb('/usr/lib/sysimage/rpm', [await buildPythonRpm()]);
    await addToTree(root, {
      files: {
        'etc/os-release': 'ID="almalinux"\nVERSION_ID="9.4"\n',
        [`${RPM_PYTHON_DIST.slice(1)}/METADATA`]: 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.26.5\n',
        'usr/local/lib/python3.9/site-packages/urllib3-2.2.1.dist-info/METADATA': 'Metadata-Version: 2.1\nName: urllib3\nVersion: 2.2.1\n',
      },
    });
    const remote = await collectRemoteInventory(runner, { hostName: 'alma', root });
    const local = await localDocument(root, 'alma');
    expect(remote.document.packages.map((p) => `${p.ecosystem ?? 'rpm'} ${p.name} ${p.version}`)).toEqual(['rpm python3-urllib3 1.26.5-3.el9', 'PyPI urllib3 2.2.1']);
    expect(remote.document).toEqual(local.document);
    expect(remote.collected.skipped).toEqual(local.packages.skipped);
  });

  it('names the host and file when a database is malformed or unreadable', async () => {
    const malformed = await makeTree({ files: { 'var/lib/dpkg/status': 'Package: a\nStatus: install ok installed\nno colon here\n' } });
    await expect(collectRemoteInventory(runner, { hostName: 'x', root: malformed })).rejects.toMatchObject({
      code: 'PW_INPUT_MALFORMED',
      message: expect.stringContaining(`${runner.description}:${malformed}/var/lib/dpkg/status`),
    });
    const directory = await makeTree({ dirs: ['var/lib/dpkg/status'] });
    await expect(collectRemoteInventory(runner, { hostName: 'x', root: directory })).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('Is a directory') });
    await expect(collectRemoteInventory(runner, { hostName: 'x', root: 'relative/path' })).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
  });

  it('reads each fact of a root on its own, as the agent does: the ones it cannot read are null and listed', async () => {
    // Unreadable even for root: a directory, a symlink loop, an oversized file where files should be.
    const root = await makeTree({
      files: { 'var/lib/dpkg/status': DPKG_STATUS, 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n', 'etc/hostname': 'deb-image\n', 'etc/timezone': `${'x'.repeat(70_000)}\n` },
      dirs: ['etc/machine-id'],
      symlinks: { 'etc/localtime': 'localtime' },
    });
    const remote = await collectRemoteInventory(runner, { hostName: 'image', root });
    const problems: string[] = [];
    const local = await collectFacts({ root, onUnreadable: (fact, err) => problems.push(`${fact} ${err.code}`) });
    expect(remote.facts).toEqual(local);
    expect(remote.facts).toMatchObject({ hostname: 'deb-image', machineId: null, timezone: null, os: { id: 'debian', versionId: '12' } });
    expect(remote.unreadableFacts.map((u) => `${u.fact} ${u.error.code}`)).toEqual(problems);
    expect(remote.unreadableFacts.map((u) => u.error.message)).toEqual([
      expect.stringMatching(new RegExp(`^${runner.description}:${root}/etc/machine-id: cat failed \\(exit 1\\): .*Is a directory$`)),
      `${runner.description}:${root}/etc/timezone: exceeds the 65536-byte limit`,
    ]);
    // The packages are read whole all the same.
    expect(remote.document).toEqual(buildInventoryDocument(local, (await collectPackages({ root })).packages, { hostName: 'image' }));
  });

  it('says which fact was unreadable when the document cannot be built without it, and still fails for an unreadable database', async () => {
    const root = await makeTree({ files: { 'var/lib/dpkg/status': DPKG_STATUS }, dirs: ['etc/os-release'] });
    await expect(collectRemoteInventory(runner, { hostName: 'x', root })).rejects.toMatchObject({
      code: 'PW_INPUT_INVALID',
      message: expect.stringMatching(/no os-release to name their ecosystem \(fact os could not be read, reported as unknown: .*etc\/os-release: cat failed \(exit 1\): .*Is a directory\)$/),
    });
    const both = await makeTree({ files: { 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }, dirs: ['etc/machine-id', 'var/lib/dpkg/status'] });
    await expect(collectRemoteInventory(runner, { hostName: 'x', root: both })).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining(`${both}/var/lib/dpkg/status: cat failed`) });
  });

  it('refuses a database a runner returned cut short, rather than reporting packages as removed', async () => {
    const root = await makeTree({ files: { 'var/lib/dpkg/status': DPKG_STATUS.repeat(50).replaceAll('libssl3', 'p').replaceAll('removed-pkg', 'q'), 'etc/os-release': 'ID=debian\nVERSION_ID=12\n' } });
    // A runner that keeps only its usual 4 KiB whatever it is asked for (the real one, cut down).
    const stingy: CommandRunner = {
      description: runner.description,
      run: async (step, argv, options) => {
        const record = await runner.run(step, argv, options);
        return { ...record, stdout: record.stdout.slice(-4096) };
      },
    };
    await expect(collectRemoteInventory(stingy, { hostName: 'x', root })).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('wc -c') });
  });
});

describe.skipIf(skip)('collectRemoteInventory over SSH, with a login shell whose startup prints errors', () => {
  let sshd: TestSshd;
  let runner: SshRunner;
  beforeAll(async () => {
    // Every session's bash first says "…: /nonexistent/patchwise-env: No such file or directory",
    // as a startup file sourcing a file long gone (`. ~/.cargo/env`) does on many hosts.
    const startup = await makeTree({ files: { 'startup.sh': '. /nonexistent/patchwise-env\n' } });
    sshd = await startTestSshd({ setEnv: { BASH_ENV: `${startup}/startup.sh` } });
    runner = await SshRunner.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.clientPrivateKey, hostKeySha256: sshd.hostKeySha256 });
  });
  afterAll(async () => {
    await runner?.close();
    await sshd?.stop();
    await removeTrees();
  });

  it('still tells a file that cannot be read from one that is not there', async () => {
    const noisy = await runner.run('probe', ['true']);
    expect(noisy.stderr).toBe(''); // the shell's complaint came before the command: not its stderr
    const root = await makeTree({ files: { 'var/lib/dpkg/status': DPKG_STATUS, 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }, dirs: ['etc/machine-id'] });
    const remote = await collectRemoteInventory(runner, { hostName: 'image', root });
    expect(remote.unreadableFacts.map((u) => `${u.fact} ${u.error.code}`)).toEqual(['machineId PW_INPUT_UNREADABLE']);
    // An unreadable package database is an error, never "no database" (its packages would read as removed).
    const unreadableDb = await makeTree({ files: { 'etc/os-release': 'ID=debian\nVERSION_ID="12"\n' }, dirs: ['var/lib/dpkg/status'] });
    await expect(collectRemoteInventory(runner, { hostName: 'x', root: unreadableDb })).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('var/lib/dpkg/status: cat failed') });
  });
});
