/**
 * The inventory of a host the agent does not run on, read through a CommandRunner (SshRunner in
 * agentless mode): the same files and the same `rpm` query as the local collectors, handed to the
 * same parsers and the same document builder, so an agentless host's document is the one its
 * agent would send.
 *
 * What runs on the host, each as one argument vector with LC_ALL=C (messages are matched):
 * `cat` and `wc -c` of the files below, `ls -1Ap` of dpkg's `updates` and `status.d`, `ls -1A` of rpm's database directories, `rpm -qa --qf …`
 * when one holds a database, `uname -n -r -m`, `test -e` of the reboot markers, `readlink` of
 * /etc/localtime, `cat` of /proc/uptime, /proc/net/fib_trie, /proc/net/if_inet6 and the firmware
 * serial files; without a marker, `date +%s` and `cat /proc/1/stat`, then on Debian and Ubuntu
 * `dpkg-query -W -f='${Package}\t${db:Status-Status}\t${db-fsys:Last-Modified}\n' -- PATTERN…`, on rpm hosts
 * the `*.conf` files of /etc/dnf/plugins/needs-restarting.d and `rpm … -qa --qf '%{NAME}\t%{INSTALLTIME}\n' NAME…`; for Python distributions (python-packages.ts) `ls -1Ap` of the library
 * directories, `readlink -f` of the site directories, `cat` of each METADATA / PKG-INFO, and to
 * leave out those the system package manager installed, one `find … -name '*.list' -exec grep -Fxh
 * -e PATH… {} +` over dpkg's file lists and `rpm … -qa --qf '[%{FILENAMES}\n]'`.
 * Nothing is written.
 */
import { PatchwiseError, isPatchwiseError, type CommandRecord } from '@patchwise/core';
import type { CommandRunner } from '../execute/command-runner.js';
import { APK_INSTALLED, MAX_APK_DB_BYTES, apkPackagesFromText } from './apk-packages.js';
import { REBOOT_REQUIRED_FILES, SERIAL_FILES, SMALL_FILE, firmwareSerialOf, readHostnameFile, readMachineId, readOsFacts, readTimezone, rebootRequiredOf, type FactFiles } from './collect-facts.js';
import { combineCollected, systemOwners } from './collect-packages.js';
import type { CollectedPackages } from './collected-packages.js';
import { DPKG_INFO, collectDpkgPackages } from './dpkg-packages.js';
import { collectPythonPackages, type SystemOwners } from './python-packages.js';
import type { FactName, HostFacts, OsFacts } from './host-facts.js';
import { buildInventoryDocument, type InventoryDocument } from './inventory-document.js';
import { addressesFromProcNet } from './proc-net-addresses.js';
import { factReader, unreadableFactMessage, type OnUnreadableFact, type UnreadableFact } from './read-fact.js';
import { BOOT_TIME_COMMANDS, bootTimeOf, startAfterBootOf } from './boot-time.js';
import { DPKG_UNPACK_TIME_QUERY, dpkgRebootPackagesSince, isDpkgFamily } from './dpkg-reboot-hint.js';
import { rebootPackageNames, rpmInstallTimeArgs, updatedSinceBoot } from './rpm-reboot-hint.js';
import { RPM_DB_DIRS, RPM_FILES_QUERY, firstLines, ownedAmong, rpmDbArgs, rpmDbFormat, rpmPackagesFromOutput, rpmProgramMissing, rpmQueryArgs, type RpmDbFormat } from './rpm-packages.js';

export interface RemoteInventoryOptions {
  /** The document's host name: the name the host is registered under (its own may be `localhost`). */
  readonly hostName: string;
  /** A mounted image or chroot on that host instead of its `/` (facts about the running machine are then null). */
  readonly root?: string;
  /** Milliseconds each command may take (default 120 000: a cold rpm database on slow disks takes tens of seconds). */
  readonly timeoutMs?: number;
  /** Largest `rpm -qa` output accepted (default 64 MiB, as locally). */
  readonly rpmMaxBytes?: number;
}

export interface RemoteInventory {
  /** What an agent would send, built by `buildInventoryDocument`. */
  readonly document: InventoryDocument;
  /** Each fact read on its own, as the agent reads them: one that could not be read is null and listed in `unreadableFacts`. */
  readonly facts: HostFacts;
  /** The facts that could not be read (null in `facts`), in HostFacts' order, each with the error naming the file or command. */
  readonly unreadableFacts: readonly UnreadableFact[];
  /** The packages with their warnings and skipped counts; `complete: false` must not be stored as the host's truth. */
  readonly collected: CollectedPackages;
  /** Every command run, as the runner recorded it, in the order they finished (independent reads run at once). */
  readonly commands: readonly CommandRecord[];
}

