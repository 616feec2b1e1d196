import { PatchwiseError } from '../errors/index.js';

/** A parsed JSON object. */
export type JsonObject = Readonly<Record<string, unknown>>;

/**
 * Reads untrusted JSON field by field. Every failure is a `PatchwiseError` that names the source
 * (the file the caller read) and the path inside it (`vulnerabilities[12].dueDate`), so a bad
 * entry in a 1,400-entry catalog can be found without a debugger.
 */
export class ShapeReader {
  constructor(readonly source: string) {}

  /** Parse JSON text; a syntax error is `PW_INPUT_MALFORMED`. */
  parse(text: string, what: string): unknown {
    if (typeof text !== 'string') throw this.fail('', `expected ${what} as text, got ${typeof text}`);
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new PatchwiseError('PW_INPUT_MALFORMED', `not valid JSON (${what}): ${detail}`, {
        input: this.source,
        cause: err,
      });
    }
  }

  /** A `PW_INPUT_INVALID` error about `path` in this source. */
  fail(path: string, reason: string): PatchwiseError {
    return new PatchwiseError('PW_INPUT_INVALID', path ? `${path}: ${reason}` : reason, { input: this.source });
  }

  /** `value` as an object (not null, not an array). */
  object(value: unknown, path: string): JsonObject {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw this.fail(path, `expected an object, got ${describe(value)}`);
    }
    return value as JsonObject;
  }

  /** `value` as an array. */
  array(value: unknown, path: string): readonly unknown[] {
    if (!Array.isArray(value)) throw this.fail(path, `expected an array, got ${describe(value)}`);
    return value;
  }

  /** A required string field, trimmed; empty counts as missing. */
  string(obj: JsonObject, key: string, path: string): string {
    const value = this.optionalString(obj, key, path);
    if (value === undefined) throw this.fail(`${path}.${key}`, 'missing required string');
    return value;
  }

  /** An optional string field, trimmed; absent, null or blank gives `undefined`. */
  optionalString(obj: JsonObject, key: string, path: string): string | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') throw this.fail(`${path}.${key}`, `expected a string, got ${describe(value)}`);
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }

  /** A required calendar date `YYYY-MM-DD`. */
  date(obj: JsonObject, key: string, path: string): string {
    const value = this.string(obj, key, path);
    if (!isIsoDate(value)) throw this.fail(`${path}.${key}`, `"${value}" is not a YYYY-MM-DD date`);
    return value;
  }

  /** A required timestamp that begins with a valid `YYYY-MM-DD` and that `Date.parse` accepts. */
  timestamp(obj: JsonObject, key: string, path: string): string {
    const value = this.string(obj, key, path);
    if (!isIsoDate(value.slice(0, 10)) || Number.isNaN(Date.parse(value))) {
      throw this.fail(`${path}.${key}`, `"${value}" is not an ISO 8601 date-time`);
    }
    return value;
  }
}

/** Whether `text` is a real calendar date written `YYYY-MM-DD` (so not 2023-02-30). */
export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 80);
}
