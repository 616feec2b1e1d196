import { Type, type Static } from '@fastify/type-provider-typebox';
import {
  baselineDecision,
  findingLane,
  fixAwaitingBoot,
  hostEolStatus,
  slaClockStart,
  slaVerdict,
  type FindingException,
  type HostRecord,
  type IdleKernel,
  type InstalledPackage,
  type PatchBaseline,
  type SlaPolicy,
  type StoredFinding,
} from '@patchwise/core';
import { prettyNameOf } from './pretty-name-of.js';

/** How recently a host checked in: online, offline (missed three check-ins), stale, never. */
export type Connectivity = 'online' | 'offline' | 'stale' | 'never';

export interface ConnectivityPolicy {
  readonly checkinIntervalSeconds: number;
  readonly staleAfterMs: number;
}

export function connectivityOf(lastSeenAt: Date | null, now: Date, policy: ConnectivityPolicy): Connectivity {
  if (!lastSeenAt) return 'never';
  const age = now.getTime() - lastSeenAt.getTime();
  if (age > policy.staleAfterMs) return 'stale';
  if (age > 3 * policy.checkinIntervalSeconds * 1000) return 'offline';
  return 'online';
}

const Str = Type.String();
const NullableStr = Type.Union([Type.String(), Type.Null()]);
const Priorities = Type.Object({ P1: Type.Integer(), P2: Type.Integer(), P3: Type.Integer(), P4: Type.Integer() });

export const AttributesView = Type.Object({
  tier: Type.Union([Type.Integer({ minimum: 0, maximum: 3 }), Type.Null()]),
  owner: NullableStr,
  environment: NullableStr,
  internetFacing: Type.Union([Type.Boolean(), Type.Null()]),
  cluster: NullableStr,
  timezone: NullableStr,
  tags: Type.Array(Str),
});

export const EolView = Type.Object({
  status: Type.Union([Type.Literal('prerelease'), Type.Literal('supported'), Type.Literal('maintenance'), Type.Literal('extended'), Type.Literal('eol'), Type.Literal('unknown')]),
  date: NullableStr,
  endedOn: Type.Union([Type.String(), Type.Null()], { description: 'eol only: the first day without any support counted (the end of the last extended phase counted, such as Debian LTS, else date)' }),
  reason: Str,
  packages: Type.Array(Type.Object({ name: Str, sourceName: Str, version: Str, status: Str, reason: Str, date: NullableStr })),
});
export type EolView = Static<typeof EolView>;

/**
 * End of life of the host's release (distro-info and vendor lifecycles) and, given its packages,
 * of Debian source packages whose security support ended. EOL counts as non-compliant.
 */
export function eolView(h: HostRecord, now: Date, packages: readonly InstalledPackage[] = []): EolView {
  if (!h.os) return { status: 'unknown', date: null, endedOn: null, reason: 'the host reported no os-release', packages: [] };
  // Paid phases (Debian ELTS, Ubuntu ESM, RHEL ELS) are not assumed: whether a host has such a
  // subscription is not known, and assuming it would hide exactly the hosts auditors ask about.
  const status = hostEolStatus({ os: { id: h.os.id, versionId: h.os.versionId ?? '', name: prettyNameOf(h) }, packages }, now, { assumeSubscriptions: false });
  return {
    status: status.release.status,
    date: 'date' in status.release ? (status.release.date ?? null) : null,
    endedOn: status.release.status === 'eol' ? (status.release.extended?.until ?? status.release.date ?? null) : null,
    reason: status.release.reason,
    packages: status.packages.map((p) => ({ name: p.name, sourceName: p.sourceName, version: p.version, status: p.status, reason: p.reason, date: p.date ?? null })),
  };
}

