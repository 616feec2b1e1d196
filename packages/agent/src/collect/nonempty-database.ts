/** The rule every distribution-database reader applies before its packages leave the agent. */
import { PatchwiseError } from '@patchwise/core';
import type { CollectedPackages } from './collected-packages.js';

/**
 * `collected` unchanged when it holds packages. A package database that exists but lists none
 * is refused (PW_INPUT_INVALID naming `source`): no system runs without packages, so it is a
 * truncated file, one being rewritten, or a format this reader cannot see into, and sending it
 * as an empty host would make the server close every finding of that host as fixed.
 */
export function requirePackages(collected: CollectedPackages, source: string): CollectedPackages {
  if (collected.packages.length > 0) return collected;
  const skipped = collected.skipped.map((s) => `${s.count} ${s.reason}`).join(', ');
  throw new PatchwiseError(
    'PW_INPUT_INVALID',
    `the package database exists but lists no installed packages${skipped ? ` (skipped: ${skipped})` : ''}; refusing to report the host as having none`,
    { input: source },
  );
}
