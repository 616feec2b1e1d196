/**
 * Jobs executed by the agent against real apt and dpkg: each test host is an overlay clone of a
 * Debian bookworm minbase tree whose apt sees only a local repository of test packages (see
 * support/local-apt-repository.ts), and every command runs inside it through ChrootRunner.
 * What is installed is read back with the host's own dpkg-query and dpkg.log, never with the
 * driver under test.
 *
 * Needs root, debootstrap, overlayfs and dpkg-dev (CI fails without them; elsewhere the suite is
 * skipped). The Debian tree is built once per machine and shared; clones take milliseconds.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { JobJournal, RecordingRunner, collectRemoteInventory, executeJob, type CommandRunner } from '@patchwise/agent';
import { PatchwiseError, type JobManifest } from '@patchwise/core';
import { aptJob, dpkgState, installsLogged, jobHarness } from './support/apt-job-fixtures.js';
import { installedBeforeBoot } from './support/chroot-dpkg.js';
import { exec } from './support/exec-file.js';
import { cloneHost, type HostClone } from './support/host-clone.js';
import { UNHEALTHY_CHECK, approved, localAptRepository, type LocalAptRepository } from './support/local-apt-repository.js';
import { missingAptHostPrerequisites, skipUnlessAvailable } from './support/prerequisites.js';

const skip = skipUnlessAvailable('the agent execution end-to-end test', await missingAptHostPrerequisites());

describe.skipIf(skip)('executeJob with real apt and dpkg in Debian chroots', () => {
  let repo: LocalAptRepository;
  let layer: string;
  const hosts: HostClone[] = [];

  beforeAll(async () => {
    repo = await localAptRepository();
    layer = await repo.layer();
  }, 20 * 60_000);

  afterEach(async () => {
    for (const host of hosts.splice(0)) await host.dispose();
  });

  afterAll(async () => {
    await repo?.dispose();
  });

  async function host(name: string): Promise<HostClone> {
    const clone = await cloneHost(name, { layers: [layer] });
    hosts.push(clone);
    return clone;
  }

  it('starts every host with 1.0 of the test packages from the local repository only', async () => {
    const h = await host('fresh');
    for (const name of ['pw-hello', 'pw-broken', 'pw-unhealthy', 'pw-kernel', 'linux-image-pw-test']) expect(await dpkgState(h, name)).toEqual({ abbrev: 'ii', version: '1.0' });
    expect(await dpkgState(h, 'pw-extra')).toEqual({ abbrev: 'absent', version: null });
    expect(readFileSync(`${h.root}/etc/apt/sources.list.d/pw-repo.list`, 'utf8')).toBe('deb [trusted=yes] file:/srv/pw-repo ./\n');
    expect(existsSync(`${h.root}/etc/apt/sources.list`)).toBe(false);
  });

  it('installs exactly 1.1, then a rollback job brings back exactly 1.0', async () => {
    const h = await host('hello');
    const { deps } = jobHarness(h);
    const report = await executeJob(aptJob([{ name: 'pw-hello', version: '1.1' }]), deps);
    expect(report).toMatchObject({ outcome: 'succeeded', previous: [{ name: 'pw-hello', version: '1.0' }], after: [{ name: 'pw-hello', version: '1.1' }], failure: null });
    expect(await dpkgState(h, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.1' });
    expect(report.commands.filter((c) => c.step === 'install').map((c) => c.argv.slice(0, 2).join(' '))).toEqual(['apt-get update', 'apt-get install']);
    const install = report.commands.find((c) => c.step === 'install' && c.argv[1] === 'install');
    expect(install?.argv).toEqual([
      'apt-get',
      'install',
      '-y',
      '--allow-downgrades',
      '-o',
      'Dpkg::Options::=--force-confdef',
      '-o',
      'Dpkg::Options::=--force-confold',
      'pw-hello=1.1',
    ]);
    expect(install?.exitCode).toBe(0);

    const back = await executeJob(aptJob(report.previous, { action: 'rollback' }), deps);
    expect(back).toMatchObject({ outcome: 'succeeded', previous: [{ name: 'pw-hello', version: '1.1' }], after: [{ name: 'pw-hello', version: '1.0' }] });
    expect(await dpkgState(h, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.0' });
    expect(readFileSync(`${h.root}/usr/share/pw-hello/version`, 'utf8')).toBe('1.0\n');
  });

  it('removes on restore a package that was absent before the job', async () => {
    const h = await host('extra');
    const { deps } = jobHarness(h);
    const added = await executeJob(aptJob([{ name: 'pw-extra', version: '1.0' }]), deps);
    expect(added).toMatchObject({ outcome: 'succeeded', previous: [{ name: 'pw-extra', version: null }] });
    expect(await dpkgState(h, 'pw-extra')).toEqual({ abbrev: 'ii', version: '1.0' });

    const back = await executeJob(aptJob(added.previous, { action: 'rollback' }), deps);
    expect(back).toMatchObject({ outcome: 'succeeded', after: [{ name: 'pw-extra', version: null }] });
    expect(back.commands.map((c) => c.argv.slice(0, 2).join(' '))).toContain('apt-get remove');
    expect(['absent', 'rc']).toContain((await dpkgState(h, 'pw-extra')).abbrev);
  });

  it('installs a version published after the host last read its package lists', async () => {
    const h = await host('published-later');
    // apt's `file:` method reads a local index in place, so its lists are never stale; `copy:`
    // keeps a copy, as lists fetched from a mirror are. Read once, then the mirror publishes 1.2.
    writeFileSync(`${h.root}/etc/apt/sources.list.d/pw-repo.list`, 'deb [trusted=yes] copy:/srv/pw-repo ./\n');
    expect((await h.runner.run('setup', ['apt-get', 'update'])).exitCode).toBe(0);
    await repo.publishInto(h.root, { name: 'pw-hello', version: '1.2', files: { '/usr/share/pw-hello/version': '1.2\n' }, preinstalled: true });
    expect((await h.runner.run('setup', ['apt-cache', 'madison', 'pw-hello'])).stdout).not.toContain('1.2');
    const { deps } = jobHarness(h);
    const report = await executeJob(aptJob([{ name: 'pw-hello', version: '1.2' }]), deps);
    expect(report, JSON.stringify(report.commands.map((c) => [c.argv.slice(0, 2), c.exitCode, c.stderr.slice(-200)]))).toMatchObject({ outcome: 'succeeded', after: [{ name: 'pw-hello', version: '1.2' }] });
    expect(await dpkgState(h, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.2' });
  });

  it('rolls back pw-broken 1.1, whose postinst fails, to exactly 1.0 and reports the failed command', async () => {
    const h = await host('broken');
    const { deps } = jobHarness(h);
    const report = await executeJob(aptJob([{ name: 'pw-broken', version: '1.1' }]), deps);
    expect(report).toMatchObject({ outcome: 'rolled-back', rollbackFailed: false, after: [{ name: 'pw-broken', version: '1.0' }] });
    expect(report.failure?.step).toBe('install');
    const failed = report.commands.find((c) => c.step === 'install' && c.argv[1] === 'install');
    expect(failed?.exitCode).toBe(100);
    expect(failed?.stderr).toContain('pw-broken 1.1: postinst fails on purpose');
    expect(failed?.stderr).toMatch(/post-installation script subprocess returned error exit status 1/);
    expect(report.failure?.message).toContain('exit 100');
    // The half-configured 1.1 was replaced by 1.0 through apt-get's downgrade, with real dpkg.
    expect(await dpkgState(h, 'pw-broken')).toEqual({ abbrev: 'ii', version: '1.0' });
    expect(report.commands.filter((c) => c.step === 'rollback').map((c) => c.exitCode)).toContain(0);
  });

  it('rolls back a transaction killed mid-postinst (dpkg interrupted) to exactly 1.0', async () => {
    const h = await host('killed');
    const { deps } = jobHarness(h, { runner: shortInstallTimeout(h.runner, 3_000) });
    const report = await executeJob(aptJob([{ name: 'pw-slow', version: '1.1' }]), deps);
    expect(report).toMatchObject({ outcome: 'rolled-back', rollbackFailed: false, failure: { step: 'install' }, after: [{ name: 'pw-slow', version: '1.0' }] });
    const killed = report.commands.find((c) => c.step === 'install' && c.argv[1] === 'install');
    expect(killed).toMatchObject({ exitCode: null, signal: 'SIGKILL' });
    expect(killed?.stderr).toContain('killed after 3000 ms (timeout)');
    // The whole process group died with apt-get (else dpkg would still hold its lock), and apt
    // refused to work on an interrupted dpkg until `dpkg --configure -a` had run.
    const rollback = report.commands.filter((c) => c.step === 'rollback').map((c) => `${c.argv.slice(0, 3).join(' ')} → ${String(c.exitCode)}`);
    expect(rollback.slice(0, 3)).toEqual(['apt-get install -y → 100', 'dpkg --configure -a → 0', 'apt-get install -y → 0']);
    expect(report.commands.find((c) => c.step === 'rollback')?.stderr).toContain('dpkg was interrupted');
    expect(await dpkgState(h, 'pw-slow')).toEqual({ abbrev: 'ii', version: '1.0' });
  });

  it('rolls back pw-unhealthy 1.1 to exactly 1.0 when the post-check script rejects it', async () => {
    const h = await host('unhealthy');
    const { deps } = jobHarness(h);
    const report = await executeJob(aptJob([{ name: 'pw-unhealthy', version: '1.1' }], { postChecks: [{ kind: 'script', script: UNHEALTHY_CHECK }] }), deps);
    expect(report).toMatchObject({ outcome: 'rolled-back', failure: { step: 'post-check' }, after: [{ name: 'pw-unhealthy', version: '1.0' }] });
    expect(report.failure?.message).toContain('pw-unhealthy reports: unhealthy');
    expect(await dpkgState(h, 'pw-unhealthy')).toEqual({ abbrev: 'ii', version: '1.0' });
    expect(readFileSync(`${h.root}/usr/share/pw-unhealthy/status`, 'utf8')).toBe('healthy\n');
    const check = report.commands.find((c) => c.step === 'post-check');
    expect(check?.argv).toEqual(['/bin/sh', '-c', UNHEALTHY_CHECK.body, UNHEALTHY_CHECK.name]);
  });

  it('rolls back when an HTTP post-check answers another status than expected', async () => {
    const h = await host('http');
    const server: Server = createServer((_req, res) => res.writeHead(503).end('down'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/health`;
      const report = await executeJob(aptJob([{ name: 'pw-hello', version: '1.1' }], { postChecks: [{ kind: 'http', url, timeoutMs: 5_000 }] }), jobHarness(h).deps);
      expect(report).toMatchObject({ outcome: 'rolled-back', failure: { step: 'post-check', message: `${url} answered 503, expected 2xx` } });
      expect(report.commands.find((c) => c.argv[0] === 'GET')).toMatchObject({ argv: ['GET', url], exitCode: 1, stdout: 'HTTP 503\n' });
      expect(await dpkgState(h, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.0' });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('reboots once for pw-kernel 1.1 under if-required, and never under never', async () => {
    const ifRequired = await host('kernel-a');
    const a = jobHarness(ifRequired);
    const rebooted = await executeJob(aptJob([{ name: 'pw-kernel', version: '1.1' }], { reboot: 'if-required' }), a.deps);
    expect(rebooted).toMatchObject({ outcome: 'succeeded', rebootRequired: true, rebooted: true });
    expect(a.reboots()).toBe(1);
    expect(existsSync(`${ifRequired.root}/run/reboot-required`)).toBe(true);

    const never = await host('kernel-b');
    const b = jobHarness(never);
    const kept = await executeJob(aptJob([{ name: 'pw-kernel', version: '1.1' }], { reboot: 'never' }), b.deps);
    expect(kept).toMatchObject({ outcome: 'succeeded', rebootRequired: true, rebooted: false });
    expect(b.reboots()).toBe(0);

    // pw-hello raises no flag: if-required does not reboot.
    const quiet = await host('kernel-c');
    const c = jobHarness(quiet);
    expect(await executeJob(aptJob([{ name: 'pw-hello', version: '1.1' }], { reboot: 'if-required' }), c.deps)).toMatchObject({ rebootRequired: false, rebooted: false });
    expect(c.reboots()).toBe(0);
  });

  /** A host as a running system: /proc mounted (the uptime and process 1 date its boot), every package installed before that boot. */
  async function runningHost(name: string): Promise<HostClone> {
    const clone = await host(name);
    installedBeforeBoot(clone.root);
    await exec('mount', ['-t', 'proc', 'proc', join(clone.root, 'proc')]);
    return clone;
  }

  it('on plain Debian (no marker, ever), reboots under if-required after a kernel image upgrade, and not after another package', async () => {
    const kernel = await runningHost('image-a');
    const a = jobHarness(kernel);
    const report = await executeJob(aptJob([{ name: 'linux-image-pw-test', version: '1.1' }], { reboot: 'if-required' }), a.deps);
    expect(report).toMatchObject({ outcome: 'succeeded', rebootRequired: true, rebooted: true, failure: null });
    expect(a.reboots()).toBe(1);
    for (const marker of ['run/reboot-required', 'var/run/reboot-required']) expect(existsSync(join(kernel.root, marker))).toBe(false);
    // dpkg's own record of the unpack, after the boot the host's /proc gives.
    expect(report.commands.filter((c) => c.step === 'reboot-check').map((c) => c.argv.join(' ')).slice(0, 4)).toEqual(['test -e /var/run/reboot-required', 'date +%s', 'cat /proc/uptime', 'cat /proc/1/stat']);
    expect(report.commands.find((c) => c.argv[0] === 'dpkg-query' && c.step === 'reboot-check')?.stdout).toMatch(/^linux-image-pw-test\tinstalled\t\d+$/m);
    // The check-in fact says the same (read here as the agentless collector reads a host; the agent on its own `/` applies the same rule).
    expect((await collectRemoteInventory(kernel.runner, { hostName: kernel.name })).facts.rebootRequired).toBe(true);

    const other = await runningHost('image-b');
    const b = jobHarness(other);
    expect(await executeJob(aptJob([{ name: 'pw-hello', version: '1.1' }], { reboot: 'if-required' }), b.deps)).toMatchObject({ outcome: 'succeeded', rebootRequired: false, rebooted: false, failure: null });
    expect(b.reboots()).toBe(0);
    expect((await collectRemoteInventory(other.runner, { hostName: other.name })).facts.rebootRequired).toBe(false);

    // A tree without /proc (a chroot, a mounted image) runs nothing that could hold the old kernel: the marker alone decides there.
    const tree = await host('image-c');
    const c = jobHarness(tree);
    expect(await executeJob(aptJob([{ name: 'linux-image-pw-test', version: '1.1' }], { reboot: 'if-required' }), c.deps)).toMatchObject({ outcome: 'succeeded', rebootRequired: false, rebooted: false, failure: null });
  });

  it('applies a job delivered twice once, and returns the same report', async () => {
    const h = await host('twice');
    const harness = jobHarness(h);
    const job = aptJob([{ name: 'pw-hello', version: '1.1' }]);
    const first = await executeJob(job, harness.deps);
    const recorder = new RecordingRunner(h.runner);
    const second = await executeJob(job, { ...harness.deps, runner: recorder });
    expect(second).toEqual(first);
    expect(recorder.records).toEqual([]);
    expect(installsLogged(h, 'pw-hello', '1.1')).toBe(1);
    // A fresh journal object over the same state directory (an agent restart) still knows the job.
    const third = await executeJob(job, { ...harness.deps, journal: new JobJournal(harness.stateDir) });
    expect(third).toEqual(first);
    expect(installsLogged(h, 'pw-hello', '1.1')).toBe(1);
    const file = new JobJournal(harness.stateDir).pathOf(job.idempotencyKey);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // Another manifest under the same key is refused, not silently answered with the old report.
    await expect(executeJob({ ...job, targets: [{ name: 'pw-hello', version: '1.0' }] }, harness.deps)).rejects.toMatchObject({ code: 'PW_CONFLICT' });
  });

  it('after a crash mid-install, a re-delivery restores the ORIGINAL versions, not the half-applied ones', async () => {
    const h = await host('crash');
    const harness = jobHarness(h);
    const job = aptJob([{ name: 'pw-unhealthy', version: '1.1' }], { postChecks: [{ kind: 'script', script: UNHEALTHY_CHECK }] });
    // The agent dies right after apt-get finished: 1.1 is on disk, no report was written.
    await expect(executeJob(job, { ...harness.deps, runner: crashAfterInstall(h.runner) })).rejects.toThrow('simulated crash');
    expect(await dpkgState(h, 'pw-unhealthy')).toEqual({ abbrev: 'ii', version: '1.1' });
    const entry = await harness.deps.journal.get(job.idempotencyKey);
    expect(entry).toMatchObject({ state: 'started', attempts: 1, previous: [{ name: 'pw-unhealthy', version: '1.0' }] });

    // Re-delivered to a restarted agent (fresh journal object, same state directory).
    const report = await executeJob(job, { ...harness.deps, journal: new JobJournal(harness.stateDir) });
    expect(report).toMatchObject({ outcome: 'rolled-back', previous: [{ name: 'pw-unhealthy', version: '1.0' }], after: [{ name: 'pw-unhealthy', version: '1.0' }] });
    expect(await dpkgState(h, 'pw-unhealthy')).toEqual({ abbrev: 'ii', version: '1.0' });
    expect(await harness.deps.journal.get(job.idempotencyKey)).toMatchObject({ state: 'finished', attempts: 2 });
  });

  it('rolls an interrupted job back to the original versions when it is re-delivered after its expiry', async () => {
    const h = await host('expired');
    const harness = jobHarness(h);
    const job = aptJob([{ name: 'pw-hello', version: '1.1' }]);
    await expect(executeJob(job, { ...harness.deps, runner: crashAfterInstall(h.runner) })).rejects.toThrow('simulated crash');
    const late = () => new Date(Date.parse(job.expiresAt) + 1000);
    const report = await executeJob(job, { ...harness.deps, clock: late });
    expect(report).toMatchObject({ outcome: 'rolled-back', failure: { step: 'resume' }, after: [{ name: 'pw-hello', version: '1.0' }] });
    expect(report.commands.some((c) => c.step === 'install')).toBe(false);
    expect(await dpkgState(h, 'pw-hello')).toEqual({ abbrev: 'ii', version: '1.0' });
    // A job never started is refused once expired.
    const neverStarted = aptJob([{ name: 'pw-hello', version: '1.1' }], { expiresAt: job.expiresAt });
    await expect(executeJob(neverStarted, { ...harness.deps, clock: late })).rejects.toMatchObject({ code: 'PW_MANIFEST_REJECTED' });
  });

  it('ends with failed and changes nothing when a pre-check fails', async () => {
    const h = await host('precheck');
    const { deps } = jobHarness(h);
    const report = await executeJob(aptJob([{ name: 'pw-hello', version: '1.1' }], { preChecks: [{ kind: 'script', script: approved('maintenance-off', 'echo "maintenance flag set" >&2\nexit 1\n') }] }), deps);
    expect(report).toMatchObject({ outcome: 'failed', rollbackFailed: false, failure: { step: 'pre-check' }, after: [{ name: 'pw-hello', version: '1.0' }] });
    expect(report.failure?.message).toContain('maintenance flag set');
    expect(report.commands.map((c) => c.step)).toEqual(['query', 'pre-check']);
    expect(installsLogged(h, 'pw-hello', '1.1')).toBe(0);
  });

  it('refuses names and versions with shell metacharacters before any command runs', async () => {
    const h = await host('hostile');
    const harness = jobHarness(h);
    const recorder = new RecordingRunner(h.runner);
    const deps = { ...harness.deps, runner: recorder };
    const hostile: [JobManifest['targets'][number], RegExp][] = [
      [{ name: 'pw-hello;touch /pwned', version: '1.1' }, /"pw-hello;touch \/pwned": not a valid Debian package name/],
      [{ name: '$(touch /pwned)', version: '1.1' }, /not a valid Debian package name/],
      [{ name: '-oAPT::Get::Trivial-Only=true', version: '1.1' }, /not a valid Debian package name/],
      [{ name: 'pw-hello', version: '1.1 pw-extra=1.0' }, /"pw-hello": version "1.1 pw-extra=1.0": contains a blank/],
      [{ name: 'pw-hello', version: '-1.1' }, /"pw-hello": version "-1.1"/],
    ];
    for (const [target, message] of hostile) {
      const job = aptJob([target]);
      const err = await executeJob(job, deps).catch((e: unknown) => e);
      expect(err, JSON.stringify(target)).toBeInstanceOf(PatchwiseError);
      expect(err).toMatchObject({ code: 'PW_INPUT_INVALID', message: expect.stringMatching(message) });
      expect(await harness.deps.journal.get(job.idempotencyKey)).toBeUndefined();
    }
    // A script whose body is not the one its hash names is refused the same way.
    const tampered = { ...UNHEALTHY_CHECK, body: `${UNHEALTHY_CHECK.body}touch /pwned\n` };
    await expect(executeJob(aptJob([{ name: 'pw-hello', version: '1.1' }], { postSteps: [tampered] }), deps)).rejects.toMatchObject({ code: 'PW_INPUT_INVALID' });
    expect(recorder.records).toEqual([]);
    expect(existsSync(`${h.root}/pwned`)).toBe(false);
  });
});

/** The host's runner, except that the first `apt-get install` is killed after `timeoutMs`. */
function shortInstallTimeout(inner: CommandRunner, timeoutMs: number): CommandRunner {
  let first = true;
  return {
    description: inner.description,
    run: (step, argv, options) => {
      const shorten = first && argv[0] === 'apt-get' && argv[1] === 'install';
      if (shorten) first = false;
      return inner.run(step, argv, shorten ? { ...options, timeoutMs } : options);
    },
  };
}

/** The host's runner, except that the process "dies" (throws) once apt-get install has finished. */
function crashAfterInstall(inner: CommandRunner): CommandRunner {
  return {
    description: inner.description,
    run: async (step, argv, options) => {
      const record = await inner.run(step, argv, options);
      if (argv[0] === 'apt-get' && argv[1] === 'install') throw new Error('simulated crash');
      return record;
    },
  };
}
