import { createHash } from 'node:crypto';
import { parseOsvRecord, type Advisory } from '../advisories/index.js';
import { parseEpss, parseKev, parseNvd, type NvdRecord } from '../enrichment/index.js';
import { PatchwiseError } from '../errors/index.js';
import { DEFAULT_LIMITS, listInputFiles, parseJson, parseYaml, readInputFile, type InputLimits } from '../input/index.js';
import { epssEdition, kevEdition, type DocumentEdition } from './document-edition.js';
import { isFeedDocumentName } from './feed-files.js';

/** One OSV record ready to store: its canonical JSON, digest, and what it parses to. */
export interface OsvRecordInput {
  readonly id: string;
  readonly modified: Date | null;
  readonly json: string;
  readonly digest: string;
  readonly advisory: Advisory;
}

/** One NVD CVE record ready to store: what Patchwise keeps of it, as JSON, and its digest. */
export interface NvdRecordInput {
  readonly record: NvdRecord;
  readonly json: string;
  readonly digest: string;
}

/** A whole enrichment document (KEV catalog, EPSS CSV), kept as text. */
export interface EnrichmentDocument {
  readonly kind: 'kev' | 'epss';
  readonly text: string;
  readonly count: number;
  readonly digest: string;
  /** The file (or archive entry) it was read from, for messages. */
  readonly source: string;
  /** Which release it is, so an older or altered copy does not replace a held one. */
  readonly edition: DocumentEdition;
}

/** What a set of feed files holds, sorted by kind; nothing is stored yet. */
export interface FeedBatch {
  readonly records: OsvRecordInput[];
  readonly documents: EnrichmentDocument[];
  /**
   * NVD CVE records, from every page read: stored one per CVE (not as pages), so a page synced
   * again or a newer one replaces what it covers instead of piling up beside it.
   */
  readonly nvd: NvdRecordInput[];
  /** The NVD pages they came from, for what an import says it read. */
  readonly nvdPages: string[];
  readonly problems: PatchwiseError[];
  readonly warnings: string[];
}

/**
 * Reads feed files (OSV records as JSON/YAML files, directories, .zip or .tar.gz; the CISA KEV
 * JSON; an EPSS CSV; NVD CVE API 2.0 pages) and sorts them by what their content is. Every
 * document is validated in full before anything is stored, so a corrupt file changes nothing.
 * An archive that cannot be read to its end (truncated, corrupt) adds nothing but its problem:
 * the records before the cut are a random part of the feed, and importing them would mix a
 * partial feed into what is held. Records malformed one by one inside a whole archive are left
 * out as problems, and the others are kept.
 */
export async function readFeedBatch(paths: readonly string[], limits: InputLimits = DEFAULT_LIMITS): Promise<FeedBatch> {
  const batch = emptyBatch();
  for (const file of listInputFiles(paths)) {
    if (file.kind === 'problem') {
      batch.problems.push(file.error);
      continue;
    }
    // Gathered per file, and added only once the file was read to its end.
    let part = emptyBatch();
    for await (const item of readInputFile(file.path, file.root, limits)) {
      if (item.kind === 'problem') {
        if (item.incomplete) part = { ...emptyBatch(), problems: [incompleteArchive(item.error)] };
        else part.problems.push(item.error);
        continue;
      }
      if (item.name !== item.root && !isFeedDocumentName(item.name)) continue;
      try {
        addDocument(item.text, item.name, limits, part);
      } catch (err) {
        if (!(err instanceof PatchwiseError)) throw err;
        part.problems.push(err.withInput(item.name));
      }
    }
    // One by one: an archive holds up to hundreds of thousands of records, too many for push(...spread).
    for (const r of part.records) batch.records.push(r);
    for (const d of part.documents) batch.documents.push(d);
    for (const n of part.nvd) batch.nvd.push(n);
    for (const n of part.nvdPages) batch.nvdPages.push(n);
    for (const p of part.problems) batch.problems.push(p);
    for (const w of part.warnings) batch.warnings.push(w);
  }
  return batch;
}

function emptyBatch(): FeedBatch {
  return { records: [], documents: [], nvd: [], nvdPages: [], problems: [], warnings: [] };
}

