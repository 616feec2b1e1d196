/**
 * Host facts: who the host is (name, machine id, distribution) from files under the root, and,
 * only when the root is this machine's own `/`, what the running machine says about itself
 * (kernel, architecture, uptime, addresses, pending reboot). The running-machine calls come in
 * through `FactsIo` so tests can fix them.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { NetworkInterfaceInfo } from 'node:os';
import { PatchwiseError, parseOsReleaseText } from '@patchwise/core';
import type { HostFacts, OsFacts } from './host-facts.js';
import { factReader, type OnUnreadableFact } from './read-fact.js';
import { RootedFs } from './rooted-fs.js';
import { dpkgPackagesAwaitingReboot, isDpkgFamily, type DpkgQueryOptions } from './dpkg-reboot-hint.js';
import { bootTimeOf, startAfterBootOf } from './boot-time.js';
import { rpmPackagesAwaitingReboot } from './rpm-reboot-hint.js';
import type { RpmOptions } from './rpm-packages.js';
import { runCommand } from './run-command.js';

/** The running machine, as Node reports it. Injected so tests control it. */
export interface FactsIo {
  hostname(): string;
  /** `uname -r`. */
  kernelRelease(): string;
  /** `uname -m`. */
  machine(): string;
  /** Seconds since boot (may be fractional). */
  uptime(): number;
  /** When the running system started, in seconds since the epoch (see nodeFactsIo). */
  bootTime(): number;
  networkInterfaces(): NodeJS.Dict<NetworkInterfaceInfo[]>;
  /** The firmware's serial number text as the kernel exposes it, or null when none is readable. */
  firmwareSerial(): string | null;
}

/**
 * x86 firmware (SMBIOS) publishes the serial in sysfs, readable by root only; device-tree
 * machines (ARM boards, POWER) publish it NUL-terminated. Either may be absent (VMs, containers).
 */
export const SERIAL_FILES = ['/sys/class/dmi/id/product_serial', '/sys/firmware/devicetree/base/serial-number'];

function readFirmwareSerial(): string | null {
  for (const file of SERIAL_FILES) {
    try {
      return readFileSync(file, 'latin1');
    } catch {
      // Missing, or not root: try the next source, and report none rather than fail the check-in.
    }
  }
  return null;
}

/** See boot-time.ts; /proc/1/stat unreadable (no procfs) leaves the uptime. */
function bootTime(): number {
  let processOne: number | null = null;
  try {
    processOne = startAfterBootOf(readFileSync('/proc/1/stat', 'latin1'));
  } catch {
    // Without procfs the uptime is all there is.
  }
  return bootTimeOf(Date.now() / 1000, os.uptime(), processOne);
}

/** The real machine, from `node:os`. */
export const nodeFactsIo: FactsIo = {
  hostname: () => os.hostname(),
  kernelRelease: () => os.release(),
  machine: () => os.machine(),
  uptime: () => os.uptime(),
  bootTime,
  networkInterfaces: () => os.networkInterfaces(),
  firmwareSerial: readFirmwareSerial,
};

export interface CollectFactsOptions {
  /** The filesystem to describe: `/` for this machine, or a mounted image / chroot. */
  readonly root: string;
  /** The running machine; defaults to `nodeFactsIo`. Consulted only when `root` is `/`. */
  readonly io?: FactsIo | undefined;
  /**
   * Given, each fact is read on its own: one that cannot be read is null and reported here with
   * its reason, and the others are still collected (the agent checks in with what it could read
   * rather than looking offline). Without it the first fact that cannot be read throws.
   */
  readonly onUnreadable?: OnUnreadableFact | undefined;
  /** How rpm is asked which packages await a reboot (rpm-based hosts); `rpm` from PATH by default. */
  readonly rpm?: RpmOptions | undefined;
  /** How dpkg-query is asked which packages await a reboot (Debian and Ubuntu); `dpkg-query` from PATH by default. */
  readonly dpkg?: DpkgQueryOptions | undefined;
}

