import { normalizeCveId } from './cve-id.js';
import { ShapeReader } from './shape-reader.js';

/** One entry of CISA's Known Exploited Vulnerabilities catalog. */
export interface KevEntry {
  /** Canonical CVE id (upper-case). */
  readonly cveId: string;
  readonly vendorProject: string;
  readonly product: string;
  readonly vulnerabilityName: string;
  /** When CISA added it to the catalog, `YYYY-MM-DD`. */
  readonly dateAdded: string;
  /** When US federal agencies must have remediated it, `YYYY-MM-DD`. */
  readonly dueDate: string;
  /** `true` for "Known"; `false` for "Unknown" or when the catalog predates the field. */
  readonly knownRansomwareCampaignUse: boolean;
  readonly shortDescription: string;
  readonly requiredAction: string;
  readonly notes?: string;
  /** CWE ids CISA lists, such as `CWE-306`. */
  readonly cwes: readonly string[];
}

/** A parsed KEV catalog. */
export interface KevCatalog {
  /** Where the catalog was read from, as the caller named it. */
  readonly source: string;
  /** CISA's version label, such as `2025.08.25`. */
  readonly catalogVersion: string;
  /** When CISA released this version (ISO 8601 date-time). */
  readonly dateReleased: string;
  /**
   * The `count` the catalog declares. Not checked against the entries: trimmed copies (test
   * fixtures, partial mirrors) keep the original count.
   */
  readonly declaredCount: number;
  /** Entries by canonical CVE id. */
  readonly entries: ReadonlyMap<string, KevEntry>;
}

const RANSOMWARE: ReadonlyMap<string, boolean> = new Map([
  ['Known', true],
  ['Unknown', false],
]);

/**
 * Parse CISA's KEV catalog JSON (`known_exploited_vulnerabilities.json`, schema
 * `known_exploited_vulnerabilities_schema.json`).
 *
 * @param text the file's content
 * @param source where it came from (a path or URL), used in error messages
 * @throws PatchwiseError `PW_INPUT_MALFORMED` when the text is not JSON; `PW_INPUT_INVALID` when it
 *   breaks the schema, naming the entry (`vulnerabilities[3] (CVE-…).dueDate: …`), or lists a CVE twice.
 */
export function parseKev(text: string, source: string): KevCatalog {
  const shape = new ShapeReader(source);
  const root = shape.object(shape.parse(text, 'a CISA KEV catalog'), '');
  const catalogVersion = shape.string(root, 'catalogVersion', '');
  const dateReleased = shape.timestamp(root, 'dateReleased', '');
  const declaredCount = root['count'];
  if (typeof declaredCount !== 'number' || !Number.isInteger(declaredCount) || declaredCount < 0) {
    throw shape.fail('count', 'expected a non-negative integer');
  }
  const list = shape.array(root['vulnerabilities'], 'vulnerabilities');

  const entries = new Map<string, KevEntry>();
  for (const [index, item] of list.entries()) {
    const entry = parseEntry(shape, item, `vulnerabilities[${index}]`);
    if (entries.has(entry.cveId)) throw shape.fail(`vulnerabilities[${index}]`, `${entry.cveId} is listed twice`);
    entries.set(entry.cveId, entry);
  }
  return { source, catalogVersion, dateReleased, declaredCount, entries };
}

function parseEntry(shape: ShapeReader, item: unknown, at: string): KevEntry {
  const obj = shape.object(item, at);
  const rawId = shape.string(obj, 'cveID', at);
  const cveId = normalizeCveId(rawId);
  if (cveId === undefined) throw shape.fail(`${at}.cveID`, `"${rawId}" is not a CVE id`);
  // From here on the CVE id is the most useful name for the entry.
  const path = `${at} (${cveId})`;

  const ransomware = shape.optionalString(obj, 'knownRansomwareCampaignUse', path);
  const knownRansomwareCampaignUse = ransomware === undefined ? false : RANSOMWARE.get(ransomware);
  if (knownRansomwareCampaignUse === undefined) {
    throw shape.fail(`${path}.knownRansomwareCampaignUse`, `expected "Known" or "Unknown", got "${ransomware}"`);
  }

  const cwes: string[] = [];
  const rawCwes = obj['cwes'] ?? [];
  for (const [i, cwe] of shape.array(rawCwes, `${path}.cwes`).entries()) {
    if (typeof cwe !== 'string' || !/^CWE-\d+$/.test(cwe.trim())) {
      throw shape.fail(`${path}.cwes[${i}]`, `expected a CWE id such as "CWE-79", got ${JSON.stringify(cwe)}`);
    }
    cwes.push(cwe.trim());
  }

  const notes = shape.optionalString(obj, 'notes', path);
  return {
    cveId,
    vendorProject: shape.string(obj, 'vendorProject', path),
    product: shape.string(obj, 'product', path),
    vulnerabilityName: shape.string(obj, 'vulnerabilityName', path),
    dateAdded: shape.date(obj, 'dateAdded', path),
    dueDate: shape.date(obj, 'dueDate', path),
    knownRansomwareCampaignUse,
    shortDescription: shape.string(obj, 'shortDescription', path),
    requiredAction: shape.string(obj, 'requiredAction', path),
    ...(notes === undefined ? {} : { notes }),
    cwes,
  };
}