/** The error that cut an archive short, saying that nothing of the archive is used. */
function incompleteArchive(error: PatchwiseError): PatchwiseError {
  const reason = error.input && error.message.startsWith(`${error.input}: `) ? error.message.slice(error.input.length + 2) : error.message;
  return new PatchwiseError(error.code, `${reason}; nothing in it was imported`, { ...(error.input ? { input: error.input } : {}), cause: error });
}

function addDocument(text: string, name: string, limits: InputLimits, batch: FeedBatch): void {
  const head = text.trimStart();
  if (head.startsWith('#model_version') || /^cve,epss/i.test(head)) {
    const scores = parseEpss(text, name);
    batch.documents.push({ kind: 'epss', text, count: scores.scores.size, digest: sha256(text), source: name, edition: epssEdition(scores) });
    return;
  }
  const isJson = head.startsWith('{') || head.startsWith('[');
  if (!isJson && (/\.csv(\.gz)?$/i.test(name) || /^cveID,/.test(head))) {
    // CISA also publishes KEV as CSV; it is read as JSON only (the same catalog, with its schema).
    const what = /^cveID,/.test(head) ? 'the CISA KEV catalog as CSV: import its JSON (known_exploited_vulnerabilities.json)' : 'a CSV other than FIRST EPSS scores';
    throw new PatchwiseError('PW_INPUT_FORMAT_UNKNOWN', `not a supported feed file: ${what}`, { input: name });
  }
  const value = isJson ? parseJson(text, name, limits.maxDepth) : parseFeedYaml(text, name, limits);
  if (isObject(value) && 'catalogVersion' in value) {
    const catalog = parseKev(text, name);
    batch.documents.push({ kind: 'kev', text, count: catalog.entries.size, digest: sha256(text), source: name, edition: kevEdition(catalog) });
    return;
  }
  if (isObject(value) && value.format === 'NVD_CVE') {
    for (const record of parseNvd(text, name).values()) {
      const json = JSON.stringify(record);
      batch.nvd.push({ record, json, digest: sha256(json) });
    }
    batch.nvdPages.push(name);
    return;
  }
  const records = Array.isArray(value) ? value : [value];
  records.forEach((record, i) => {
    const where = records.length > 1 ? `${name}[${i}]` : name;
    try {
      if (!looksLikeOsv(record)) throw new PatchwiseError('PW_INPUT_FORMAT_UNKNOWN', `not an OSV record, nor ${OTHER_FEEDS}`, { input: where });
      const { advisory, warnings } = parseOsvRecord(record, where);
      for (const w of warnings) batch.warnings.push(`${where} (${advisory.id}): ${w}`);
      const json = JSON.stringify(record);
      const modified = isObject(record) && typeof record.modified === 'string' ? new Date(record.modified) : null;
      batch.records.push({ id: advisory.id, modified: modified && !isNaN(modified.getTime()) ? modified : null, json, digest: sha256(json), advisory });
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      batch.problems.push(err);
    }
  });
}

const OTHER_FEEDS = 'the CISA KEV catalog (JSON), FIRST EPSS scores (CSV) or an NVD CVE API 2.0 page';

/**
 * Whether a value is meant as an OSV record (it has one of the fields every record has), so that
 * some other JSON is named as such rather than as an OSV record missing its id.
 */
function looksLikeOsv(value: unknown): boolean {
  return isObject(value) && ('id' in value || 'modified' in value || 'affected' in value || 'schema_version' in value);
}

/** YAML is the last guess for a file that is not JSON or CSV: a file not named .yaml is named as unsupported. */
function parseFeedYaml(text: string, name: string, limits: InputLimits): unknown {
  try {
    return parseYaml(text, name, limits.maxDepth);
  } catch (err) {
    if (!(err instanceof PatchwiseError) || /\.ya?ml(\.gz)?$/i.test(name)) throw err;
    throw new PatchwiseError('PW_INPUT_FORMAT_UNKNOWN', `not a supported feed file: neither JSON nor YAML (OSV records), nor ${OTHER_FEEDS}`, { input: name, cause: err });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
