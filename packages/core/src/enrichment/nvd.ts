import { cvssFromVector, cvssSeverity } from '../cvss/index.js';
import type { CvssScore, CvssVersion } from '../cvss/index.js';
import { isPatchwiseError } from '../errors/index.js';
import { normalizeCveId } from './cve-id.js';
import { ShapeReader } from './shape-reader.js';
import type { JsonObject } from './shape-reader.js';

/** The CVSS metric NVD gives for one CVSS version of one CVE. */
export interface NvdCvssMetric extends CvssScore {
  /** Who scored it: `nvd@nist.gov` or a CNA's address. */
  readonly source: string;
  /** `Primary` (NVD's own, or the CNA's when NVD has none) or `Secondary`. */
  readonly type: 'Primary' | 'Secondary';
  /** `true` when NVD gave no base score and it was computed from the vector here. */
  readonly computed: boolean;
}

/** What Patchwise keeps of one NVD CVE record. */
export interface NvdRecord {
  /** Canonical CVE id. */
  readonly id: string;
  /** As NVD writes them: ISO 8601 without zone, in UTC (`2023-10-12T19:15:11.747`). */
  readonly published: string;
  readonly lastModified: string;
  /** `Analyzed`, `Modified`, `Rejected`, … when given. */
  readonly vulnStatus?: string;
  /** The English description. */
  readonly description?: string;
  /** At most one metric per CVSS version, oldest version first. */
  readonly cvss: readonly NvdCvssMetric[];
  /** CWE ids (`CWE-79`), NVD's own first; NVD's placeholders `NVD-CWE-noinfo`/`-Other` left out. */
  readonly cwes: readonly string[];
}

/** A zone designator at the end of a date-time: `Z`, `+02:00`, `-0500`, `+02`. */
const ZONE = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * When NVD last modified a record, for choosing between two copies of one CVE (the later wins).
 * NVD writes UTC without a zone, so a date-time without one is read as UTC, never in the
 * process's time zone: `Date.parse` would read it as local time, which moves it by the offset
 * against a copy written with `Z` or an offset, and in a daylight-saving gap (02:30 on a spring
 * day in Europe) puts an earlier copy after a later one.
 */
export function nvdModifiedAt(record: Pick<NvdRecord, 'lastModified'>): number {
  const text = record.lastModified.trim();
  // A time (after `T` or a space) without a zone; a date alone is UTC to Date.parse already.
  const utc = /^\d{4}-\d{2}-\d{2}[T ]\d/.test(text) && !ZONE.test(text) ? Date.parse(`${text}Z`) : Number.NaN;
  return Number.isNaN(utc) ? Date.parse(text) : utc;
}

// The metric arrays of an NVD CVE API 2.0 record, by the CVSS version they carry.
const METRIC_KEYS: readonly (readonly [key: string, version: CvssVersion])[] = [
  ['cvssMetricV2', '2.0'],
  ['cvssMetricV30', '3.0'],
  ['cvssMetricV31', '3.1'],
  ['cvssMetricV40', '4.0'],
];

/**
 * Parse one page of the NVD CVE API 2.0 (`/rest/json/cves/2.0`), or a file in that format.
 *
 * For each CVSS version the `Primary` metric is kept (the first `Secondary` one when there is no
 * Primary), with NVD's base score; the score is computed from the vector only when NVD gives none.
 * The chosen vector must be valid for its version; other metrics are not scored.
 *
 * @param text the page's JSON text
 * @param source where it came from (a path or URL), used in error messages
 * @returns records by canonical CVE id
 * @throws PatchwiseError `PW_INPUT_MALFORMED` when the text is not JSON; `PW_INPUT_INVALID` when the
 *   page breaks the API's shape (named by path and CVE id), a chosen vector is invalid or of
 *   another version, a score is outside 0–10, or a CVE appears twice.
 */
export function parseNvd(text: string, source: string): Map<string, NvdRecord> {
  const shape = new ShapeReader(source);
  const root = shape.object(shape.parse(text, 'an NVD CVE API 2.0 page'), '');
  const format = shape.optionalString(root, 'format', '');
  if (format !== undefined && format !== 'NVD_CVE') throw shape.fail('format', `expected "NVD_CVE", got "${format}"`);
  const list = shape.array(root['vulnerabilities'], 'vulnerabilities');

  const records = new Map<string, NvdRecord>();
  for (const [index, item] of list.entries()) {
    const at = `vulnerabilities[${index}]`;
    const record = parseCve(shape, shape.object(shape.object(item, at)['cve'], `${at}.cve`), `${at}.cve`);
    if (records.has(record.id)) throw shape.fail(at, `${record.id} appears twice`);
    records.set(record.id, record);
  }
  return records;
}