/** Asking rpm for a few install times takes well under a second; a hung rpm must not hold the check-in. */
const DEFAULT_RPM: RpmOptions = { run: runCommand, rpmCommand: 'rpm', timeoutMs: 30_000, maxBuffer: 1024 * 1024 };
/** The same for dpkg-query: a few lines (one per kernel installed) out of the status file. */
const DEFAULT_DPKG: DpkgQueryOptions = { run: runCommand, timeoutMs: 30_000, maxBuffer: 1024 * 1024 };

/** Facts files are a line or a few dozen; anything bigger is not what it claims to be. */
export const SMALL_FILE = 64 * 1024;
/** os-release(5) files, in order of precedence. */
export const OS_RELEASE_FILES = ['/etc/os-release', '/usr/lib/os-release'] as const;
/** machine-id(5), and the D-Bus copy older systems keep. */
export const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'] as const;
const MACHINE_ID = /^[0-9a-f]{32}$/;
/** IANA zone names: `UTC`, `Europe/Berlin`, `America/Argentina/Buenos_Aires`, `Etc/GMT+5`. */
const ZONE_NAME = /^[A-Za-z0-9_+-]+(?:\/[A-Za-z0-9_+-]+)*$/;

/**
 * Collects the facts of the host at `root` (docs on each field of HostFacts).
 * Throws PW_INPUT_UNREADABLE when the root is not a directory. A fact that cannot be read (a facts
 * file that is a symlink leading outside the root, not a regular file or refused by the system:
 * PW_INPUT_UNREADABLE; an oversized one: PW_INPUT_TOO_LARGE; the running machine refusing an
 * answer, such as an unreadable /proc/uptime: PW_INPUT_UNREADABLE) goes to `onUnreadable` and is
 * null, or without `onUnreadable` throws; each error names the file or call.
 */
export async function collectFacts(options: CollectFactsOptions): Promise<HostFacts> {
  const fs = await RootedFs.open(options.root);
  const io = options.io ?? nodeFactsIo;
  const live = fs.isHostRoot;
  const fact = factReader(options.onUnreadable);
  const osFacts = await fact('os', () => readOsFacts(fs));
  return {
    hostname: await fact('hostname', async () => (live ? ask('os.hostname()', () => io.hostname()) || null : await readHostnameFile(fs))),
    machineId: await fact('machineId', () => readMachineId(fs)),
    os: osFacts,
    kernelRelease: live ? await fact('kernelRelease', () => ask('os.release()', () => io.kernelRelease())) : null,
    architecture: live ? await fact('architecture', () => ask('os.machine()', () => io.machine())) : null,
    uptimeSeconds: live ? await fact('uptimeSeconds', () => Math.floor(ask('os.uptime() (/proc/uptime)', () => io.uptime()))) : null,
    ipAddresses: live ? await fact('ipAddresses', () => interfaceAddresses(ask('os.networkInterfaces()', () => io.networkInterfaces()))) : null,
    rebootRequired: live ? await fact('rebootRequired', () => readRebootRequired(fs, osFacts, io, options)) : null,
    serialNumber: live ? await fact('serialNumber', () => firmwareSerialOf(ask('firmware serial', () => io.firmwareSerial()))) : null,
    timezone: await fact('timezone', () => readTimezone(fs)),
  };
}

/**
 * One answer of the running machine. Node's `os` calls throw plain system errors (an unreadable
 * /proc/uptime, a failing getifaddrs); they become PW_INPUT_UNREADABLE naming the call, so they
 * are told apart from bugs.
 */
function ask<T>(what: string, call: () => T): T {
  try {
    return call();
  } catch (err) {
    throw new PatchwiseError('PW_INPUT_UNREADABLE', `the running machine did not answer (${err instanceof Error ? err.message : String(err)})`, { input: what, cause: err });
  }
}

/**
 * What the facts kept in files are read through: RootedFs here, the agentless reader over SSH
 * (collect-remote-inventory.ts), so both apply the same files, fallbacks and refusals. Each
 * throws a PatchwiseError naming the file when it exists but cannot be read.
 */