const C_LOCALE = { LC_ALL: 'C' };
/**
 * Commands in flight at once: enough to hide round trips, well under OpenSSH's default
 * MaxSessions (10 channels per connection), which other users of the connection share.
 */
const PARALLEL_COMMANDS = 4;
/** How cat, ls and readlink (GNU and BusyBox) say a path is not there, in the C locale. */
const MISSING = /No such file or directory|Not a directory/;

/**
 * Whether a command failed because its path is not there. 126 and 127 are the shell's (or env's)
 * "cannot run" and "no such program", whose message also says "No such file or directory": a host
 * without `cat` must not look like a host without a package database, whose findings would all
 * close as fixed.
 */
function isMissing(record: CommandRecord): boolean {
  return record.exitCode !== null && record.exitCode !== 126 && record.exitCode !== 127 && MISSING.test(record.stderr);
}

/**
 * Collects facts and distribution packages of the host behind `runner`. Each fact is read on its
 * own, as the agent reads them (read-fact.ts): one that cannot be read is null and listed in
 * `unreadableFacts`, and the scan goes on. Throws like the local collectors (PW_INPUT_UNREADABLE,
 * PW_INPUT_MALFORMED, PW_INPUT_TOO_LARGE, each naming `runner.description` and the file) when a
 * package database exists but cannot be read whole, and PW_INPUT_INVALID when the document cannot
 * be built (see buildInventoryDocument; the message then adds the facts that could not be read).
 */
export async function collectRemoteInventory(runner: CommandRunner, options: RemoteInventoryOptions): Promise<RemoteInventory> {
  const remote = new RemoteReader(runner, normaliseRoot(options.root ?? '/'), options.timeoutMs ?? 120_000);
  const unreadable: UnreadableFact[] = [];
  const [facts, dpkg, rpm, apk, python] = await Promise.all([
    remote.facts((fact, error) => unreadable.push({ fact, error })),
    collectDpkgPackages({ readText: (rel, max) => remote.readDatabaseText(rel, max), listDir: (rel) => remote.listDir(rel), display: (rel) => remote.display(rel) }),
    remote.rpm(options.rpmMaxBytes ?? 64 * 1024 * 1024),
    remote.readDatabaseText(APK_INSTALLED, MAX_APK_DB_BYTES).then((text) => (text === undefined ? undefined : apkPackagesFromText(text, remote.display(APK_INSTALLED)))),
    collectPythonPackages(remote, systemOwners([remote.dpkgOwners(), remote.rpmOwners(options.rpmMaxBytes ?? 64 * 1024 * 1024)])),
  ]);
  const distro = { dpkg, rpm, apk };
  const collected = combineCollected(remote.display('/'), distro, python === undefined ? [] : [python]);
  // The reads ran at once; the list follows HostFacts' order so a report reads the same each time.
  const order = Object.keys(facts) as FactName[];
  const unreadableFacts = unreadable.sort((a, b) => order.indexOf(a.fact) - order.indexOf(b.fact));
  return { document: buildDocument(facts, collected, options.hostName, unreadableFacts), facts, unreadableFacts, collected, commands: remote.commands };
}

/**
 * buildInventoryDocument, whose refusal (packages but no os-release to name their ecosystem)
 * would otherwise blame a missing file when the file was there but could not be read.
 */
function buildDocument(facts: HostFacts, collected: CollectedPackages, hostName: string, unreadable: readonly UnreadableFact[]): InventoryDocument {
  try {
    return buildInventoryDocument(facts, collected.packages, { hostName });
  } catch (err) {
    if (!isPatchwiseError(err) || unreadable.length === 0) throw err;
    const why = unreadable.map((u) => unreadableFactMessage(u.fact, u.error)).join('; ');
    throw new PatchwiseError(err.code, `${err.message} (${why})`, { cause: err });
  }
}

/** Absolute, without `..` or empty segments, without a trailing slash (except `/` itself). */
function normaliseRoot(root: string): string {
  const segments = root.split('/').filter((s) => s !== '' && s !== '.');
  if (!root.startsWith('/') || segments.includes('..')) throw new PatchwiseError('PW_INPUT_INVALID', 'must be an absolute path without ..', { input: `root ${root}` });
  return `/${segments.join('/')}`;
}

