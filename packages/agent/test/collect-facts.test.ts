/** collectFacts on this machine and on fake roots. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { collectFacts } from '@patchwise/agent';
import type { FactsIo, RunCommand } from '@patchwise/agent';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTree, removeTrees } from './support/fake-root.js';

afterAll(removeTrees);

/** A running machine whose every answer is fixed, to see which ones a mounted root may use. */
const fixedIo: FactsIo = {
  hostname: () => 'live-host',
  kernelRelease: () => '6.1.0-18-amd64',
  machine: () => 'x86_64',
  uptime: () => 3600.7,
  networkInterfaces: () => ({
    lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
    eth0: [
      { address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.0.0.5/24' },
      { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
      { address: '2001:db8::5', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: '2001:db8::5/64', scopeid: 0 },
    ],
    eth1: [{ address: '10.0.0.5', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:02', internal: false, cidr: '10.0.0.5/24' }],
  }),
  bootTime: () => 1_700_000_000,
  firmwareSerial: () => 'CZ2150ABC7\0', // device-tree style, NUL-terminated
};

describe('collectFacts on a mounted root', () => {
  it('reads identity from files under the root and leaves running-machine facts null', async () => {
    const root = await makeTree({
      files: {
        'etc/hostname': '# set by the image builder\nweb-07\n',
        'etc/machine-id': '', // images ship it empty: fall back to dbus's copy
        'var/lib/dbus/machine-id': '0123456789ABCDEF0123456789abcdef\n',
        'usr/lib/os-release':
          'NAME="Ubuntu"\nVERSION_ID="22.04"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME="Ubuntu 22.04.4 LTS"\nVERSION_CODENAME=jammy\n',
        'run/reboot-required': '*** System restart required ***\n',
        'usr/share/zoneinfo/America/New_York': 'TZif',
      },
      symlinks: { 'etc/os-release': '../usr/lib/os-release', 'etc/localtime': '/usr/share/zoneinfo/posix/America/New_York' },
    });
    const facts = await collectFacts({ root, io: fixedIo });
    expect(facts).toEqual({
      hostname: 'web-07',
      machineId: '0123456789abcdef0123456789abcdef',
      os: { id: 'ubuntu', idLike: ['debian'], versionId: '22.04', prettyName: 'Ubuntu 22.04.4 LTS', versionCodename: 'jammy' },
      kernelRelease: null,
      architecture: null,
      uptimeSeconds: null,
      ipAddresses: null,
      rebootRequired: null,
      serialNumber: null,
      timezone: 'America/New_York',
    });
  });

  it('falls back to /usr/lib/os-release and UTC, and has nulls for what the root lacks', async () => {
    const root = await makeTree({
      files: {
        'usr/lib/os-release': "ID='almalinux'\nVERSION_ID=\"9.4\"\nPRETTY_NAME=\"AlmaLinux 9.4 (Seafoam Ocelot)\"\n",
        'etc/machine-id': 'uninitialized\n',
      },
    });
    const facts = await collectFacts({ root, io: fixedIo });
    expect(facts.hostname).toBeNull();
    expect(facts.machineId).toBeNull();
    expect(facts.os).toEqual({ id: 'almalinux', idLike: [], versionId: '9.4', prettyName: 'AlmaLinux 9.4 (Seafoam Ocelot)', versionCodename: null });
    expect(facts.timezone).toBe('UTC');
    expect((await collectFacts({ root: await makeTree({}), io: fixedIo })).os).toBeNull();
  });

  it('takes the zone /etc/localtime links to over a stale /etc/timezone, which is only the fallback', async () => {
    // `timedatectl set-timezone` relinks /etc/localtime and leaves /etc/timezone as it was.
    const root = await makeTree({ files: { 'etc/timezone': 'Etc/UTC\n' }, symlinks: { 'etc/localtime': '/usr/share/zoneinfo/Asia/Tokyo' } });
    expect((await collectFacts({ root })).timezone).toBe('Asia/Tokyo');
    // A copied zone file (not a link) names no zone: /etc/timezone does.
    const copied = await makeTree({ files: { 'etc/timezone': 'Europe/Berlin\n', 'etc/localtime': 'TZif2…' } });
    expect((await collectFacts({ root: copied })).timezone).toBe('Europe/Berlin');
    const odd = await makeTree({ files: { 'etc/timezone': '../../etc/shadow\n', 'etc/localtime': 'TZif2…' } });
    expect((await collectFacts({ root: odd })).timezone).toBe('UTC');
  });

  it('does not read through a symlink out of the root', async () => {
    const root = await makeTree({ symlinks: { 'etc/hostname': `${'../'.repeat(24)}etc/hostname` } });
    await expect(collectFacts({ root })).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('etc/hostname') });
  });

  it('with onUnreadable, reports each fact it cannot read as null and still reads the others', async () => {
    // Unreadable even for root (tests may run as root, for whom mode 000 is no obstacle): a
    // directory where a file should be, a symlink out of the root, an oversized file.
    const root = await makeTree({
      files: { 'etc/localtime': 'TZif2…', 'etc/timezone': `${'x'.repeat(70_000)}\n`, 'var/lib/dbus/machine-id': `${'a'.repeat(32)}\n` },
      dirs: ['etc/os-release', 'etc/machine-id'],
      symlinks: { 'etc/hostname': `${'../'.repeat(24)}etc/hostname` },
    });
    const problems: string[] = [];
    const facts = await collectFacts({ root, io: fixedIo, onUnreadable: (fact, err) => problems.push(`${fact} ${err.code} ${err.message}`) });
    // /etc/os-release refused: not the vendor file instead, and not the D-Bus copy of the id,
    // either of which may say something else than the file that takes precedence.
    expect(facts).toEqual({ ...MOUNTED_UNKNOWN, hostname: null, machineId: null, os: null, timezone: null });
    expect(problems).toEqual([
      expect.stringMatching(/^os PW_INPUT_UNREADABLE .*etc\/os-release: not a regular file$/),
      expect.stringMatching(/^hostname PW_INPUT_UNREADABLE .*etc\/hostname: a symlink or "\.\." leads outside the root; refused$/),
      expect.stringMatching(/^machineId PW_INPUT_UNREADABLE .*etc\/machine-id: not a regular file$/),
      expect.stringMatching(/^timezone PW_INPUT_TOO_LARGE .*etc\/timezone: \d+ bytes exceeds the 65536-byte limit$/),
    ]);
  });
});

/** A mounted root's running-machine facts: never known. */
const MOUNTED_UNKNOWN = { kernelRelease: null, architecture: null, uptimeSeconds: null, ipAddresses: null, rebootRequired: null, serialNumber: null };

describe('collectFacts on this machine (root /)', () => {
  it('uses the running machine through the injected io, and the files under /', async () => {
    const facts = await collectFacts({ root: '/', io: fixedIo });
    expect(facts.hostname).toBe('live-host');
    expect(facts.kernelRelease).toBe('6.1.0-18-amd64');
    expect(facts.architecture).toBe('x86_64');
    expect(facts.uptimeSeconds).toBe(3600);
    // Loopback, link-local and duplicates are left out; the rest sorted.
    expect(facts.ipAddresses).toEqual(['10.0.0.5', '2001:db8::5']);
    expect(facts.serialNumber).toBe('CZ2150ABC7');
  });

  it('reports no serial when the firmware gives none or gives bytes that are not one', async () => {
    for (const raw of [null, '', '  \n', 'bad\u0001serial', 'x'.repeat(129)]) {
      expect((await collectFacts({ root: '/', io: { ...fixedIo, firmwareSerial: () => raw } })).serialNumber).toBeNull();
    }
    // Placeholders are passed on as the firmware says them; the server's CMDB matching ignores them.
    expect((await collectFacts({ root: '/', io: { ...fixedIo, firmwareSerial: () => 'To be filled by O.E.M.\n' } })).serialNumber).toBe('To be filled by O.E.M.');
  });

  it('with onUnreadable, checks in without what the running machine refuses to say', async () => {
    // What Node throws when /proc is not mounted or getifaddrs fails: a plain system error.
    const refuse = (call: string) => () => {
      throw Object.assign(new Error(`ENOENT: no such file or directory, ${call}`), { code: 'ENOENT' });
    };
    const io: FactsIo = { ...fixedIo, uptime: refuse('uv_uptime'), networkInterfaces: refuse('uv_interface_addresses'), hostname: refuse('uv_os_gethostname') };
    const problems: string[] = [];
    const facts = await collectFacts({ root: '/', io, onUnreadable: (fact, err) => problems.push(`${fact} ${err.code} ${err.message}`) });
    expect(facts).toMatchObject({ hostname: null, uptimeSeconds: null, ipAddresses: null, kernelRelease: '6.1.0-18-amd64', architecture: 'x86_64', serialNumber: 'CZ2150ABC7' });
    expect(problems).toEqual([
      'hostname PW_INPUT_UNREADABLE os.hostname(): the running machine did not answer (ENOENT: no such file or directory, uv_os_gethostname)',
      'uptimeSeconds PW_INPUT_UNREADABLE os.uptime() (/proc/uptime): the running machine did not answer (ENOENT: no such file or directory, uv_uptime)',
      'ipAddresses PW_INPUT_UNREADABLE os.networkInterfaces(): the running machine did not answer (ENOENT: no such file or directory, uv_interface_addresses)',
    ]);
    // Without onUnreadable the refusal is a typed error naming the call, not a raw system error.
    await expect(collectFacts({ root: '/', io })).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('os.hostname()') });
  });

  it('reports the real machine', async () => {
    const facts = await collectFacts({ root: '/' });
    expect(facts.hostname).toBe(os.hostname());
    expect(facts.kernelRelease).toBe(os.release());
    expect(facts.architecture).toBe(os.machine());
    expect(facts.uptimeSeconds).toBeGreaterThan(0);
    expect(Array.isArray(facts.ipAddresses)).toBe(true);
    expect(facts.ipAddresses).not.toContain('127.0.0.1');
    const machineId = await readFile('/etc/machine-id', 'utf8').catch(() => undefined);
    if (machineId?.trim().match(/^[0-9a-f]{32}$/)) expect(facts.machineId).toBe(machineId.trim());
    expect(facts.os).not.toBeNull();
    expect(facts.os?.id).toMatch(/^[a-z0-9._-]+$/);
    expect(facts.timezone).toMatch(/^[A-Za-z0-9_+-]+(\/[A-Za-z0-9_+-]+)*$/);
    if (facts.os?.id === 'debian' || facts.os?.id === 'ubuntu') expect(typeof facts.rebootRequired).toBe('boolean');
  });
});

