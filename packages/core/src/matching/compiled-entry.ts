import type { Advisory, AffectedPackage, AffectedRange } from '../advisories/index.js';
import type { VersionScheme } from '../versions/index.js';

const INTRODUCED = 0;
const FIXED = 1;
const LAST_AFFECTED = 2;

interface CompiledEvent {
  readonly kind: typeof INTRODUCED | typeof FIXED | typeof LAST_AFFECTED;
  /** undefined only for `introduced: "0"`, which precedes every version. */
  readonly version: unknown;
  readonly text: string;
}

interface CompiledRange {
  readonly events: readonly CompiledEvent[];
  readonly limits: readonly unknown[];
}

/** One affected entry of one advisory, with its versions parsed once for its ecosystem's scheme. */
export interface CompiledEntry {
  readonly advisory: Advisory;
  /** Ranges left out because an event version is invalid in the scheme, with the reason. */
  readonly invalidRanges: readonly string[];
  readonly affected: AffectedPackage;
  readonly scheme: VersionScheme;
  readonly ranges: readonly CompiledRange[];
  readonly versions: readonly unknown[];
  /** Enumerated versions that are not valid in the scheme: they can equal no installed version. */
  readonly invalidVersions: readonly string[];
}

export interface EntryVerdict {
  readonly affected: boolean;
  /** The nearest fixed version above the installed one, when a matching range names one. */
  readonly fixed?: string | undefined;
  readonly fixedVersion?: unknown;
}

/**
 * Parses an affected entry's versions with the scheme. A range with an invalid event version
 * cannot be evaluated and is left out; an invalid enumerated version can equal no valid
 * installed version and is ignored. Both are returned for the caller to report: nothing is
 * guessed, and the rest of the record still applies.
 */
export function compileEntry(advisory: Advisory, affected: AffectedPackage, scheme: VersionScheme): CompiledEntry {
  const invalidRanges: string[] = [];
  const ranges: CompiledRange[] = [];
  for (const range of affected.ranges) {
    try {
      ranges.push(compileRange(range, scheme));
    } catch (err) {
      invalidRanges.push(err instanceof Error ? err.message : String(err));
    }
  }
  const versions: unknown[] = [];
  const invalidVersions: string[] = [];
  for (const text of affected.versions) {
    try {
      versions.push(scheme.parse(text));
    } catch {
      invalidVersions.push(text);
    }
  }
  return { advisory, affected, scheme, ranges, versions, invalidRanges, invalidVersions };
}

function compileRange(range: AffectedRange, scheme: VersionScheme): CompiledRange {
  const events: CompiledEvent[] = [];
  const limits: unknown[] = [];
  for (const e of range.events) {
    if (e.introduced !== undefined) {
      events.push({ kind: INTRODUCED, version: e.introduced === '0' ? undefined : scheme.parse(e.introduced), text: e.introduced });
    } else if (e.fixed !== undefined) events.push({ kind: FIXED, version: scheme.parse(e.fixed), text: e.fixed });
    else if (e.last_affected !== undefined) {
      events.push({ kind: LAST_AFFECTED, version: scheme.parse(e.last_affected), text: e.last_affected });
    } else if (e.limit !== undefined && e.limit !== '*') limits.push(scheme.parse(e.limit));
  }
  // Stable sort by version: events at the same version keep the record's order, so a range
  // written "fixed 1.0, introduced 1.0" reopens at 1.0 while "introduced 1.0, fixed 1.0" is
  // empty. This is also how OSV.dev enumerates affected versions.
  events.sort((a, b) => compareVersions(scheme, a.version, b.version));
  return { events, limits };
}

/** Orders versions with `undefined` (introduced "0") before all others. */
function compareVersions(scheme: VersionScheme, a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return scheme.compare(a, b);
}

/**
 * OSV's evaluation: affected when in any range or among the enumerated versions. When several
 * ranges match, the reported fix is the nearest one above the installed version.
 */
export function evaluateEntry(entry: CompiledEntry, version: unknown): EntryVerdict {
  const { scheme } = entry;
  let best: EntryVerdict | undefined;
  for (const range of entry.ranges) {
    const verdict = evaluateRange(scheme, range, version);
    if (verdict.affected) best = nearerFix(scheme, best, verdict);
  }
  if (best) return best;
  for (const listed of entry.versions) {
    if (scheme.compare(listed, version) === 0) return { affected: true };
  }
  return { affected: false };
}

/** Of two affected verdicts, the one whose fix is nearer (lower); one with a fix beats one without. */
export function nearerFix(scheme: VersionScheme, a: EntryVerdict | undefined, b: EntryVerdict): EntryVerdict {
  if (!a || a.fixedVersion === undefined) return b.fixedVersion === undefined && a ? a : b;
  if (b.fixedVersion === undefined) return a;
  return scheme.compare(b.fixedVersion, a.fixedVersion) < 0 ? b : a;
}

/**
 * Walks the sorted events: an introduction at or below v makes it affected, a fix at or below v
 * or a last_affected strictly below v makes it unaffected. `limit` caps the whole range.
 */
function evaluateRange(scheme: VersionScheme, range: CompiledRange, version: unknown): EntryVerdict {
  if (range.limits.length > 0 && !range.limits.some((limit) => scheme.compare(version, limit) < 0)) {
    return { affected: false };
  }
  let affected = false;
  const events = range.events;
  let i = 0;
  for (; i < events.length; i++) {
    const e = events[i] as CompiledEvent;
    const c = e.version === undefined ? 1 : scheme.compare(version, e.version);
    // Sorted: once an event lies above v, so do all after it.
    if (c < 0) break;
    if (e.kind === INTRODUCED) affected = true;
    else if (e.kind === FIXED) affected = false;
    else if (c > 0) affected = false;
  }
  if (!affected) return { affected: false };
  // The nearest fix is the first fix above v, unless the range is closed by a last_affected first;
  // further introductions above v (overlapping ranges) do not end the search.
  for (; i < events.length; i++) {
    const e = events[i] as CompiledEvent;
    if (e.kind === FIXED) return { affected: true, fixed: e.text, fixedVersion: e.version };
    if (e.kind === LAST_AFFECTED) break;
  }
  return { affected: true };
}

/**
 * The fix of an entry that is exactly one range "introduced 0, fixed X" with no enumerated
 * versions and no limit, or undefined. Such an entry affects precisely the versions below X.
 */
export function simpleFix(entry: CompiledEntry): { version: unknown; text: string } | undefined {
  if (entry.versions.length > 0 || entry.invalidVersions.length > 0 || entry.invalidRanges.length > 0 || entry.ranges.length !== 1) {
    return undefined;
  }
  const range = entry.ranges[0] as CompiledRange;
  if (range.limits.length > 0 || range.events.length !== 2) return undefined;
  const [first, second] = range.events as [CompiledEvent, CompiledEvent];
  if (first.kind !== INTRODUCED || first.version !== undefined || second.kind !== FIXED) return undefined;
  return { version: second.version, text: second.text };
}