/** Kept of /proc/net/fib_trie (its end, where the local table is) and if_inet6. */
const PROC_NET_BYTES = 1024 * 1024;

class RemoteReader implements FactFiles {
  readonly commands: CommandRecord[] = [];
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private uptimeRead: Promise<number> | undefined;

  constructor(
    private readonly runner: CommandRunner,
    private readonly root: string,
    private readonly timeoutMs: number,
  ) {}

  private get live(): boolean {
    return this.root === '/';
  }

  /** A path under the root as the host sees it. */
  private path(rel: string): string {
    return this.live ? rel : `${this.root}${rel}`;
  }

  /** `ssh:root@10.0.0.2:22:/var/lib/dpkg/status`, for messages. */
  display(rel: string): string {
    return `${this.runner.description}:${this.path(rel)}`;
  }

  private async run(step: string, argv: readonly string[], maxOutputBytes = SMALL_FILE + 1): Promise<CommandRecord> {
    // A finished command hands its slot to the next waiter directly, so the count never overshoots.
    if (this.running >= PARALLEL_COMMANDS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      const record = await this.runner.run(step, argv, { env: C_LOCALE, timeoutMs: this.timeoutMs, maxOutputBytes });
      this.commands.push(record);
      return record;
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /**
   * Facts as collectFacts reads them from a root, with the same file readers and each fact on its
   * own (factReader: one that cannot be read is null and goes to `onUnreadable`); the running
   * machine's only when the root is `/`. The reads are independent, so they share the connection
   * at once (one channel each).
   */
  async facts(onUnreadable: OnUnreadableFact): Promise<HostFacts> {
    const fact = factReader(onUnreadable);
    // One command answers three facts; when it fails, each of them is unknown and says why.
    const uname = this.live ? this.uname() : undefined;
    const os = fact('os', () => readOsFacts(this));
    const [hostname, machineId, osFacts, kernelRelease, architecture, rebootRequired, timezone, uptimeSeconds, ipAddresses, serialNumber] = await Promise.all([
      fact('hostname', async () => (uname ? (await uname).hostname : await readHostnameFile(this))),
      fact('machineId', () => readMachineId(this)),
      os,
      uname ? fact('kernelRelease', async () => (await uname).kernelRelease) : null,
      uname ? fact('architecture', async () => (await uname).architecture) : null,
      this.live ? fact('rebootRequired', async () => this.rebootRequired(await os)) : null,
      fact('timezone', () => readTimezone(this)),
      this.live ? fact('uptimeSeconds', async () => Math.floor(await this.uptime())) : null,
      this.live ? fact('ipAddresses', () => this.addresses()) : null,
      this.live ? this.serial() : null,
    ]);
    return { hostname, machineId, os: osFacts, kernelRelease, architecture, uptimeSeconds, ipAddresses, rebootRequired, serialNumber, timezone };
  }

  /** Seconds since boot, the first number of `/proc/uptime`: read once, for the fact and the reboot hints. */
  private uptime(): Promise<number> {
    this.uptimeRead ??= this.readUptime();
    return this.uptimeRead;
  }

  private async readUptime(): Promise<number> {
    const record = await this.run('facts: uptime', ['cat', '/proc/uptime']);
    if (record.exitCode !== 0) throw unreadable(this.display('/proc/uptime'), 'cat', record);
    const up = Number(/^\s*(\d+(?:\.\d+)?)\s/.exec(record.stdout)?.[1] ?? NaN);
    if (!Number.isFinite(up)) throw new PatchwiseError('PW_INPUT_MALFORMED', `${JSON.stringify(firstLines(record.stdout))} does not start with seconds since boot`, { input: this.display('/proc/uptime') });
    return up;
  }

  /** The host's addresses as the agent reports them, from procfs (addressesFromProcNet). */
  private async addresses(): Promise<string[]> {
    const [fibTrie, ifInet6] = await Promise.all([this.run('facts: IPv4 addresses', ['cat', '/proc/net/fib_trie'], PROC_NET_BYTES), this.run('facts: IPv6 addresses', ['cat', '/proc/net/if_inet6'], PROC_NET_BYTES)]);
    if (fibTrie.exitCode !== 0) throw unreadable(this.display('/proc/net/fib_trie'), 'cat', fibTrie);
    // A kernel without IPv6 has no if_inet6: no IPv6 addresses, not an unreadable fact.
    if (ifInet6.exitCode !== 0 && !isMissing(ifInet6)) throw unreadable(this.display('/proc/net/if_inet6'), 'cat', ifInet6);
    return addressesFromProcNet(fibTrie.stdout, ifInet6.exitCode === 0 ? ifInet6.stdout : '');
  }

  /**
   * The firmware serial from the files the agent reads (SERIAL_FILES), the first one readable;
   * none readable (absent in VMs, root-only on x86) is no serial, as for the agent, not a failure.
   */
  private async serial(): Promise<string | null> {
    for (const file of SERIAL_FILES) {
      const record = await this.run('facts: firmware serial', ['cat', '--', file]);
      if (record.exitCode === 0) return firmwareSerialOf(record.stdout);
    }
    return null;
  }

  /** `uname -n -r -m`: the running machine's name, kernel release and hardware name. */
  private async uname(): Promise<{ hostname: string | null; kernelRelease: string | null; architecture: string | null }> {
    const record = await this.run('facts: uname', ['uname', '-n', '-r', '-m']);
    if (record.exitCode !== 0) throw unreadable(this.runner.description, 'uname -n -r -m', record);
    const [hostname, kernelRelease, architecture] = record.stdout.trim().split(/\s+/);
    return { hostname: hostname || null, kernelRelease: kernelRelease || null, architecture: architecture || null };
  }

  /**
   * A marker file (`test -e`: 0 when one exists, 1 when none does, anything else a failure);
   * without one, on Debian and Ubuntu the packages unpacked since boot decide, on an rpm host
   * that keeps no marker those installed since boot (collectFacts' rule).
   */
  private async rebootRequired(os: OsFacts | null): Promise<boolean | null> {
    const marker = await this.run('facts: reboot marker', ['test', ...REBOOT_REQUIRED_FILES.flatMap((file, i) => [...(i > 0 ? ['-o'] : []), '-e', file])]);
    if (marker.exitCode !== 0 && marker.exitCode !== 1) throw unreadable(this.runner.description, `test -e ${REBOOT_REQUIRED_FILES.join(' -o -e ')}`, marker);
    if (marker.exitCode === 0) return true;
    if (isDpkgFamily(os)) return this.dpkgRebootHint();
    return rebootRequiredOf(false, os) ?? (await this.rpmRebootHint());
  }

  /**
   * When the host started (boot-time.ts), on its own clock: `date +%s`, the uptime and process 1's
   * start. Throws when the host does not answer the clock or the uptime (the fact is then
   * unknown, and says why); process 1's start only refines it.
   */
  private async bootTime(): Promise<number> {
    const [clock, up, processOne] = await Promise.all([this.run('facts: clock', [...BOOT_TIME_COMMANDS.clock]), this.uptime(), this.run('facts: start of process 1', [...BOOT_TIME_COMMANDS.processOne])]);
    if (clock.exitCode !== 0) throw unreadable(this.runner.description, 'date +%s', clock);
    const now = /^\d+$/.test(clock.stdout.trim()) ? Number(clock.stdout.trim()) : NaN;
    if (!Number.isFinite(now)) throw new PatchwiseError('PW_INPUT_MALFORMED', `date +%s printed ${JSON.stringify(firstLines(clock.stdout))}, not seconds since the epoch`, { input: this.runner.description });
    return bootTimeOf(now, up, processOne.exitCode === 0 ? startAfterBootOf(processOne.stdout) : null);
  }

  /** Whether a reboot package was unpacked since boot (see dpkgRebootPackagesSince: the agent's query and rule). */
  private async dpkgRebootHint(): Promise<boolean> {
    const [booted, listed] = await Promise.all([this.bootTime(), this.run('facts: packages awaiting a reboot', DPKG_UNPACK_TIME_QUERY)]);
    const answer = dpkgRebootPackagesSince(listed, booted);
    if (answer.ok) return answer.packages.length > 0;
    if (listed.exitCode !== 0 && listed.exitCode !== 1) throw unreadable(this.runner.description, 'dpkg-query', listed);
    throw new PatchwiseError('PW_INPUT_UNREADABLE', answer.why, { input: `${this.runner.description}: dpkg-query` });
  }

  /**
   * A package database file read whole, or undefined when it is not there. Its size is checked
   * against `wc -c` afterwards: a runner that kept less than asked, or a database rewritten
   * meanwhile, would otherwise look like removed packages.
   */
  async readDatabaseText(rel: string, maxBytes: number): Promise<string | undefined> {
    const text = await this.readText(rel, maxBytes);
    if (text === undefined) return undefined;
    const size = await this.run(`packages: size of ${rel}`, ['wc', '-c', '--', this.path(rel)]);
    const expected = Number(/^\s*(\d+)/.exec(size.stdout)?.[1] ?? NaN);
    // Invalid UTF-8 decodes to U+FFFD (3 bytes for 1), so the text may be longer, never shorter.
    if (size.exitCode !== 0 || !(Buffer.byteLength(text, 'utf8') >= expected)) {
      throw new PatchwiseError('PW_INPUT_UNREADABLE', `read ${Buffer.byteLength(text, 'utf8')} bytes but wc -c counts ${Number.isNaN(expected) ? 'none' : expected}: it changed while being read, or the output was cut; scan again`, { input: this.display(rel) });
    }
    return text;
  }

  /** The first of RPM_DB_DIRS that holds an rpm database, and its format. */
  private async findRpmDb(): Promise<{ dbPath: string; format: RpmDbFormat } | undefined> {
    for (const dir of RPM_DB_DIRS) {
      const listed = await this.run(`packages: look for an rpm database in ${dir}`, ['ls', '-1A', '--', this.path(dir)]);
      if (listed.exitCode !== 0) {
        if (isMissing(listed)) continue;
        throw unreadable(this.display(dir), 'ls', listed);
      }
      const format = rpmDbFormat(listed.stdout.split('\n'));
      if (format) return { dbPath: dir, format };
    }
    return undefined;
  }

  /**
   * Whether an rpm package that needs a reboot was installed since boot (see
   * rpmPackagesAwaitingReboot: the same names and query, the host's own clock, uptime and process
   * 1); null without an rpm database or rpm program. Throws, as the agent does, when the host
   * does not answer the clock, the uptime or the query (the fact is then unknown, and says why).
   */
  private async rpmRebootHint(): Promise<boolean | null> {
    const found = await this.findRpmDb();
    if (found === undefined) return null;
    const [booted, names] = await Promise.all([this.bootTime(), rebootPackageNames(this)]);
    const where = `rpm database ${this.display(found.dbPath)}`;
    const listed = await this.run('facts: packages awaiting a reboot', ['rpm', ...rpmDbArgs(this.root, found.dbPath, found.format.backend), ...rpmInstallTimeArgs(names)]);
    // 127: no rpm program, as locally (runRpmQuery): nothing to ask, not a failure.
    if (listed.exitCode === 127) return null;
    if (listed.exitCode !== 0) throw unreadable(where, 'rpm -qa', listed);
    return updatedSinceBoot(listed.stdout, booted).length > 0;
  }

  /** rpm's database, when one of RPM_DB_DIRS holds one (rpm on an empty directory would create one). */
  async rpm(maxBytes: number): Promise<CollectedPackages | undefined> {
    const found = await this.findRpmDb();
    if (found === undefined) return undefined;
    const { dbPath, format } = found;
    const where = `rpm database ${this.display(dbPath)}`;
    const listed = await this.run('packages: rpm -qa', ['rpm', ...rpmQueryArgs(this.root, dbPath, format.backend)], maxBytes + 1);
    // 127: the remote shell found no such program.
    if (listed.exitCode === 127) return rpmProgramMissing(where, 'rpm');
    if (listed.exitCode !== 0) throw unreadable(where, 'rpm -qa', listed);
    if (Buffer.byteLength(listed.stdout, 'utf8') > maxBytes) throw new PatchwiseError('PW_INPUT_TOO_LARGE', `rpm -qa printed more than ${maxBytes} bytes`, { input: where });
    return rpmPackagesFromOutput(listed.stdout, listed.stderr, where, `rpm -qa output for ${this.display(dbPath)}`, format);
  }

  /**
   * Python distribution paths dpkg installed (see dpkgOwners): one `find … -exec grep -Fxh -e PATH… {} +`
   * over the `.list` files, so hundreds of lists cost one command, not one each.
   */
  dpkgOwners(): SystemOwners {
    return async (paths) => {
      if (paths.length === 0) return { owned: new Set(), warnings: [] };
      const argv = ['find', this.path(DPKG_INFO), '-maxdepth', '1', '-type', 'f', '-name', '*.list', '-exec', 'grep', '-Fxh', ...paths.flatMap((p) => ['-e', p]), '{}', '+'];
      const found = await this.run('python: distributions dpkg installed', argv, 16 * 1024 * 1024);
      // grep exits 1 when a batch matched nothing, and find passes that on; a missing info
      // directory is a host without dpkg. Anything else is worth saying.
      const problem = found.stderr.trim() !== '' && !MISSING.test(found.stderr);
      return { owned: ownedAmong(paths, found.stdout), warnings: problem ? [`${this.display(DPKG_INFO)}: ${firstLines(found.stderr)}; the Python distributions dpkg installed may be reported as PyPI packages`] : [] };
    };
  }

  /** Python distribution paths rpm installed (see rpmOwners). */
  rpmOwners(maxBytes: number): SystemOwners {
    return async (paths) => {
      const found = paths.length === 0 ? undefined : await this.findRpmDb();
      if (found === undefined) return { owned: new Set(), warnings: [] };
      const listed = await this.run('python: files rpm installed', ['rpm', ...rpmDbArgs(this.root, found.dbPath, found.format.backend), ...RPM_FILES_QUERY], maxBytes + 1);
      if (listed.exitCode === 127) return { owned: new Set(), warnings: [] };
      if (listed.exitCode !== 0) return { owned: new Set(), warnings: [`rpm database ${this.display(found.dbPath)}: could not list the files rpm installed (${firstLines(listed.stderr)}); rpm-installed Python distributions are reported as PyPI packages`] };
      return { owned: ownedAmong(paths, listed.stdout), warnings: [] };
    };
  }

  /** A file's text (`cat`), or undefined when it does not exist; at most `maxBytes`. */
  async readText(rel: string, maxBytes: number): Promise<string | undefined> {
    const record = await this.run(`read ${rel}`, ['cat', '--', this.path(rel)], maxBytes + 1);
    if (record.exitCode !== 0) {
      if (isMissing(record)) return undefined;
      throw unreadable(this.display(rel), 'cat', record);
    }
    if (Buffer.byteLength(record.stdout, 'utf8') > maxBytes) throw new PatchwiseError('PW_INPUT_TOO_LARGE', `exceeds the ${maxBytes}-byte limit`, { input: this.display(rel) });
    return record.stdout;
  }

  /**
   * A directory's entries (`ls -1Ap`: a `/` marks directories; a symlink is not one, as for a
   * local Dirent), or undefined when the path is not a directory. Names with a newline would
   * split in two; no Python distribution directory has one.
   */
  async listDir(rel: string): Promise<{ name: string; isDirectory(): boolean }[] | undefined> {
    const record = await this.run(`list ${rel}`, ['ls', '-1Ap', '--', `${this.path(rel).replace(/\/$/, '')}/`], 16 * 1024 * 1024);
    if (record.exitCode !== 0) {
      if (isMissing(record)) return undefined;
      throw unreadable(this.display(rel), 'ls', record);
    }
    return record.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const directory = line.endsWith('/');
        const name = directory ? line.slice(0, -1) : line;
        return { name, isDirectory: () => directory };
      });
  }