describe('collectFacts: a pending reboot on a Debian or Ubuntu machine without a marker', () => {
  it('asks dpkg-query which reboot packages were unpacked since io.bootTime()', async () => {
    const booted = fixedIo.bootTime();
    const asked: string[][] = [];
    const dpkg = (kernelUnpacked: number) => ({
      timeoutMs: 30_000,
      maxBuffer: 1024 * 1024,
      // execFile's way of saying exit 1 (a pattern matched nothing): a rejection carrying the output.
      run: ((file, args) => {
        asked.push([file, ...args]);
        return Promise.reject(Object.assign(new Error('Command failed'), { code: 1, stdout: `linux-image-6.1.0-18-amd64\tinstalled\t${kernelUnpacked}\n`, stderr: 'dpkg-query: no packages found matching dbus-broker\n' }));
      }) satisfies RunCommand,
    });
    const after = await collectFacts({ root: '/', io: fixedIo, dpkg: dpkg(booted + 60) });
    const before = await collectFacts({ root: '/', io: fixedIo, dpkg: dpkg(booted - 60) });
    // The machine the tests run on decides which rule applies; each case is checked.
    const marker = ['/run/reboot-required', '/var/run/reboot-required', '/run/reboot-needed'].some((f) => existsSync(f));
    const dpkgFamily = [after.os?.id, ...(after.os?.idLike ?? [])].some((id) => id === 'debian' || id === 'ubuntu');
    if (marker) {
      expect([after.rebootRequired, before.rebootRequired]).toEqual([true, true]);
      expect(asked).toEqual([]);
    } else if (dpkgFamily) {
      expect([after.rebootRequired, before.rebootRequired]).toEqual([true, false]);
      expect(asked.map((argv) => argv.slice(0, 5))).toEqual(Array(2).fill(['dpkg-query', '-W', '-f=${Package}\\t${db:Status-Status}\\t${db-fsys:Last-Modified}\\n', '--', 'linux-image-*']));
    } else {
      expect(asked).toEqual([]);
    }
  });
});