export interface FactFiles {
  /** A file's text, or undefined when it does not exist; PW_INPUT_TOO_LARGE above `maxBytes`. */
  readText(rel: string, maxBytes: number): Promise<string | undefined>;
  /** A symlink's target, unresolved, or undefined when the path is missing or not a link. */
  readLink(rel: string): Promise<string | undefined>;
}

/** The distribution, or null when neither os-release file exists. */
export async function readOsFacts(fs: FactFiles): Promise<OsFacts | null> {
  // os-release(5): /etc/os-release takes precedence; /usr/lib/os-release is the vendor fallback.
  const text = (await fs.readText(OS_RELEASE_FILES[0], SMALL_FILE)) ?? (await fs.readText(OS_RELEASE_FILES[1], SMALL_FILE));
  return text === undefined ? null : osFactsFromText(text);
}

/** The distribution facts of an os-release file's text (read here, or over SSH). */
export function osFactsFromText(text: string): OsFacts {
  const f = parseOsReleaseText(text);
  const get = (k: string): string | null => {
    const v = f.get(k)?.trim();
    return v ? v : null;
  };
  return {
    id: (get('ID') ?? 'linux').toLowerCase(),
    idLike: (get('ID_LIKE') ?? '').split(/\s+/).filter((s) => s !== ''),
    versionId: get('VERSION_ID'),
    prettyName: get('PRETTY_NAME'),
    versionCodename: get('VERSION_CODENAME'),
  };
}

/** The first name in the root's /etc/hostname (facts of a mounted root). */
export async function readHostnameFile(fs: FactFiles): Promise<string | null> {
  const text = await fs.readText('/etc/hostname', SMALL_FILE);
  return text === undefined ? null : hostnameFromText(text);
}

/** hostname(5): one name; lines starting with `#` are comments. */
export function hostnameFromText(text: string): string | null {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    // A host name has no blanks or control characters and at most 253 characters (RFC 1035).
    return /^[^\s\p{Cc}]{1,253}$/u.test(line) ? line : null;
  }
  return null;
}

/**
 * machine-id(5), else the D-Bus copy. Container images often ship /etc/machine-id empty, and first
 * boot may leave `uninitialized`; neither identifies a machine, so both fall through to the copy
 * (and then null). Only /etc/machine-id's own failure makes the id unknown: falling back to the
 * D-Bus copy then could report a stale id, which the server takes for another machine (quarantine).
 */
export async function readMachineId(fs: FactFiles): Promise<string | null> {
  return (await readMachineIdFile(fs, MACHINE_ID_FILES[0])) ?? (await readMachineIdFile(fs, MACHINE_ID_FILES[1]));
}

async function readMachineIdFile(fs: FactFiles, file: string): Promise<string | null> {
  const text = await fs.readText(file, SMALL_FILE);
  return text === undefined ? null : machineIdFromText(text);
}

/** A machine-id file's id: 32 lower-case hex digits, or null when empty, `uninitialized` or malformed. */
export function machineIdFromText(text: string): string | null {
  const id = text.trim().toLowerCase();
  return MACHINE_ID.test(id) ? id : null;
}