export const HostView = Type.Object({
  id: Str,
  name: Str,
  machineId: NullableStr,
  os: Type.Union([Type.Object({ id: Str, versionId: NullableStr }), Type.Null()]),
  ecosystem: NullableStr,
  facts: Type.Record(Type.String(), Type.Unknown()),
  attributes: AttributesView,
  status: Type.Union([Type.Literal('active'), Type.Literal('quarantined'), Type.Literal('retired')]),
  quarantineReason: NullableStr,
  retiredAt: NullableStr,
  retiredReason: NullableStr,
  connectivity: Type.Union([Type.Literal('online'), Type.Literal('offline'), Type.Literal('stale'), Type.Literal('never')]),
  eol: EolView,
  enrolledAt: Str,
  lastSeenAt: NullableStr,
  inventoryAt: NullableStr,
});
export type HostView = Static<typeof HostView>;

const AdvisoriesHeld = Type.Union([Type.Boolean(), Type.Null()], {
  description: "whether any advisory held applies to the host's ecosystem (false: not assessed, no findings because nothing is known); null when its ecosystem is unknown",
});

/** A line of the host list: the host, and whether anything held can assess it. */
export const HostListItemView = Type.Intersect([HostView, Type.Object({ advisoriesHeld: AdvisoriesHeld })]);

export const HostDetailView = Type.Intersect([
  HostView,
  Type.Object({
    packages: Type.Integer(),
    openFindings: Priorities,
    advisoriesHeld: AdvisoriesHeld,
  }),
]);

export function hostView(h: HostRecord, now: Date, policy: ConnectivityPolicy, packages?: readonly InstalledPackage[]): HostView {
  return {
    id: h.id,
    name: h.name,
    machineId: h.machineId,
    os: h.os ? { id: h.os.id, versionId: h.os.versionId } : null,
    ecosystem: h.ecosystem,
    facts: { ...h.facts },
    attributes: { ...h.attributes, tags: [...h.attributes.tags] },
    status: h.status,
    quarantineReason: h.quarantineReason,
    retiredAt: h.retiredAt?.toISOString() ?? null,
    retiredReason: h.retiredReason,
    connectivity: connectivityOf(h.lastSeenAt, now, policy),
    eol: eolView(h, now, packages),
    enrolledAt: h.enrolledAt.toISOString(),
    lastSeenAt: h.lastSeenAt?.toISOString() ?? null,
    inventoryAt: h.inventoryAt?.toISOString() ?? null,
  };
}

/** What a host's re-assessment changed (FindingChanges): retracted ones closed without a fix. */
export const FindingChangesView = Type.Object({
  opened: Type.Integer(),
  updated: Type.Integer({ description: 'kept open with new content, or reopened' }),
  fixed: Type.Integer({ description: 'closed because the host upgraded or removed the package' }),
  retracted: Type.Integer({ description: 'closed because the advisory no longer applies to the version still installed' }),
});

/** A stored finding's lifecycle (docs/ARCHITECTURE.md, findings). */
export const FindingStateView = Type.Union([Type.Literal('open'), Type.Literal('fixed'), Type.Literal('retracted')]);

export const FindingView = Type.Object({
  id: Str,
  hostId: Str,
  host: Str,
  advisory: Str,
  aliases: Type.Array(Str),
  type: Str,
  ecosystem: Str,
  package: Str,
  installed: Str,
  fixed: NullableStr,
  severity: NullableStr,
  cvss: Type.Union([Type.Number(), Type.Null()]),
  kev: Type.Boolean(),
  epss: Type.Union([Type.Number(), Type.Null()]),
  priority: Str,
  reasons: Type.Array(Str),
  summary: Str,
  state: FindingStateView,
  firstSeen: Str,
  /** When the host's change fixed it; null unless fixed. */
  fixedAt: NullableStr,
  /**
   * An open kernel finding whose fix is installed but not running: the installed kernel version
   * that fixes it once the host reboots into it (docs/inventory-format.md); null otherwise.
   */
  fixAwaitingReboot: NullableStr,
  /** When it was retracted (the advisory withdrawn or revised); null unless retracted. */
  retractedAt: NullableStr,
  /** The advisory's publication date, when its record gives one. */
  published: NullableStr,
  /** Where the SLA clock started: first seen, publication, or an exception's expiry (docs/sla.md). */
  slaStart: Str,
  /** When the SLA wants it fixed (the clock's start + the window of its priority on the host's tier). */
  dueAt: Str,
  /** Against the SLA: open ones now, fixed ones at their fix time; retracted ones are not judged (nothing was due). */
  sla: Type.Union([Type.Literal('ok'), Type.Literal('due-soon'), Type.Literal('breached'), Type.Literal('excepted'), Type.Literal('retracted')]),
  /** The exception in force that defers it, if one does. */
  exception: Type.Union([Type.Object({ id: Str, category: Str, owner: Str, expiresAt: Str }), Type.Null()]),
  /** What the host's patch baseline says about the fix (docs/baselines.md). */
  baseline: Type.Object({
    name: Str,
    state: Type.Union([Type.Literal('approved'), Type.Literal('pending'), Type.Literal('unapproved'), Type.Literal('rejected'), Type.Literal('held')]),
    approvesAt: NullableStr,
    reason: Str,
  }),
  /** Emergency or scheduled, with the criteria met (docs/sla.md). */
  lane: Type.Object({ lane: Type.Union([Type.Literal('emergency'), Type.Literal('scheduled')]), reasons: Type.Array(Str) }),
});
export type FindingView = Static<typeof FindingView>;

