import type { InstalledPackage } from '../inventory/index.js';
import { ecosystemInfo } from '../versions/index.js';
import { matchTarget } from './match-target.js';

/**
 * The packages to assess on a host whose running kernel is known: kernel packages of other
 * kernel releases left out. Distributions keep old kernels installed after an update (dnf keeps
 * `installonly_limit` of them, apt keeps them until `autoremove`), so without this a kernel fix
 * would never show as fixed: the finding would follow the oldest kernel on disk, not the one
 * the host runs. A newer kernel installed but not yet booted is idle too, so a host patched but
 * not rebooted keeps its finding until it runs the fix.
 *
 * Conservative by design: packages are left out only when the running kernel is known and some
 * installed kernel package is positively the running one; otherwise (a mounted image, a
 * container, a kernel built by hand) every version is assessed. Returns `packages` itself when
 * nothing is left out, so hosts of one image keep sharing answers by position.
 *
 * - dpkg (Debian, Ubuntu): kernel packages carry their release in the name
 *   (`linux-image-6.1.0-18-amd64`, `linux-headers-6.1.0-18-common`, `linux-modules-5.15.0-91-generic`,
 *   `linux-headers-5.15.0-91`); those whose ABI (`6.1.0-18`, `5.15.0-91`, `6.12.12`, `6.6.13+bpo`)
 *   is not the running kernel's are idle.
 * - rpm: one name installed in several versions is an install-only package; for `kernel` and
 *   `kernel-*` names, the versions other than the running kernel's (`uname -r` is
 *   `version-release.arch`, or on SUSE the release without its last part and a flavour) are idle.
 *   Single-version names (`kernel-headers`, `kernel-tools`) are never touched.
 */
export function withoutIdleKernels(packages: readonly InstalledPackage[], runningKernel: string | undefined): readonly InstalledPackage[] {
  const idle = idlePackages(packages, runningKernel);
  return idle.size === 0 ? packages : packages.filter((p) => !idle.has(p));
}

/** A kernel installed beside the running one, as advisories name it (see idleKernels). */
export interface IdleKernel {
  readonly ecosystem: string;
  /** The name advisories use: the source package (`linux`) where the ecosystem's advisories name sources. */
  readonly package: string;
  readonly version: string;
}

/**
 * The kernels installed but not running (those withoutIdleKernels leaves out), one per matched
 * name: the newest version, in the ecosystem's order. A host that installed a kernel fix and did
 * not boot it yet has it here (see fixAwaitingBoot).
 */
export function idleKernels(packages: readonly InstalledPackage[], runningKernel: string | undefined): IdleKernel[] {
  const newest = new Map<string, IdleKernel>();
  for (const p of idlePackages(packages, runningKernel)) {
    const target = matchTarget(p);
    const key = `${p.ecosystem}\u001f${target.name}`;
    const seen = newest.get(key);
    if (!seen || isNewer(p.ecosystem, target.version, seen.version)) newest.set(key, { ecosystem: p.ecosystem, package: target.name, version: target.version });
  }
  return [...newest.values()];
}

/**
 * The installed version that fixes an open finding once the host boots it: an idle kernel of the
 * finding's ecosystem and package at or above its fixed version; undefined when there is none
 * (or the finding names no fix, or a version cannot be read).
 */
export function fixAwaitingBoot(finding: { readonly ecosystem: string; readonly package: string; readonly fixed?: string | null | undefined }, idle: readonly IdleKernel[]): string | undefined {
  const fixed = finding.fixed;
  if (!fixed) return undefined;
  const kernel = idle.find((k) => k.ecosystem === finding.ecosystem && k.package === finding.package);
  if (!kernel) return undefined;
  try {
    return compareIn(kernel.ecosystem, kernel.version, fixed) >= 0 ? kernel.version : undefined;
  } catch {
    return undefined;
  }
}

/** a after b; a version that cannot be read is never newer (matching reports it). */
function isNewer(ecosystem: string, a: string, b: string): boolean {
  try {
    return compareIn(ecosystem, a, b) > 0;
  } catch {
    return false;
  }
}

function compareIn(ecosystem: string, a: string, b: string): number {
  const scheme = ecosystemInfo(ecosystem).scheme;
  return scheme.compare(scheme.parse(a), scheme.parse(b));
}

/**
 * The kernel packages of other releases than the running one (see withoutIdleKernels); empty
 * when that cannot be told. Remembered for the last running kernel asked about each package list
 * (lists are never changed once read): an upload asks three times, for its assessment, its idle
 * kernels and its installed versions.
 */
