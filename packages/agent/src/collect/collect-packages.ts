/**
 * Everything installed under a root: the distribution's package database (dpkg, rpm or apk) and
 * system-wide Python distributions, as the `packages` of a Patchwise inventory v1 document.
 */
import { collectApkPackages } from './apk-packages.js';
import type { CollectedPackages } from './collected-packages.js';
import { collectDpkgPackages, dpkgOwners } from './dpkg-packages.js';
import { collectPythonPackages } from './python-packages.js';
import type { SystemOwners } from './python-packages.js';
import { RootedFs } from './rooted-fs.js';
import { collectRpmPackages, rpmOwners } from './rpm-packages.js';
import { runCommand } from './run-command.js';
import type { RunCommand } from './run-command.js';

export interface CollectPackagesOptions {
  /** The filesystem to inventory: `/` for this machine, or a mounted image / chroot. */
  readonly root: string;
  /** Runs programs (rpm); defaults to `execFile` without a shell. */
  readonly run?: RunCommand | undefined;
  /** The rpm program; default `rpm` from PATH. */
  readonly rpmCommand?: string | undefined;
  /** Milliseconds before `rpm -qa` is killed; default 120 000 (a cold rpmdb on slow disks takes tens of seconds). */
  readonly rpmTimeoutMs?: number | undefined;
  /** Largest `rpm -qa` output accepted; default 64 MiB (a 5,000-package host prints about 0.5 MB). */
  readonly rpmMaxBuffer?: number | undefined;
}

/**
 * Collects the packages under `options.root` (see each reader: collectDpkgPackages,
 * collectRpmPackages, collectApkPackages, collectPythonPackages). Paths never leave the root, even
 * through symlinks. Distribution entries carry no `ecosystem` (it is the host's); Python entries
 * carry `PyPI`.
 *
 * Throws (PW_INPUT_UNREADABLE, PW_INPUT_MALFORMED, PW_INPUT_TOO_LARGE, each naming the file) when
 * a distribution database exists but cannot be read: a snapshot without it would tell the server
 * that every package was removed; so does a database that exists but lists no package. Python
 * problems (a package's metadata, or a whole site directory, unreadable or behind a symlink out of
 * the root) and a missing rpm program are warnings instead (the latter with `complete: false`).
 */
export async function collectPackages(options: CollectPackagesOptions): Promise<CollectedPackages> {
  const fs = await RootedFs.open(options.root);
  const rpm = {
    run: options.run ?? runCommand,
    rpmCommand: options.rpmCommand ?? 'rpm',
    timeoutMs: options.rpmTimeoutMs ?? 120_000,
    maxBuffer: options.rpmMaxBuffer ?? 64 * 1024 * 1024,
  };
  const distro = {
    dpkg: await collectDpkgPackages(fs),
    rpm: await collectRpmPackages(fs, rpm),
    apk: await collectApkPackages(fs),
  };
  const python = await collectPythonPackages(fs, systemOwners([dpkgOwners(fs), rpmOwners(fs, rpm)]));

  return combineCollected(fs.root, distro, python === undefined ? [] : [python]);
}

/**
 * One answer from several package managers' answers: a path any of them installed is owned
 * (a Debian host with rpm installed to build packages has both databases). Each is asked only
 * about the paths the ones before did not claim.
 */
export function systemOwners(each: readonly SystemOwners[]): SystemOwners {
  return async (paths) => {
    const owned = new Set<string>();
    const warnings: string[] = [];
    for (const owners of each) {
      const left = paths.filter((p) => !owned.has(p));
      if (left.length === 0) break;
      const r = await owners(left);
      for (const p of r.owned) owned.add(p);
      warnings.push(...r.warnings);
    }
    return { owned, warnings };
  };
}

/**
 * One result from the distribution databases found under `root` (undefined: none there) and other
 * collectors' results. Several databases holding packages is worth a warning: the v1 document
 * puts every distribution package in the host's one ecosystem, and a second database (rpm
 * installed on Debian to build packages) is usually not the system's.
 */
export function combineCollected(
  root: string,
  distro: { readonly dpkg: CollectedPackages | undefined; readonly rpm: CollectedPackages | undefined; readonly apk: CollectedPackages | undefined },
  others: readonly CollectedPackages[],
): CollectedPackages {
  const found = Object.entries(distro).filter(([, r]) => r !== undefined && r.packages.length > 0);
  const warnings: string[] = [];
  if (found.length > 1) {
    warnings.push(`${root}: several package databases hold packages (${found.map(([k]) => k).join(', ')}); all are reported in the host's ecosystem`);
  }
  const parts = [distro.dpkg, distro.rpm, distro.apk, ...others].filter((r): r is CollectedPackages => r !== undefined);
  return {
    packages: parts.flatMap((r) => r.packages),
    warnings: [...warnings, ...parts.flatMap((r) => r.warnings)],
    skipped: parts.flatMap((r) => r.skipped),
    complete: parts.every((r) => r.complete),
  };
}