  /**
   * The path with symlinks resolved (`readlink -f`), as the root sees it; undefined when it does
   * not resolve, or resolves outside a root other than `/` (the local collector would follow an
   * absolute link inside the root instead; see RootedFs).
   */
  async resolve(rel: string): Promise<{ rootPath: string } | undefined> {
    const record = await this.run(`resolve ${rel}`, ['readlink', '-f', '--', this.path(rel)]);
    const real = record.exitCode === 0 ? record.stdout.replace(/\n$/, '') : '';
    if (!real.startsWith('/')) return undefined;
    if (this.live) return { rootPath: real };
    return real === this.root || real.startsWith(`${this.root}/`) ? { rootPath: real.slice(this.root.length) || '/' } : undefined;
  }

  /**
   * A symbolic link's target, or undefined when the path is missing or not a link: readlink then
   * exits 1 (GNU and BusyBox print nothing without -v). Anything else (no readlink, a command
   * killed or cut off) is a failure to read, not an answer.
   */
  async readLink(rel: string): Promise<string | undefined> {
    const record = await this.run(`read link ${rel}`, ['readlink', '--', this.path(rel)]);
    if (record.exitCode === 0) return record.stdout.replace(/\n$/, '');
    if (record.exitCode === 1) return undefined;
    throw unreadable(this.display(rel), 'readlink', record);
  }
}

function unreadable(input: string, program: string, record: CommandRecord): PatchwiseError {
  const status = record.exitCode !== null ? `exit ${record.exitCode}` : record.signal !== null ? `killed (${record.signal})` : 'did not run';
  const why = firstLines(record.stderr);
  return new PatchwiseError('PW_INPUT_UNREADABLE', `${program} failed (${status})${why ? `: ${why}` : ''}`, { input });
}
