import { PatchwiseError } from '../errors/index.js';
import { parseJson, parseYaml, readInputs, type InputLimits, DEFAULT_LIMITS } from '../input/index.js';
import { parseOsvRecord } from './osv-record.js';
import { RecordRevisions } from './record-revisions.js';
import type { Advisory } from './types.js';

export interface AdvisoryLoadResult {
  readonly advisories: Advisory[];
  /** Documents or records that could not be read at all. */
  readonly problems: PatchwiseError[];
  /** Parts of records that were left out, each naming the record; copies of an id left out for a differing one. */
  readonly warnings: string[];
  /** Records marked withdrawn: read, but never matched. */
  withdrawn: number;
  /**
   * Records left out because another record with the same id was kept (see RecordRevisions):
   * `identical` copies, only counted (AlmaLinux files a multi-release advisory once per release
   * directory), and `differing` ones, each also named in `warnings`.
   */
  duplicates: { identical: number; differing: number };
}

const ADVISORY_FILE = /\.(json|ya?ml)$/i;

/**
 * Reads OSV advisories from files, directories and archives. Inside directories and archives
 * only `.json`, `.yaml` and `.yml` files are advisories (feeds ship README and LICENSE files
 * beside them); a file named directly is read whatever its name. One record is kept per id.
 */
export async function loadAdvisories(paths: readonly string[], limits: InputLimits = DEFAULT_LIMITS): Promise<AdvisoryLoadResult> {
  const problems: PatchwiseError[] = [];
  const warnings: string[] = [];
  const revisions = new RecordRevisions();
  for await (const item of readInputs(paths, limits)) {
    if (item.kind === 'problem') {
      problems.push(item.error);
      continue;
    }
    if (item.name !== item.root && !ADVISORY_FILE.test(item.name)) continue;
    try {
      addDocument(item.text, item.name, limits, revisions, problems, warnings);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      problems.push(err.withInput(item.name));
    }
  }
  const kept = revisions.kept();
  warnings.push(...revisions.warnings());
  // Withdrawn is decided on the copy kept: a later revision may withdraw a record or restore it.
  const advisories = kept.filter((a) => !a.withdrawn);
  return { advisories, problems, warnings, withdrawn: kept.length - advisories.length, duplicates: revisions.duplicates() };
}

/** Parses one document holding an OSV record, or a JSON list of them, into `revisions`. */
function addDocument(text: string, name: string, limits: InputLimits, revisions: RecordRevisions, problems: PatchwiseError[], warnings: string[]): void {
  const value = looksLikeJson(text, name) ? parseJson(text, name, limits.maxDepth) : parseYaml(text, name, limits.maxDepth);
  const records = Array.isArray(value) ? value : [value];
  records.forEach((record, i) => {
    const where = records.length > 1 ? `${name}[${i}]` : name;
    try {
      const { advisory, warnings: left } = parseOsvRecord(record, where);
      for (const w of left) warnings.push(`${where} (${advisory.id}): ${w}`);
      revisions.add(advisory);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      problems.push(err);
    }
  });
}

function looksLikeJson(text: string, name: string): boolean {
  if (/\.json$/i.test(name)) return true;
  if (/\.ya?ml$/i.test(name)) return false;
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}
