/**
 * The rpm database as `rpm -qa` prints it with Patchwise's query format: one package per line,
 * six tab-separated fields. rpm's default output (`name-version-release.arch`) cannot be split
 * reliably (names and versions both contain dashes) and has no epoch, hence a fixed format.
 */
import { malformed, splitLines } from './lines.js';
import { parseSourceRpm, withEpoch } from './package-version.js';
import { SkipTally } from './result.js';
import type { DistroPackage, DistroPackagesResult } from './result.js';

/**
 * The `--qf` argument that produces this format (docs/inventory-format.md), used by the agent too.
 * The backslash escapes are rpm's, not JavaScript's: rpm turns `\t` into a tab.
 */
export const RPM_QA_QUERY_FORMAT = '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n';

/** rpm prints this for a tag the header does not have (EPOCH, ARCH and SOURCERPM of gpg-pubkey). */
const NONE = '(none)';

/**
 * Reads `rpm -qa --qf '%{NAME}\t%{EPOCH}\t%{VERSION}\t%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\n'`.
 * Version: `[EPOCH:]VERSION-RELEASE`, epoch left out when `(none)` or 0 (see withEpoch).
 * Source: the name, version and release from the SOURCERPM file name, with the binary's epoch.
 * `gpg-pubkey` entries (imported signing keys, not software) are counted in `skipped`.
 * Blank lines are ignored. Throws PW_INPUT_MALFORMED naming the line when a line does not have
 * six fields, a required field is empty, or the epoch is neither a number nor `(none)`.
 */
export function parseRpmQa(text: string, source: string): DistroPackagesResult {
  const packages: DistroPackage[] = [];
  const skipped = new SkipTally();
  const lines = splitLines(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const f = line.split('\t');
    if (f.length !== 6) throw malformed(source, i + 1, `expected 6 tab-separated fields, found ${f.length}`);
    const [name, epochField, ver, rel, archField, srpm] = f as [string, string, string, string, string, string];
    if (name === 'gpg-pubkey') {
      skipped.add('rpm gpg-pubkey (signing key, not software)');
      continue;
    }
    if (name === '' || ver === '' || rel === '') throw malformed(source, i + 1, 'NAME, VERSION and RELEASE must not be empty');
    const epoch = epochField === NONE ? '' : epochField;
    if (epoch !== '' && !/^\d+$/.test(epoch)) throw malformed(source, i + 1, `EPOCH "${epochField}" is not a number or (none)`);
    const version = withEpoch(`${ver}-${rel}`, epoch);
    const src = parseSourceRpm(srpm, epoch);
    const arch = archField === NONE || archField === '' ? undefined : archField;
    packages.push({ name, version, sourceName: src?.name, sourceVersion: src?.version, arch });
  }
  return { packages, skipped: skipped.toArray() };
}
