import { readFileSync, statSync } from 'node:fs';
import { PatchwiseError, parseJson, parseYaml } from '@patchwise/core';

/** Policy files are short; anything bigger is the wrong file. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * A small YAML or JSON file (a baseline, a policy document) as an object; the server validates
 * its content and names the field. `what` says what the file should be, for the error.
 */
export function readDocumentFile(file: string, what: string): Record<string, unknown> {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new PatchwiseError('PW_INPUT_TOO_LARGE', `a ${what} file is larger than 1 MiB`, { input: file });
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof PatchwiseError) throw err;
    throw new PatchwiseError('PW_INPUT_UNREADABLE', (err as Error).message, { input: file });
  }
  // A .yaml file is YAML even when it opens with `{`: a flow mapping (`{version: 1}`) is not JSON.
  const json = /\.json$/i.test(file) || (!/\.ya?ml$/i.test(file) && /^\s*[[{]/.test(text));
  const value = json ? parseJson(text, file) : parseYaml(text, file);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PatchwiseError('PW_INPUT_INVALID', `expected a ${what}: an object`, { input: file });
  return value as Record<string, unknown>;
}
