import { cvssFromVector, type CvssScore } from '../cvss/index.js';
import { normalizeCveId } from '../enrichment/index.js';
import { PatchwiseError } from '../errors/index.js';
import { normalizeName } from '../inventory/index.js';
import { ecosystemInfo } from '../versions/index.js';
import { advisoryTypeOf, severityFromSummary, severityFromWord } from './classify.js';
import type { AffectedPackage, AffectedRange, Advisory, RangeEvent, VendorSeverity } from './types.js';

export interface ParsedRecord {
  readonly advisory: Advisory;
  /** Parts of the record that were left out, each with its reason (unknown ecosystem, bad vector, …). */
  readonly warnings: readonly string[];
}

type Json = Record<string, unknown>;

const EVENT_KEYS = ['introduced', 'fixed', 'last_affected', 'limit'] as const;

export interface ParseOsvOptions {
  /**
   * Refuse a record without `modified` (default true). Only for re-reading records that an
   * earlier release accepted and stored without one: refusing them there would drop advisories
   * already held (and retract their findings) instead of refusing new input.
   */
  readonly requireModified?: boolean;
}

/**
 * Reads one OSV record (schema 1.6) into an Advisory. The record as a whole is refused only
 * when it has no usable id or `modified` (the two fields OSV 1.6 requires), or a malformed
 * shape; an affected entry with an unknown ecosystem, or an unscorable CVSS vector, is left out
 * with a warning so the rest still counts.
 */
export function parseOsvRecord(value: unknown, source: string, options: ParseOsvOptions = {}): ParsedRecord {
  const record = asObject(value, source, 'record');
  const id = record.id;
  if (typeof id !== 'string' || id.trim() === '') fail(source, 'id', 'missing or not a string');
  const where = `${source} (${id})`;
  // Without `modified` two copies of a record cannot be ordered (which one is the revision to
  // keep), and a document holding only an id is more likely some other JSON than an advisory.
  const modified = optionalString(record, 'modified', where);
  if ((options.requireModified ?? true) && (modified === undefined || modified.trim() === '')) {
    fail(where, 'modified', 'missing; OSV 1.6 requires it (when the record was last changed)');
  }
  const warnings: string[] = [];
  const summary = optionalString(record, 'summary', where) ?? '';
  const aliases = stringList(record, 'aliases', where);
  const related = stringList(record, 'related', where);
  // OSV 1.7's `upstream`: the records this one derives from. Ubuntu names its CVE only here.
  const upstream = stringList(record, 'upstream', where);

  const cvss: CvssScore[] = [];
  collectCvss(record.severity, 'severity', cvss, warnings, where);
  const affected: AffectedPackage[] = [];
  const affectedList = record.affected ?? [];
  if (!Array.isArray(affectedList)) fail(where, 'affected', 'not a list');
  affectedList.forEach((entry, i) => {
    const parsed = parseAffected(entry, `affected[${i}]`, where, warnings, cvss);
    if (parsed) affected.push(parsed);
  });

  const advisory: Advisory = {
    id,
    aliases,
    related,
    upstream,
    cves: collectCves(id, [...aliases, ...related, ...upstream]),
    type: advisoryTypeOf(id),
    summary,
    published: optionalString(record, 'published', where),
    modified,
    withdrawn: optionalString(record, 'withdrawn', where),
    vendorSeverity: vendorSeverityOf(record, summary, warnings),
    cvss: dedupeCvss(cvss),
    affected,
    source,
  };
  return { advisory, warnings };
}

function parseAffected(
  value: unknown,
  path: string,
  where: string,
  warnings: string[],
  cvss: CvssScore[],
): AffectedPackage | undefined {
  const entry = asObject(value, where, path);
  const pkg = asObject(entry.package, where, `${path}.package`);
  const ecosystem = pkg.ecosystem;
  const rawName = pkg.name;
  if (typeof ecosystem !== 'string' || typeof rawName !== 'string' || rawName === '') {
    fail(where, `${path}.package`, 'needs string "ecosystem" and "name"');
  }
  try {
    ecosystemInfo(ecosystem);
  } catch {
    warnings.push(`${path}: unknown ecosystem "${ecosystem}", entry left out`);
    return undefined;
  }
  collectCvss(entry.severity, `${path}.severity`, cvss, warnings, where);
  const ranges: AffectedRange[] = [];
  const rangeList = entry.ranges ?? [];
  if (!Array.isArray(rangeList)) fail(where, `${path}.ranges`, 'not a list');
  rangeList.forEach((r, i) => {
    const range = asObject(r, where, `${path}.ranges[${i}]`);
    // GIT ranges name commits, not package versions: they cannot match an installed package.
    if (range.type === 'GIT') return;
    if (range.type !== 'ECOSYSTEM' && range.type !== 'SEMVER') {
      warnings.push(`${path}.ranges[${i}]: range type "${String(range.type)}" is not supported, range left out`);
      return;
    }
    if (!Array.isArray(range.events)) fail(where, `${path}.ranges[${i}].events`, 'not a list');
    ranges.push({ type: range.type, events: range.events.map((e, j) => parseEvent(e, where, `${path}.ranges[${i}].events[${j}]`)) });
  });
  const versions = stringList(entry, 'versions', where);
  return { ecosystem, name: normalizeName(ecosystem, rawName), ranges, versions };
}

