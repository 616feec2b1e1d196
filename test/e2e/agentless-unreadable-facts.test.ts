/**
 * An agentless host some of whose facts cannot be read: a Debian clone served by a real sshd whose
 * sessions are chrooted into it (as in rollout-agentless.test.ts), with /etc/machine-id a symlink
 * loop, /etc/timezone a directory and no `uname` program. The scan reads what it can, as the agent
 * does (collectFacts with onUnreadable): the packages are stored, those facts are unknown, and the
 * reply, the registration and the server log say which and why. A package database that cannot
 * be read, or a host without `cat` (whose files would all look missing), still fails the scan and
 * stores nothing.
 *
 * Needs root, sshd, debootstrap and overlayfs (CI fails without them).
 */
import { mkdirSync, renameSync, rmSync, rmdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SshRunner, collectFacts, collectPackages, collectRemoteInventory } from '@patchwise/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedBeforeBoot } from './support/chroot-dpkg.js';
import { startE2eServer, type E2eServer } from './support/e2e-server.js';
import { cloneHost, type HostClone } from './support/host-clone.js';
import { missingAptHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';
import { startChrootedSshd, type ChrootedSshd } from './support/chrooted-sshd.js';
import { missingSshdPrerequisites, type TestSshd } from './support/test-sshd.js';

const skip = skipUnlessAvailable('the agentless unreadable-facts test', (await missingAptHostPrerequisites()) ?? (await missingSshdPrerequisites()));

interface AgentlessView {
  id: string;
  lastScanCode: string | null;
  lastScanError: string | null;
  lastScanWarnings: string[];
}

describe.skipIf(skip)('an agentless host whose facts cannot all be read', () => {
  let clone: HostClone;
  let sshd: TestSshd;
  let server: E2eServer;
  let hostId: string;
  const logged: string[] = [];
  let ssh: ChrootedSshd | undefined;
  const at = (rel: string) => join(clone.root, rel);

  beforeAll(async () => {
    clone = await cloneHost('odd-host');
    // Unreadable even for root: a symlink loop and a directory where files should be; and a
    // minimal image without uname.
    rmSync(at('etc/machine-id'));
    symlinkSync('machine-id', at('etc/machine-id'));
    rmSync(at('etc/timezone'), { force: true });
    mkdirSync(at('etc/timezone'));
    rmSync(at('usr/bin/uname'));
    // Its packages predate the boot its procfs tells, so no reboot is pending (dpkg-reboot-hint.ts).
    installedBeforeBoot(clone.root);
    ssh = await startChrootedSshd(clone.root, { procfs: true });
    sshd = ssh.sshd;
    server = await startE2eServer('pglite', { log: (line) => logged.push(line) });
    sshd.authorize((await server.api<{ publicKey: string }>('GET', '/api/v1/agentless/public-key')).body.publicKey);
    const registered = await server.api<{ id: string }>('POST', '/api/v1/agentless/hosts', { name: 'odd-host', address: sshd.host, port: sshd.port, user: 'root', hostKeySha256: sshd.hostKeySha256 });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    hostId = registered.body.id;
  }, 20 * 60_000);

  afterAll(async () => {
    await server?.close();
    await ssh?.stop();
    await clone?.dispose();
  });

  it('reads the packages whole and each fact on its own: the unreadable ones are null and listed with why', async () => {
    const runner = await SshRunner.connect({ host: sshd.host, port: sshd.port, username: sshd.user, privateKey: sshd.clientPrivateKey, hostKeySha256: sshd.hostKeySha256 });
    try {
      const remote = await collectRemoteInventory(runner, { hostName: 'odd-host' });
      // One command, three facts: each unknown, each saying why (env(1) runs the program, and finds none).
      const unameMissing = failed(`${runner.description}: uname -n -r -m failed (exit 127)`, "env: 'uname': No such file or directory");
      expect(remote.facts).toMatchObject({ hostname: null, machineId: null, kernelRelease: null, architecture: null, timezone: null, os: { id: 'debian', versionId: '12' }, rebootRequired: false });
      // Read from procfs, with cat alone: the running machine's uptime and addresses.
      expect(remote.facts.uptimeSeconds).toBeGreaterThan(0);
      expect(remote.facts.ipAddresses).toEqual((await collectFacts({ root: '/' })).ipAddresses);
      expect(remote.unreadableFacts.map((u) => [u.fact, u.error.code, u.error.message])).toEqual([
        ['hostname', 'PW_INPUT_UNREADABLE', unameMissing],
        ['machineId', 'PW_INPUT_UNREADABLE', failed(`${runner.description}:/etc/machine-id: cat failed (exit 1)`, 'cat: /etc/machine-id: Too many levels of symbolic links')],
        ['kernelRelease', 'PW_INPUT_UNREADABLE', unameMissing],
        ['architecture', 'PW_INPUT_UNREADABLE', unameMissing],
        ['timezone', 'PW_INPUT_UNREADABLE', failed(`${runner.description}:/etc/timezone: cat failed (exit 1)`, 'cat: /etc/timezone: Is a directory')],
      ]);
      // The packages are what the agent's collector reads from the same tree.
      const local = await collectPackages({ root: clone.root });
      expect(remote.collected.complete).toBe(true);
      expect(remote.collected.packages).toEqual(local.packages);
      expect(remote.document.packages.length).toBeGreaterThan(50);
      // The agent, on the same tree, finds the same files unreadable (uname is not its business there).
      const problems: string[] = [];
      const facts = await collectFacts({ root: clone.root, onUnreadable: (fact) => problems.push(fact) });
      expect(problems).toEqual(['machineId', 'timezone']);
      expect({ machineId: remote.facts.machineId, timezone: remote.facts.timezone, os: remote.facts.os }).toEqual({ machineId: facts.machineId, timezone: facts.timezone, os: facts.os });
    } finally {
      await runner.close();
    }
  });

  it('stores the scan with those facts unknown, and says so in the reply, on the registration, in the log and the audit trail', async () => {
    const scan = await server.api<{ stored: boolean; packages: number; warnings: string[] }>('POST', `/api/v1/agentless/hosts/${hostId}/scan`);
    expect(scan.status, JSON.stringify(scan.body)).toBe(200);
    expect(scan.body.stored).toBe(true);
    expect(scan.body.packages).toBeGreaterThan(50);
    const factWarnings = scan.body.warnings.filter((w) => w.startsWith('fact '));
    expect(factWarnings.map((w) => /^fact (\w+) could not be read, reported as unknown: /.exec(w)?.[1])).toEqual(['hostname', 'machineId', 'kernelRelease', 'architecture', 'timezone']);
    expect(factWarnings[1]).toEqual(failed(`fact machineId could not be read, reported as unknown: ssh:root@${sshd.host}:${sshd.port}:/etc/machine-id: cat failed (exit 1)`, 'cat: /etc/machine-id: Too many levels of symbolic links'));

    const listed = await server.api<{ hosts: AgentlessView[] }>('GET', '/api/v1/agentless/hosts');
    expect(listed.body.hosts.find((h) => h.id === hostId)).toMatchObject({ lastScanCode: null, lastScanError: null, lastScanWarnings: scan.body.warnings });
    const host = await server.api<{ packages: number; connectivity: string; facts: Record<string, unknown> }>('GET', `/api/v1/hosts/${hostId}`);
    expect(host.body).toMatchObject({ packages: scan.body.packages, connectivity: 'online' });
    expect(host.body.facts).toMatchObject({ hostname: 'odd-host', machineId: null, kernel: null, timezone: null, agentVersion: 'agentless', ips: expect.arrayContaining([expect.any(String)]), uptimeSeconds: expect.any(Number) });

    expect(logged.filter((l) => l.startsWith('warning: agentless scan of odd-host'))).toEqual(scan.body.warnings.map((w) => `warning: agentless scan of odd-host (${hostId}): ${w}`));
    const events = (await server.api<{ events: { action: string; target: { id: string }; details: Record<string, unknown> }[] }>('GET', '/api/v1/audit/events')).body.events;
    expect(events.find((e) => e.action === 'host.agentless.scan' && e.target.id === hostId)?.details).toMatchObject({ ok: true, unknownFacts: ['hostname', 'machineId', 'kernelRelease', 'architecture', 'timezone'] });
  });

  it('still fails, storing nothing, when the package database cannot be read, or no cat can read it', async () => {
    const before = (await server.api<{ packages: number }>('GET', `/api/v1/hosts/${hostId}`)).body.packages;
    expect(before).toBeGreaterThan(50);
    const expectRefused = async (message: unknown) => {
      const scan = await server.api<{ error: { code: string; message: string } }>('POST', `/api/v1/agentless/hosts/${hostId}/scan`);
      expect([scan.status, scan.body.error.code]).toEqual([400, 'PW_INPUT_UNREADABLE']);
      expect(scan.body.error.message).toEqual(message);
      const listed = await server.api<{ hosts: AgentlessView[] }>('GET', '/api/v1/agentless/hosts');
      expect(listed.body.hosts.find((h) => h.id === hostId)).toMatchObject({ lastScanCode: 'PW_INPUT_UNREADABLE', lastScanError: scan.body.error.message, lastScanWarnings: [] });
      expect((await server.api<{ packages: number }>('GET', `/api/v1/hosts/${hostId}`)).body.packages).toBe(before);
    };

    renameSync(at('var/lib/dpkg/status'), at('var/lib/dpkg/status.kept'));
    mkdirSync(at('var/lib/dpkg/status'));
    await expectRefused(failed(`ssh:root@${sshd.host}:${sshd.port}:/var/lib/dpkg/status: cat failed (exit 1)`, 'cat: /var/lib/dpkg/status: Is a directory'));
    rmdirSync(at('var/lib/dpkg/status'));
    renameSync(at('var/lib/dpkg/status.kept'), at('var/lib/dpkg/status'));

    // The shell's "No such file or directory" for a missing program is not a missing database:
    // read as one, the host would be stored with no packages and all its findings closed as fixed.
    renameSync(at('usr/bin/cat'), at('usr/bin/cat.kept'));
    try {
      // Whichever database read failed first: dpkg's or apk's (both read at once, each with cat).
      await expectRefused(expect.stringMatching(/^ssh:root@127\.0\.0\.1:\d+:\/(?:var\/lib\/dpkg\/status|lib\/apk\/db\/installed): cat failed \(exit 127\): .*env: 'cat': No such file or directory$/));
    } finally {
      renameSync(at('usr/bin/cat.kept'), at('usr/bin/cat'));
    }
  });
});

/**
 * A failure message: what failed, then the command's stderr. sshd (LogLevel VERBOSE, logging to
 * stderr with -e) also writes "Changed root directory to …" into a chrooted session's stderr,
 * before the command's own words; that line is the test server's, not the host's.
 */
function failed(what: string, stderr: string): unknown {
  return expect.stringMatching(new RegExp(`^${escape(what)}: (?:Changed root directory to "[^"]+" / )?${escape(stderr)}$`));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
