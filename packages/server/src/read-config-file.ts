import { readFile, stat } from 'node:fs/promises';
import { PatchwiseError, parseJson, parseSlaPolicy, parseYaml, type SlaPolicy } from '@patchwise/core';

/** Config files are short; a big one is a mistake (the wrong file passed). */
const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * Reads a YAML or JSON config file given on the command line. Every failure is
 * PW_CONFIG_INVALID naming the file (exit 2), syntax errors included.
 */
export async function readConfigFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    if ((await stat(path)).size > MAX_CONFIG_BYTES) throw new PatchwiseError('PW_CONFIG_INVALID', `the ${what} file is larger than 1 MiB`, { input: path });
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (err instanceof PatchwiseError) throw err;
    throw new PatchwiseError('PW_CONFIG_INVALID', `cannot read the ${what} file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, { input: path });
  }
  try {
    return /^\s*[[{]/.test(text) ? parseJson(text, path) : parseYaml(text, path);
  } catch (err) {
    if (err instanceof PatchwiseError) throw new PatchwiseError('PW_CONFIG_INVALID', err.message, { cause: err });
    throw err;
  }
}

/** `patchwise server --sla FILE`: the SLA matrix (docs/sla.md), validated before the server starts. */
export async function loadSlaPolicy(path: string): Promise<SlaPolicy> {
  return parseSlaPolicy(await readConfigFile(path, 'SLA policy'), path);
}