function parseEvent(value: unknown, where: string, path: string): RangeEvent {
  const event = asObject(value, where, path);
  const keys = EVENT_KEYS.filter((k) => event[k] !== undefined);
  const key = keys[0];
  if (keys.length !== 1 || key === undefined) fail(where, path, 'an event needs exactly one of introduced, fixed, last_affected, limit');
  const version = event[key];
  if (typeof version !== 'string' || version === '') fail(where, `${path}.${key}`, 'not a non-empty string');
  const parsed: RangeEvent = { [key]: version };
  return parsed;
}

function vendorSeverityOf(record: Json, summary: string, warnings: string[]): VendorSeverity | undefined {
  const fromSummary = severityFromSummary(summary);
  if (fromSummary) return fromSummary;
  // GHSA and others: database_specific.severity ("HIGH", "MODERATE").
  const db = record.database_specific;
  if (db && typeof db === 'object' && typeof (db as Json).severity === 'string') {
    const fromDb = severityFromWord((db as Json).severity as string);
    if (fromDb) return fromDb;
  }
  return ubuntuPriorityOf(record.severity, warnings);
}

/**
 * Ubuntu's priority, `severity: [{ type: "Ubuntu", score: "medium" }]`: the words of the Ubuntu
 * CVE tracker (critical, high, medium, low, negligible), on the shared vendor scale. `untriaged`
 * means no priority yet, so it gives none; any other word is left out with a warning rather than
 * guessed at. The shape of `severity` was checked by collectCvss already.
 */
function ubuntuPriorityOf(value: unknown, warnings: string[]): VendorSeverity | undefined {
  if (!Array.isArray(value)) return undefined;
  for (const [i, entry] of value.entries()) {
    const { type, score } = entry as Json;
    if (type !== 'Ubuntu' || typeof score !== 'string') continue;
    if (score.trim().toLowerCase() === 'untriaged') continue;
    const severity = severityFromWord(score);
    if (severity) return severity;
    warnings.push(`severity[${i}]: Ubuntu priority "${score}" is not known, left out`);
  }
  return undefined;
}

function collectCvss(value: unknown, path: string, into: CvssScore[], warnings: string[], where: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) fail(where, path, 'not a list');
  value.forEach((s, i) => {
    const entry = asObject(s, where, `${path}[${i}]`);
    const type = entry.type;
    const score = entry.score;
    if (typeof type !== 'string' || typeof score !== 'string') fail(where, `${path}[${i}]`, 'needs string "type" and "score"');
    if (!type.startsWith('CVSS_')) return; // e.g. "Ubuntu": a vendor word, handled as vendor severity
    try {
      into.push(cvssFromVector(score));
    } catch (err) {
      warnings.push(`${path}[${i}]: ${(err as Error).message}, score left out`);
    }
  });
}

function dedupeCvss(scores: CvssScore[]): CvssScore[] {
  const seen = new Set<string>();
  return scores.filter((s) => (seen.has(s.vector) ? false : (seen.add(s.vector), true)));
}

function collectCves(id: string, others: readonly string[]): string[] {
  const cves = new Set<string>();
  for (const candidate of [id, ...others]) {
    const cve = cveOf(candidate);
    if (cve) cves.add(cve);
  }
  return [...cves];
}

/**
 * Distributions publish one record per CVE as `UBUNTU-CVE-…` and `DEBIAN-CVE-…`, and Ubuntu's USN
 * records name those (not the CVE) in `upstream`: such an id stands for its CVE.
 */
const DISTRO_CVE_PREFIX = /^\s*(?:UBUNTU|DEBIAN)-(?=CVE-)/i;

function cveOf(id: string): string | undefined {
  return normalizeCveId(id) ?? normalizeCveId(id.replace(DISTRO_CVE_PREFIX, ''));
}

function asObject(value: unknown, where: string, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, path, 'not an object');
  return value as Json;
}

function optionalString(obj: Json, key: string, where: string): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') fail(where, key, 'not a string');
  return value;
}

function stringList(obj: Json, key: string, where: string): string[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) fail(where, key, 'not a list of strings');
  return value as string[];
}

function fail(where: string, path: string, reason: string): never {
  throw new PatchwiseError('PW_INPUT_INVALID', `field "${path}": ${reason}`, { input: where });
}
