import type { AdvisoryType, Severity } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';
import { atOrAbove, type Priority } from '../risk/index.js';
import { schemeFor } from '../versions/index.js';
import type { ApprovalRule, PackageHold, PatchBaseline } from './patch-baseline.js';

/**
 * What a baseline says about a finding's fix: `approved` (required now), `pending` (a rule will
 * approve it on `approvesAt`), `unapproved` (no rule approves it), `rejected` (on the reject
 * list) or `held` (a hold pins the package below the fix).
 */
export type BaselineState = 'approved' | 'pending' | 'unapproved' | 'rejected' | 'held';

export interface BaselineDecision {
  readonly state: BaselineState;
  /** When a rule approves it (past for approved-by-rule, future for pending); null otherwise. */
  readonly approvesAt: Date | null;
  readonly reason: string;
}

/** What the decision reads of a finding. */
export interface DecidableFinding {
  readonly advisory: string;
  readonly aliases: readonly string[];
  readonly type: AdvisoryType;
  readonly ecosystem: string;
  readonly package: string;
  /** The fixed version the finding points to; null when no fix is known. */
  readonly fixed: string | null;
  readonly severity: Severity | null;
  readonly priority: Priority;
  readonly kev: boolean;
  /** The advisory's publication date, when its record gives one. */
  readonly published: Date | null;
  readonly firstSeen: Date;
}

const DAY_MS = 86_400_000;
const RANK: Readonly<Record<Severity, number>> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

/**
 * Decides a finding's fix against a baseline at `now`. Order (docs/baselines.md): the reject
 * list, then holds, then the approve list, then KEV, then the rules (the earliest approval date
 * of any rule that matches). Rejects and holds come first because they record a known reason
 * not to install something; approvals only say when it becomes required.
 */
export function baselineDecision(baseline: PatchBaseline, f: DecidableFinding, now: Date): BaselineDecision {
  const named = (ids: readonly string[]) => ids.find((id) => id === f.advisory || f.aliases.includes(id));
  const rejected = named(baseline.reject);
  if (rejected) return { state: 'rejected', approvesAt: null, reason: `${rejected} is on the reject list of baseline ${baseline.name}` };
  for (const hold of baseline.holds) {
    const blocked = holdBlocks(hold, f);
    if (blocked) return { state: 'held', approvesAt: null, reason: blocked };
  }
  const approved = named(baseline.approve);
  if (approved) return { state: 'approved', approvesAt: null, reason: `${approved} is on the approve list of baseline ${baseline.name}` };
  if (baseline.approveKevAtOnce && f.kev) return { state: 'approved', approvesAt: null, reason: `in CISA KEV: approved at once by baseline ${baseline.name}` };

  let best: { at: Date; index: number } | undefined;
  baseline.rules.forEach((rule, index) => {
    if (!ruleMatches(rule, f)) return;
    const at = new Date((f.published ?? f.firstSeen).getTime() + rule.afterDays * DAY_MS);
    if (!best || at.getTime() < best.at.getTime()) best = { at, index };
  });
  if (!best) return { state: 'unapproved', approvesAt: null, reason: `no rule of baseline ${baseline.name} approves ${f.type} fixes of this severity and priority` };
  const rule = baseline.rules[best.index]!;
  const from = f.published ? `its publication on ${day(f.published)}` : `first seen on ${day(f.firstSeen)} (no publication date)`;
  const words = `rule ${best.index + 1} of baseline ${baseline.name} (${describeRule(rule)})`;
  // A rule of 0 days approves from the day counted from, not "0 days after" it.
  const when = rule.afterDays === 0 ? `from ${from}` : `${rule.afterDays} days after ${from}`;
  if (best.at.getTime() <= now.getTime()) return { state: 'approved', approvesAt: best.at, reason: `approved by ${words}, ${when}` };
  return { state: 'pending', approvesAt: best.at, reason: `approved on ${day(best.at)} by ${words}, ${when}` };
}

/** A rule in words: `security, severity ≥ high, P2 or above, after 7 days`. */
export function describeRule(rule: ApprovalRule): string {
  return [rule.types.join('/'), rule.minSeverity ? `severity ≥ ${rule.minSeverity}` : '', rule.minPriority ? `${rule.minPriority} or above` : '', rule.afterDays === 0 ? 'at once' : `after ${rule.afterDays} days`]
    .filter(Boolean)
    .join(', ');
}

function ruleMatches(rule: ApprovalRule, f: DecidableFinding): boolean {
  if (!rule.types.includes(f.type)) return false;
  // Unknown severity counts as medium, as in the priority formula (docs/risk.md).
  if (rule.minSeverity && RANK[f.severity ?? 'medium'] < RANK[rule.minSeverity]) return false;
  return !rule.minPriority || atOrAbove(f.priority, rule.minPriority);
}

/** Why a hold blocks this fix, or undefined when it does not. */
function holdBlocks(hold: PackageHold, f: DecidableFinding): string | undefined {
  if (hold.package !== f.package) return undefined;
  // `Debian` holds on every Debian release, `Debian:12` on one.
  if (hold.ecosystem !== undefined && hold.ecosystem !== f.ecosystem && !f.ecosystem.startsWith(`${hold.ecosystem}:`)) return undefined;
  const pinned = `${hold.package} is held at ${hold.version} (${hold.reason})`;
  if (f.fixed === null) return `${pinned}; no fixed version is known, so any update would pass the hold`;
  try {
    const scheme = schemeFor(f.ecosystem);
    if (scheme.compare(scheme.parse(f.fixed), scheme.parse(hold.version)) <= 0) return undefined;
    return `${pinned}; the fix ${f.fixed} is beyond it`;
  } catch (err) {
    // A hold that cannot be compared still holds: releasing a pinned package by accident is worse.
    if (err instanceof PatchwiseError) return `${pinned}; ${err.message}, so the hold is kept`;
    throw err;
  }
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}
