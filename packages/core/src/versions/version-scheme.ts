/**
 * A version scheme parses a version string once into a comparable value and compares parsed
 * values many times. Parse errors are PatchwiseError PW_VERSION_INVALID naming the string;
 * a scheme never guesses.
 */
export type SchemeId = 'dpkg' | 'rpm' | 'apk' | 'pep440' | 'semver' | 'maven' | 'rubygems' | 'composer' | 'nuget' | 'hex' | 'pub' | 'generic';

export interface VersionScheme<V = unknown> {
  readonly id: SchemeId;
  /** Parses `text`; throws PatchwiseError('PW_VERSION_INVALID') naming `text` and the reason. */
  parse(text: string): V;
  /** Total order on parsed versions: negative, zero or positive (callers use the sign only). */
  compare(a: V, b: V): number;
}
