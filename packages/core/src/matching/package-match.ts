import type { Advisory } from '../advisories/index.js';

/** One advisory that applies to one (ecosystem, name, version). */
export interface PackageMatch {
  readonly advisory: Advisory;
  /** The nearest fixed version above the installed one, when known. */
  readonly fixed?: string | undefined;
  /** Something the fix needs that the advisory's text does not say (an Ubuntu Pro subscription). */
  readonly note?: string | undefined;
}
