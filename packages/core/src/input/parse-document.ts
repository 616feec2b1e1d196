import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { PatchwiseError } from '../errors/index.js';
import { DEFAULT_LIMITS } from './limits.js';

/**
 * Parses JSON and checks its nesting depth. V8's JSON.parse copes with deep nesting, but every
 * recursive consumer after it (structured clone, JSON.stringify, YAML) would not, so deep
 * documents are refused here, once, at the door.
 */
export function parseJson(text: string, source: string, maxDepth = DEFAULT_LIMITS.maxDepth): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new PatchwiseError('PW_INPUT_MALFORMED', `not valid JSON (${(err as Error).message})`, {
      input: source,
      cause: err,
    });
  }
  assertDepth(value, maxDepth, source);
  return value;
}

// Loaded on first use, synchronously (parseYaml is synchronous): most runs read only JSON, and
// the library costs start-up time on every run (issue 2).
let yaml: typeof Yaml | undefined;

/** Parses one YAML document (aliases capped by the library against "billion laughs"). */
export function parseYaml(text: string, source: string, maxDepth = DEFAULT_LIMITS.maxDepth): unknown {
  let value: unknown;
  try {
    yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
    value = yaml.parse(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (err) {
    if (err instanceof RangeError || /call stack/i.test((err as Error).message)) {
      throw new PatchwiseError('PW_INPUT_TOO_DEEP', `YAML nested too deep to read (limit ${maxDepth})`, {
        input: source,
      });
    }
    const message = (err as Error).message.split('\n')[0] ?? 'parse error';
    throw new PatchwiseError('PW_INPUT_MALFORMED', `not valid YAML (${message})`, { input: source, cause: err });
  }
  assertDepth(value, maxDepth, source);
  return value;
}

/** Throws PW_INPUT_TOO_DEEP when arrays/objects nest deeper than `maxDepth`. Iterative: no recursion. */
export function assertDepth(value: unknown, maxDepth: number, source: string): void {
  if (typeof value !== 'object' || value === null) return;
  const stack: unknown[] = [value];
  const depths: number[] = [1];
  while (stack.length > 0) {
    const node = stack.pop() as object;
    const depth = depths.pop() as number;
    if (depth > maxDepth) {
      throw new PatchwiseError('PW_INPUT_TOO_DEEP', `nested deeper than ${maxDepth} levels`, { input: source });
    }
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) {
        stack.push(child);
        depths.push(depth + 1);
      }
    }
  }
}

/** Decodes bytes as UTF-8 text, dropping a leading byte-order mark. */
export function decodeText(bytes: Uint8Array): string {
  return stripBom(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
