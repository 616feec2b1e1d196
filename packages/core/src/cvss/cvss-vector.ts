import { PatchwiseError } from '../errors/index.js';
import { CVSS_GRAMMARS, isCvssVersion } from './cvss-metrics.js';
import type { CvssVersion } from './cvss-metrics.js';

/** A CVSS vector that passed validation. */
export interface ParsedCvssVector {
  readonly version: CvssVersion;
  /** Every metric the vector carries, by abbreviation (`AV` → `N`). */
  readonly metrics: ReadonlyMap<string, string>;
  /**
   * The vector rewritten with its metrics in specification order: `CVSS:3.1/AV:N/…` for v3 and v4,
   * the bare NVD form `AV:N/AC:L/Au:N/…` for v2 (no prefix, no parentheses).
   */
  readonly vector: string;
  /** The canonical vector restricted to the base metrics: what the base score depends on. */
  readonly baseVector: string;
}

// Messages quote the vector; a pathological input must not turn into a megabyte-long message.
const MAX_QUOTED = 200;

function quoted(input: string): string {
  return input.length > MAX_QUOTED ? `${input.slice(0, MAX_QUOTED)}…` : input;
}

function invalid(input: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_INVALID', `invalid CVSS vector: ${reason}`, {
    input: quoted(input),
  });
}

/**
 * Parse and validate a CVSS vector string of version 2.0, 3.0, 3.1 or 4.0.
 *
 * Accepted forms: `AV:N/AC:L/Au:N/C:P/I:P/A:P` (v2, as NVD writes it), the same in parentheses
 * `(AV:N/…)` or with a `CVSS:2.0/` prefix, and `CVSS:3.0/…`, `CVSS:3.1/…`, `CVSS:4.0/…`.
 * Metrics may come in any order (real feeds do not always follow the specification order), but
 * every base metric must be present, each at most once, with a value its version defines; names
 * and values are case-sensitive as the specifications say (`Au`, `U:Clear`).
 *
 * @throws PatchwiseError `PW_INPUT_INVALID`, whose message quotes the vector and says what is wrong.
 */
export function parseCvssVector(input: string): ParsedCvssVector {
  if (typeof input !== 'string') {
    throw new PatchwiseError('PW_INPUT_INVALID', `invalid CVSS vector: expected a string, got ${typeof input}`);
  }
  let text = input.trim();
  // NVD's v2 feeds once wrapped vectors in parentheses; accept that form.
  if (text.startsWith('(') && text.endsWith(')')) text = text.slice(1, -1).trim();

  let version: CvssVersion = '2.0';
  let body = text;
  if (text.startsWith('CVSS:')) {
    const slash = text.indexOf('/');
    const declared = slash < 0 ? text.slice(5) : text.slice(5, slash);
    if (!isCvssVersion(declared)) throw invalid(input, `unsupported version "CVSS:${declared}"`);
    version = declared;
    body = slash < 0 ? '' : text.slice(slash + 1);
  }
  if (body === '') throw invalid(input, 'no metrics');

  const grammar = CVSS_GRAMMARS[version];
  const metrics = new Map<string, string>();
  const parts = body.split('/');
  for (const [index, part] of parts.entries()) {
    if (part === '') {
      throw invalid(input, `empty metric at position ${index + 1} (doubled or trailing "/")`);
    }
    const colon = part.indexOf(':');
    if (colon <= 0 || colon === part.length - 1) {
      throw invalid(input, `"${part}" is not of the form METRIC:VALUE`);
    }
    const name = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const allowed = grammar.values.get(name);
    if (!allowed) throw invalid(input, `unknown metric "${name}" for CVSS ${version}`);
    if (!allowed.has(value)) {
      throw invalid(input, `metric ${name} has unknown value "${value}" (allowed: ${[...allowed].join(', ')})`);
    }
    if (metrics.has(name)) throw invalid(input, `duplicate metric ${name}`);
    metrics.set(name, value);
  }

  const missing = [...grammar.mandatory].filter((name) => !metrics.has(name));
  if (missing.length > 0) {
    throw invalid(input, `missing mandatory metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  }

  const prefix = version === '2.0' ? '' : `CVSS:${version}/`;
  const render = (names: readonly string[]): string =>
    prefix +
    names
      .filter((name) => metrics.has(name))
      .map((name) => `${name}:${metrics.get(name)}`)
      .join('/');
  return {
    version,
    metrics,
    vector: render(grammar.order),
    baseVector: render(grammar.order.filter((name) => grammar.mandatory.has(name))),
  };
}
