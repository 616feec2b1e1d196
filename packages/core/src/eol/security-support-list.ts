/**
 * Reads the lists of Debian's `debian-security-support` package: source packages whose security
 * support ended early or is limited. Two layouts exist:
 * - since 1:13 (trixie), one file per release, `security-support.debNN`:
 *   `name status [last-version date] [details]` with status limited | non-supported | supported;
 * - up to 1:12 (bookworm), `security-support-ended.debNN` (`name last-version date [details]`)
 *   and `security-support-limited` (`name [details]`).
 * Columns are separated by one or more spaces or tabs; details are the rest of the line.
 */
import { dataLines, isoDate, malformedData } from './data-lines.js';
import type { PackageSupportStatus, SecuritySupportEntry } from './types.js';

/** Which layout a list file has. */
export type SecuritySupportFormat = 'unified' | 'ended' | 'limited';

const STATUSES: readonly PackageSupportStatus[] = ['non-supported', 'limited', 'supported'];

/**
 * Package names are [a-z0-9+.-]; patterns add `*`. Anything else (brackets, `|`, `\`) would be a
 * regular expression the file format does not use, so it is refused rather than run.
 */
const PATTERN = /^[a-z0-9][a-z0-9+.*-]*$/;

/** The entries of one list file, in file order. PW_INPUT_MALFORMED names `file` and the line. */
export function parseSecuritySupportList(text: string, file: string, format: SecuritySupportFormat): SecuritySupportEntry[] {
  return dataLines(text).map((d) => {
    const at = `${file}:${d.line}`;
    const words = d.text.trim().split(/\s+/);
    const pattern = words[0] ?? '';
    if (!PATTERN.test(pattern) || compilePattern(pattern) === undefined) {
      throw malformedData(file, d.line, `"${pattern}" is not a source package name or pattern`);
    }
    let status: PackageSupportStatus;
    let rest: string[];
    if (format === 'unified') {
      const s = words[1] ?? '';
      if (!(STATUSES as readonly string[]).includes(s)) {
        throw malformedData(file, d.line, `status: "${s}" is not one of ${STATUSES.join(', ')}`);
      }
      status = s as PackageSupportStatus;
      rest = words.slice(2);
    } else {
      status = format === 'ended' ? 'non-supported' : 'limited';
      rest = words.slice(1);
      // One bookworm line reads `hdf5 limited Not covered…`: the newer layout's status word, not details.
      if (format === 'limited' && rest[0] === 'limited') rest = rest.slice(1);
    }
    if (status !== 'non-supported') return { pattern, status, details: joined(rest), at };
    const [lastVersion, date] = rest;
    if (lastVersion === undefined || date === undefined) {
      throw malformedData(file, d.line, `${pattern}: a non-supported entry needs the last supported version and a date`);
    }
    if (!/^[A-Za-z0-9.+~:-]+$/.test(lastVersion)) {
      throw malformedData(file, d.line, `${pattern}: "${lastVersion}" is not a Debian version`);
    }
    return { pattern, status, lastVersion, date: isoDate(date, file, d.line, 'date'), details: joined(rest.slice(2)), at };
  });
}

function joined(words: readonly string[]): string | undefined {
  return words.length > 0 ? words.join(' ') : undefined;
}

/**
 * check-support-status matches a pattern with `grep -P -x` (whole name, Perl regex). Patterns are
 * limited to names plus `.` and `*`, so the same semantics are `.` = any character and `*` =
 * repeat the previous one (`golang.*`; `golang*` in the deb10 list matches only golan, golang,
 * golangg…, exactly as upstream does). `+` is taken literally: it occurs in package names
 * (`libstdc++`) and no list uses it as a quantifier. Undefined when the pattern cannot compile.
 */
export function compilePattern(pattern: string): RegExp | undefined {
  const src = pattern.replace(/[+-]/g, '\\$&');
  try {
    return new RegExp(`^(?:${src})$`);
  } catch {
    // `a**` has nothing to repeat: a damaged line, reported by the caller.
    return undefined;
  }
}
