import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import { schemeFor } from '@patchwise/core/assessment';
import { BufferedWriter } from '../output/index.js';

/**
 * `patchwise version compare --ecosystem NAME`: reads `A B` lines and prints -1, 0 or 1 per
 * line, or `error: …` for a line that cannot be compared, so that output lines stay aligned with
 * input lines. Returns the exit code: 0 when every line compared, 2 when any could not.
 */
export async function versionCompare(ecosystem: string, input: Readable, output: Writable): Promise<number> {
  const scheme = schemeFor(ecosystem); // unknown ecosystem: PW_ECOSYSTEM_UNKNOWN, exit 2 by the caller
  const out = new BufferedWriter(output);
  let failed = false;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const parts = line.trim().split(/\s+/);
    let answer: string;
    if (parts.length !== 2 || parts[0] === '') {
      answer = `error: expected two versions separated by white space, got "${line}"`;
    } else {
      try {
        const c = scheme.compare(scheme.parse(parts[0] as string), scheme.parse(parts[1] as string));
        answer = c < 0 ? '-1' : c > 0 ? '1' : '0';
      } catch (err) {
        answer = `error: ${(err as Error).message}`;
      }
    }
    if (answer.startsWith('error:')) failed = true;
    await out.write(`${answer}\n`);
  }
  await out.close();
  return failed ? 2 : 0;
}
