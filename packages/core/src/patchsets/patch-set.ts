import { PatchwiseError } from '../errors/index.js';
import type { Priority } from '../risk/index.js';
import { schemeFor } from '../versions/index.js';

/** One package at one exact version: what a deployment installs. */
export interface PatchTarget {
  readonly ecosystem: string;
  readonly package: string;
  readonly version: string;
}

/** An advisory a patch set fixes, on how many hosts, at which priority (the highest seen). */
export interface PatchFix {
  readonly advisory: string;
  readonly ecosystem: string;
  readonly package: string;
  readonly priority: Priority;
  readonly hosts: number;
}

/**
 * An immutable, numbered list of target versions and what they fix. Deployments and promotions
 * name a patch set, so what was approved is exactly what runs.
 */
export interface PatchSet {
  readonly number: number;
  readonly name: string;
  readonly description: string;
  /** findings: open findings as filtered; baseline: those the hosts' baselines require now; manual: targets by hand. */
  readonly source: 'findings' | 'baseline' | 'manual';
  readonly targets: readonly PatchTarget[];
  readonly fixes: readonly PatchFix[];
  readonly createdAt: Date;
  readonly createdBy: { readonly id: string; readonly name: string | null };
}

/** What patch sets read of an open finding. */
export interface FixableFinding {
  readonly hostId: string;
  readonly advisory: string;
  readonly ecosystem: string | null;
  readonly package: string;
  readonly fixed: string | null;
  readonly priority: Priority;
}

const key = (ecosystem: string, pkg: string) => `${ecosystem}\u0000${pkg}`;
const RANK: Record<Priority, number> = { P1: 1, P2: 2, P3: 3, P4: 4 };

/** The fixes that findings have, by advisory and package: hosts counted, the highest priority kept. */
function fixesOf(findings: readonly FixableFinding[]): PatchFix[] {
  const byKey = new Map<string, { fix: PatchFix; hosts: Set<string> }>();
  for (const f of findings) {
    if (f.ecosystem === null) continue;
    const k = `${f.advisory}\u0000${key(f.ecosystem, f.package)}`;
    const entry = byKey.get(k) ?? { fix: { advisory: f.advisory, ecosystem: f.ecosystem, package: f.package, priority: f.priority, hosts: 0 }, hosts: new Set<string>() };
    entry.hosts.add(f.hostId);
    if (RANK[f.priority] < RANK[entry.fix.priority]) entry.fix = { ...entry.fix, priority: f.priority };
    byKey.set(k, entry);
  }
  return [...byKey.values()]
    .map(({ fix, hosts }) => ({ ...fix, hosts: hosts.size }))
    .sort((a, b) => RANK[a.priority] - RANK[b.priority] || a.package.localeCompare(b.package) || a.advisory.localeCompare(b.advisory));
}

/**
 * Targets that fix every given finding that has a fix: per (ecosystem, package), the highest
 * fixed version (compared in the ecosystem's own scheme), since installing it fixes all the
 * lower ones. Findings without a known fix are returned apart, never guessed at.
 */
export function patchSetFromFindings(findings: readonly FixableFinding[]): { targets: PatchTarget[]; fixes: PatchFix[]; unfixable: FixableFinding[] } {
  const best = new Map<string, PatchTarget>();
  const unfixable: FixableFinding[] = [];
  const fixable: FixableFinding[] = [];
  for (const f of findings) {
    if (f.fixed === null || f.ecosystem === null) {
      unfixable.push(f);
      continue;
    }
    fixable.push(f);
    const k = key(f.ecosystem, f.package);
    const current = best.get(k);
    const scheme = schemeFor(f.ecosystem);
    if (!current || scheme.compare(scheme.parse(f.fixed), scheme.parse(current.version)) > 0) best.set(k, { ecosystem: f.ecosystem, package: f.package, version: f.fixed });
  }
  const targets = [...best.values()].sort((a, b) => a.ecosystem.localeCompare(b.ecosystem) || a.package.localeCompare(b.package));
  return { targets, fixes: fixesOf(fixable), unfixable };
}

/**
 * What hand-written targets fix among open findings: a finding is fixed when a target names its
 * package (and ecosystem) at or above its fixed version. Each version is checked in its
 * ecosystem's scheme, so a target that is not a valid version is refused with its name.
 */
export function fixesOfTargets(targets: readonly PatchTarget[], findings: readonly FixableFinding[]): PatchFix[] {
  const byKey = new Map<string, PatchTarget>();
  for (const t of targets) {
    const k = key(t.ecosystem, t.package);
    if (byKey.has(k)) throw new PatchwiseError('PW_INPUT_INVALID', `targets: ${t.ecosystem} ${t.package} appears twice`);
    schemeFor(t.ecosystem).parse(t.version);
    byKey.set(k, t);
  }
  const fixed = findings.filter((f) => {
    if (f.ecosystem === null || f.fixed === null) return false;
    const t = byKey.get(key(f.ecosystem, f.package));
    if (!t) return false;
    const scheme = schemeFor(f.ecosystem);
    return scheme.compare(scheme.parse(t.version), scheme.parse(f.fixed)) >= 0;
  });
  return fixesOf(fixed);
}