function interfaceAddresses(ifaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string[] {
  const out = new Set<string>();
  for (const list of Object.values(ifaces)) {
    for (const a of list ?? []) {
      if (a.internal || isLoopback(a.address)) continue;
      if (a.family === 'IPv6' && /^fe[89ab]/i.test(a.address)) continue;
      out.add(a.address);
    }
  }
  return [...out].sort();
}

/** Printable ASCII, at most 128 characters, once the NUL terminator and blanks are trimmed; else no serial. */
export function firmwareSerialOf(raw: string | null): string | null {
  const s = raw?.replace(/\0+$/, '').trim();
  return s && /^[\x20-\x7e]{1,128}$/.test(s) ? s : null;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

/**
 * A marker file means a reboot is pending wherever it is found: Ubuntu's update-notifier,
 * unattended-upgrades' kernel hook and others touch /run/reboot-required, SUSE's zypper
 * /run/reboot-needed. Its absence proves nothing on Debian and Ubuntu, where nothing creates it
 * unless those hooks are installed: there the packages unpacked since boot decide
 * (dpkg-reboot-hint.ts). SUSE's zypper always leaves its marker, so its absence is the answer. On
 * other rpm-based systems the packages installed since boot decide, as `dnf needs-restarting -r`
 * decides (rpmPackagesAwaitingReboot). apk and unknown systems get null rather than a guess.
 */
async function readRebootRequired(fs: RootedFs, osFacts: OsFacts | null, io: FactsIo, options: CollectFactsOptions): Promise<boolean | null> {
  for (const file of REBOOT_REQUIRED_FILES) if (await fs.exists(file)) return true;
  const bootTime = () => ask('the boot time (os.uptime(), /proc/uptime)', () => io.bootTime());
  if (isDpkgFamily(osFacts)) return (await dpkgPackagesAwaitingReboot(options.dpkg ?? DEFAULT_DPKG, bootTime())).length > 0;
  const byMarker = rebootRequiredOf(false, osFacts);
  if (byMarker !== null) return byMarker;
  const awaiting = await rpmPackagesAwaitingReboot(fs, options.rpm ?? DEFAULT_RPM, bootTime());
  return awaiting === null ? null : awaiting.length > 0;
}

/** The files whose presence means a reboot is pending (Debian and Ubuntu; SUSE's zypper; anyone who touches one). */
export const REBOOT_REQUIRED_FILES = ['/run/reboot-required', '/var/run/reboot-required', '/run/reboot-needed'] as const;

/**
 * Whether a reboot is pending as far as the marker files tell, given whether a
 * REBOOT_REQUIRED_FILES entry exists: true when one does; false when none does on a family whose
 * package manager always leaves one (SUSE); null otherwise, Debian and Ubuntu included, where
 * only optional hooks create it (see readRebootRequired).
 */
export function rebootRequiredOf(markerExists: boolean, osFacts: OsFacts | null): boolean | null {
  if (markerExists) return true;
  const family = osFacts ? [osFacts.id, ...osFacts.idLike] : [];
  return family.some((id) => MARKER_FAMILIES.has(id)) ? false : null;
}

/** os-release IDs of the families whose package manager itself leaves a marker when a reboot is pending (libzypp). */
const MARKER_FAMILIES = new Set(['suse', 'opensuse', 'sles', 'sled']);

/**
 * The C library takes the zone from /etc/localtime, which systemd and Debian's tzdata make a link
 * to `…/zoneinfo/<zone>` (read as a link, not followed: only its name matters), so that link is
 * the truth. /etc/timezone is Debian's older copy of the name, which `timedatectl set-timezone`
 * does not update, so it goes stale; it is used only when /etc/localtime names no zone (a copied
 * zone file, whose name is recorded nowhere else). Without either the C library uses UTC, so UTC
 * is the truth, not a guess.
 */
export async function readTimezone(fs: FactFiles): Promise<string> {
  return timezoneOf(await fs.readText('/etc/timezone', SMALL_FILE), await fs.readLink('/etc/localtime'));
}

/** The zone from `/etc/timezone`'s text and the `/etc/localtime` link's target, either possibly absent (see readTimezone). */
export function timezoneOf(text: string | undefined, target: string | undefined): string {
  const at = target?.lastIndexOf('zoneinfo/') ?? -1;
  if (target !== undefined && at >= 0) {
    // `posix/` and `right/` are variants of the same zones (without and with leap seconds).
    const zone = target.slice(at + 'zoneinfo/'.length).replace(/^(?:posix|right)\//, '');
    if (ZONE_NAME.test(zone)) return zone;
  }
  const named = text
    ?.split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (named !== undefined && ZONE_NAME.test(named)) return named;
  return 'UTC';
}
