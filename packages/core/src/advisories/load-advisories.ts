import { PatchwiseError } from '../errors/index.js';
import { parseJson, parseYaml, readInputs, type InputLimits, DEFAULT_LIMITS } from '../input/index.js';
import { parseOsvRecord } from './osv-record.js';
import type { Advisory } from './types.js';

export interface AdvisoryLoadResult {
  readonly advisories: Advisory[];
  /** Documents or records that could not be read at all. */
  readonly problems: PatchwiseError[];
  /** Parts of records that were left out, each naming the record. */
  readonly warnings: string[];
  /** Records marked withdrawn: read, but never matched. */
  withdrawn: number;
}

const ADVISORY_FILE = /\.(json|ya?ml)$/i;

/**
 * Reads OSV advisories from files, directories and archives. Inside directories and archives
 * only `.json`, `.yaml` and `.yml` files are advisories (feeds ship README and LICENSE files
 * beside them); a file named directly is read whatever its name.
 */
export async function loadAdvisories(paths: readonly string[], limits: InputLimits = DEFAULT_LIMITS): Promise<AdvisoryLoadResult> {
  const result: AdvisoryLoadResult = { advisories: [], problems: [], warnings: [], withdrawn: 0 };
  for await (const item of readInputs(paths, limits)) {
    if (item.kind === 'problem') {
      result.problems.push(item.error);
      continue;
    }
    if (item.name !== item.root && !ADVISORY_FILE.test(item.name)) continue;
    try {
      addDocument(item.text, item.name, limits, result);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      result.problems.push(err.withInput(item.name));
    }
  }
  return result;
}

/** Parses one document holding an OSV record, or a JSON list of them, into `result`. */
function addDocument(text: string, name: string, limits: InputLimits, result: AdvisoryLoadResult): void {
  const value = looksLikeJson(text, name) ? parseJson(text, name, limits.maxDepth) : parseYaml(text, name, limits.maxDepth);
  const records = Array.isArray(value) ? value : [value];
  records.forEach((record, i) => {
    const where = records.length > 1 ? `${name}[${i}]` : name;
    try {
      const { advisory, warnings } = parseOsvRecord(record, where);
      for (const w of warnings) result.warnings.push(`${where} (${advisory.id}): ${w}`);
      if (advisory.withdrawn) result.withdrawn++;
      else result.advisories.push(advisory);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      result.problems.push(err);
    }
  });
}

function looksLikeJson(text: string, name: string): boolean {
  if (/\.json$/i.test(name)) return true;
  if (/\.ya?ml$/i.test(name)) return false;
  const first = text.trimStart()[0];
  return first === '{' || first === '[';
}