function idlePackages(packages: readonly InstalledPackage[], runningKernel: string | undefined): ReadonlySet<InstalledPackage> {
  const memo = idleOf.get(packages);
  if (memo !== undefined && memo.runningKernel === runningKernel) return memo.idle;
  const idle = findIdle(packages, runningKernel);
  idleOf.set(packages, { runningKernel, idle });
  return idle;
}

const idleOf = new WeakMap<readonly InstalledPackage[], { readonly runningKernel: string | undefined; readonly idle: ReadonlySet<InstalledPackage> }>();

function findIdle(packages: readonly InstalledPackage[], runningKernel: string | undefined): Set<InstalledPackage> {
  const idle = new Set<InstalledPackage>();
  const running = runningKernel?.trim();
  if (!running) return idle;
  const runningAbi = abiOf(running);
  const families = new Map<string, Family | undefined>();
  const debianKernels: { pkg: InstalledPackage; abi: string }[] = [];
  const rpmKernels = new Map<string, InstalledPackage[]>();
  for (const p of packages) {
    // The name first: most packages are no kernel of either family, and need no ecosystem lookup.
    const name = p.name;
    const dpkgKernel = name.startsWith('linux-');
    if (!dpkgKernel && name !== 'kernel' && !name.startsWith('kernel-')) continue;
    let family = families.get(p.ecosystem);
    if (!families.has(p.ecosystem)) families.set(p.ecosystem, (family = familyOf(p.ecosystem)));
    if (family === 'dpkg') {
      const abi = dpkgKernel ? abiInName(name) : undefined;
      if (abi !== undefined) debianKernels.push({ pkg: p, abi });
    } else if (family === 'rpm' && !dpkgKernel) {
      const key = `${p.ecosystem}\u001f${p.name}`;
      const same = rpmKernels.get(key);
      if (same) same.push(p);
      else rpmKernels.set(key, [p]);
    }
  }
  if (runningAbi !== undefined && debianKernels.some((k) => k.abi === runningAbi)) {
    for (const k of debianKernels) if (k.abi !== runningAbi) idle.add(k.pkg);
  }
  for (const versions of rpmKernels.values()) {
    if (versions.length < 2 || !versions.some((p) => isRunningRpm(p.version, running))) continue;
    for (const p of versions) if (!isRunningRpm(p.version, running)) idle.add(p);
  }
  return idle;
}

type Family = 'dpkg' | 'rpm';

function familyOf(ecosystem: string): Family | undefined {
  try {
    const id = ecosystemInfo(ecosystem).scheme.id;
    return id === 'dpkg' || id === 'rpm' ? id : undefined;
  } catch {
    // An unknown ecosystem has no kernels to tell apart; matching reports it.
    return undefined;
  }
}

/**
 * A kernel release's ABI: the upstream version with Debian's ABI number or backports tag
 * (`6.1.0-18`, `5.15.0-1050`, `6.6.13+bpo`, `6.12.12`), without the flavour (`-amd64`,
 * `-generic`, `-cloud-amd64`), so a kernel's image, modules and headers agree.
 */
function abiOf(release: string): string | undefined {
  return /^\d+\.\d+\.\d+(?:-\d+)?(?:\+[a-z0-9.~]+)?/.exec(release)?.[0];
}

/** The ABI in a Debian or Ubuntu kernel package's name, from its first `X.Y.Z-` or `X.Y.Z+` part. */
function abiInName(name: string): string | undefined {
  const parts = name.split('-');
  for (let i = 2; i < parts.length; i++) {
    if (/^\d+\.\d+\.\d+(?:\+|$)/.test(parts[i] as string)) {
      const rest = parts.slice(i).join('-');
      // A release has something after its version (`-18`, `-amd64`, `+bpo`): `linux-kbuild-6.1` is not one.
      if (/^\d+\.\d+\.\d+[-+]/.test(rest)) return abiOf(rest);
    }
  }
  return undefined;
}

/** Whether an rpm `[E:]V-R` is the running kernel's `uname -r`. */
function isRunningRpm(version: string, running: string): boolean {
  const vr = version.slice(version.indexOf(':') + 1);
  if (running === vr || running.startsWith(`${vr}.`) || running.startsWith(`${vr}+`) || running.startsWith(`${vr}-`)) return true;
  // SUSE: kernel-default 5.14.21-150500.55.39.1 runs as 5.14.21-150500.55.39-default.
  const lastDot = vr.lastIndexOf('.');
  const dash = vr.lastIndexOf('-');
  return lastDot > dash && dash > 0 && running.startsWith(`${vr.slice(0, lastDot)}-`);
}
