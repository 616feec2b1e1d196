import type { Advisory } from '../advisories/index.js';

/** One advisory that applies to one (ecosystem, name, version). */
export interface PackageMatch {
  readonly advisory: Advisory;
  /** The nearest fixed version above the installed one, when known. */
  readonly fixed?: string | undefined;
}