/** What a finding's view reads of its host. */
export interface FindingHost {
  readonly name: string;
  readonly tier: number | null;
  readonly internetFacing: boolean | null;
  /** Kernels installed beside the running one (HostRecord.idleKernels). */
  readonly idleKernels: readonly IdleKernel[];
}

/** What judging a finding needs besides the finding and its host. */
export interface FindingContext {
  readonly sla: SlaPolicy;
  readonly now: Date;
  /** The exception in force that covers it, if one does. */
  readonly exception?: FindingException | undefined;
  /** When the last exception that covered it expired (restarts the SLA clock when configured). */
  readonly exceptionExpiredAt?: Date | null | undefined;
  /** The baseline the host follows (the built-in rule when none is stored). */
  readonly baseline: PatchBaseline;
}

export function findingView(f: StoredFinding, host: FindingHost, ctx: FindingContext): FindingView {
  const { exception, now } = ctx;
  const clocked = { ...f, exceptionExpiredAt: ctx.exceptionExpiredAt ?? null };
  const verdict = slaVerdict(ctx.sla, clocked, host.tier, now);
  const decision = baselineDecision(ctx.baseline, f, now);
  const lane = findingLane(ctx.sla.emergency, f, host);
  return {
    id: f.id,
    hostId: f.hostId,
    host: host.name,
    advisory: f.advisory,
    aliases: [...f.aliases],
    type: f.type,
    ecosystem: f.ecosystem,
    package: f.package,
    installed: f.installed,
    fixed: f.fixed,
    severity: f.severity,
    cvss: f.cvss,
    kev: f.kev,
    epss: f.epss,
    priority: f.priority,
    reasons: [...f.reasons],
    summary: f.summary,
    state: f.state,
    firstSeen: f.firstSeen.toISOString(),
    fixedAt: f.fixedAt?.toISOString() ?? null,
    fixAwaitingReboot: f.state === 'open' ? (fixAwaitingBoot(f, host.idleKernels) ?? null) : null,
    // A closed row is not written until it reopens: its last update is its retraction.
    retractedAt: f.state === 'retracted' ? f.updatedAt.toISOString() : null,
    published: f.published?.toISOString() ?? null,
    slaStart: slaClockStart(ctx.sla, clocked).toISOString(),
    dueAt: verdict.dueAt.toISOString(),
    sla: f.state === 'retracted' ? 'retracted' : exception && f.state === 'open' ? 'excepted' : verdict.state,
    exception: exception ? { id: exception.id, category: exception.category, owner: exception.owner, expiresAt: exception.expiresAt.toISOString() } : null,
    baseline: { name: ctx.baseline.name, state: decision.state, approvesAt: decision.approvesAt?.toISOString() ?? null, reason: decision.reason },
    lane: { lane: lane.lane, reasons: [...lane.reasons] },
  };
}

export const ErrorView = Type.Object({ error: Type.Object({ code: Str, message: Str }) });
export { Priorities };
