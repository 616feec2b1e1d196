import type { Advisory, AffectedPackage } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';
import type { VersionScheme } from '../versions/index.js';

/** Event kinds in the order OSV evaluates ties: an introduction at v comes before a fix at v. */
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
  readonly affected: AffectedPackage;
  readonly scheme: VersionScheme;
  readonly ranges: readonly CompiledRange[];
  readonly versions: readonly unknown[];
}

export interface EntryVerdict {
  readonly affected: boolean;
  /** The first fixed version above the installed one, when the range names one. */
  readonly fixed?: string | undefined;
}

/**
 * Parses an affected entry's event versions with the scheme. An unparsable event version is
 * an error naming the advisory, the string and the scheme's reason: skipping it silently could
 * hide a vulnerability or invent one.
 */
export function compileEntry(advisory: Advisory, affected: AffectedPackage, scheme: VersionScheme): CompiledEntry {
  const parse = (text: string): unknown => {
    try {
      return scheme.parse(text);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new PatchwiseError('PW_VERSION_INVALID', `advisory ${advisory.id}, package ${affected.name}: ${reason}`, {
        input: advisory.source,
      });
    }
  };
  const ranges = affected.ranges.map((range) => {
    const events: CompiledEvent[] = [];
    const limits: unknown[] = [];
    for (const e of range.events) {
      if (e.introduced !== undefined) {
        events.push({ kind: INTRODUCED, version: e.introduced === '0' ? undefined : parse(e.introduced), text: e.introduced });
      } else if (e.fixed !== undefined) events.push({ kind: FIXED, version: parse(e.fixed), text: e.fixed });
      else if (e.last_affected !== undefined) {
        events.push({ kind: LAST_AFFECTED, version: parse(e.last_affected), text: e.last_affected });
      } else if (e.limit !== undefined && e.limit !== '*') limits.push(parse(e.limit));
    }
    events.sort((a, b) => compareEvents(scheme, a, b));
    return { events, limits };
  });
  return { advisory, affected, scheme, ranges, versions: affected.versions.map(parse) };
}

function compareEvents(scheme: VersionScheme, a: CompiledEvent, b: CompiledEvent): number {
  if (a.version === undefined || b.version === undefined) {
    if (a.version === b.version) return a.kind - b.kind;
    return a.version === undefined ? -1 : 1;
  }
  return scheme.compare(a.version, b.version) || a.kind - b.kind;
}

/** OSV's evaluation: in any range, or among the enumerated versions. */
export function evaluateEntry(entry: CompiledEntry, version: unknown): EntryVerdict {
  const { scheme } = entry;
  for (const range of entry.ranges) {
    const verdict = evaluateRange(scheme, range, version);
    if (verdict.affected) return verdict;
  }
  for (const listed of entry.versions) {
    if (scheme.compare(listed, version) === 0) return { affected: true };
  }
  return { affected: false };
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
    if (e.kind === INTRODUCED) {
      if (e.version === undefined || scheme.compare(version, e.version) >= 0) affected = true;
      else break;
    } else if (e.kind === FIXED) {
      if (scheme.compare(version, e.version) >= 0) affected = false;
      else break;
    } else if (scheme.compare(version, e.version) > 0) affected = false;
    else break;
  }
  if (!affected) return { affected: false };
  // Sorted order means the first fix after where the walk stopped is the nearest fix above v.
  for (; i < events.length; i++) {
    const e = events[i] as CompiledEvent;
    if (e.kind === FIXED) return { affected: true, fixed: e.text };
    if (e.kind === INTRODUCED || e.kind === LAST_AFFECTED) break;
  }
  return { affected: true };
}