function parseCve(shape: ShapeReader, cve: JsonObject, at: string): NvdRecord {
  const rawId = shape.string(cve, 'id', at);
  const id = normalizeCveId(rawId);
  if (id === undefined) throw shape.fail(`${at}.id`, `"${rawId}" is not a CVE id`);
  const path = `${at} (${id})`;

  const vulnStatus = shape.optionalString(cve, 'vulnStatus', path);
  const description = englishDescription(shape, cve, path);
  const metrics = cve['metrics'] === undefined ? {} : shape.object(cve['metrics'], `${path}.metrics`);
  const cvss: NvdCvssMetric[] = [];
  for (const [key, version] of METRIC_KEYS) {
    if (metrics[key] === undefined) continue;
    const metric = chooseMetric(shape, metrics[key], version, `${path}.metrics.${key}`);
    if (metric) cvss.push(metric);
  }
  return {
    id,
    published: shape.timestamp(cve, 'published', path),
    lastModified: shape.timestamp(cve, 'lastModified', path),
    ...(vulnStatus === undefined ? {} : { vulnStatus }),
    ...(description === undefined ? {} : { description }),
    cvss,
    cwes: cweIds(shape, cve, path),
  };
}

function englishDescription(shape: ShapeReader, cve: JsonObject, path: string): string | undefined {
  if (cve['descriptions'] === undefined) return undefined;
  for (const [i, item] of shape.array(cve['descriptions'], `${path}.descriptions`).entries()) {
    const at = `${path}.descriptions[${i}]`;
    const entry = shape.object(item, at);
    if (shape.optionalString(entry, 'lang', at) === 'en') return shape.optionalString(entry, 'value', at);
  }
  return undefined;
}

function chooseMetric(shape: ShapeReader, value: unknown, version: CvssVersion, at: string): NvdCvssMetric | undefined {
  const list = shape.array(value, at);
  let chosen: { metric: JsonObject; at: string } | undefined;
  for (const [i, item] of list.entries()) {
    const metric = shape.object(item, `${at}[${i}]`);
    const type = shape.optionalString(metric, 'type', `${at}[${i}]`);
    if (type === 'Primary') {
      chosen = { metric, at: `${at}[${i}]` };
      break;
    }
    chosen ??= { metric, at: `${at}[${i}]` };
  }
  if (!chosen) return undefined;

  const { metric } = chosen;
  const data = shape.object(metric['cvssData'], `${chosen.at}.cvssData`);
  const dataAt = `${chosen.at}.cvssData`;
  const declared = shape.optionalString(data, 'version', dataAt);
  if (declared !== undefined && declared !== version) {
    throw shape.fail(`${dataAt}.version`, `expected "${version}" in ${at.slice(at.lastIndexOf('.') + 1)}, got "${declared}"`);
  }
  const vectorString = shape.string(data, 'vectorString', dataAt);
  let computed: CvssScore;
  try {
    computed = cvssFromVector(vectorString);
  } catch (err) {
    if (isPatchwiseError(err)) throw shape.fail(`${dataAt}.vectorString`, err.message);
    throw err;
  }
  if (computed.version !== version) {
    throw shape.fail(`${dataAt}.vectorString`, `a CVSS ${computed.version} vector where ${version} is expected`);
  }

  const given = data['baseScore'];
  if (given !== undefined && given !== null && (typeof given !== 'number' || !(given >= 0 && given <= 10))) {
    throw shape.fail(`${dataAt}.baseScore`, `expected a number in 0–10, got ${JSON.stringify(given)}`);
  }
  // NVD's own score is kept when present: it is what NVD publishes (and tests show it agrees).
  const baseScore = typeof given === 'number' ? given : computed.baseScore;
  return {
    version,
    vector: computed.vector,
    baseScore,
    severity: cvssSeverity(version, baseScore),
    source: shape.optionalString(metric, 'source', chosen.at) ?? 'unknown',
    type: shape.optionalString(metric, 'type', chosen.at) === 'Primary' ? 'Primary' : 'Secondary',
    computed: typeof given !== 'number',
  };
}

function cweIds(shape: ShapeReader, cve: JsonObject, path: string): string[] {
  if (cve['weaknesses'] === undefined) return [];
  const weaknesses = shape.array(cve['weaknesses'], `${path}.weaknesses`).map((item, i) => ({
    at: `${path}.weaknesses[${i}]`,
    weakness: shape.object(item, `${path}.weaknesses[${i}]`),
  }));
  // NVD's own analysis (Primary) first, then the CNAs'.
  const primaryFirst = [
    ...weaknesses.filter(({ weakness }) => weakness['type'] === 'Primary'),
    ...weaknesses.filter(({ weakness }) => weakness['type'] !== 'Primary'),
  ];
  const cwes = new Set<string>();
  for (const { at, weakness } of primaryFirst) {
    if (weakness['description'] === undefined) continue;
    for (const [i, item] of shape.array(weakness['description'], `${at}.description`).entries()) {
      const entry = shape.object(item, `${at}.description[${i}]`);
      const value = shape.optionalString(entry, 'value', `${at}.description[${i}]`);
      if (value !== undefined && /^CWE-\d+$/.test(value)) cwes.add(value);
    }
  }
  return [...cwes];
}
