/**
 * Failed package scriptlets in the output of an rpm transaction. rpm does not undo a package
 * whose %post (or %postun, %posttrans…) fails: the new version stays installed and the old one is
 * gone, rpm only warns, and dnf 4 and yum 3 then finish with "Complete!" and exit 0 (verified
 * with real dnf in test/e2e/rpm-drivers-real.test.ts). So a driver must read the output to know
 * that the transaction did not do what it should.
 *
 * The lines come from librpm itself (lib/rpmscript.c), whatever the front end, and from dnf's and
 * yum's summaries; runners set LC_ALL=C, so they are not translated.
 */
import type { CommandRecord } from '@patchwise/core';

const PATTERNS: readonly RegExp[] = [
  // librpm: `warning: %post(pw-broken-1.1-1.noarch) scriptlet failed, exit status 1` (or `signal 9`).
  /^(?:warning|error): (%\w+\(\S+\) scriptlet failed, (?:exit status|signal) \d+)$/,
  // dnf 4: `Error in POSTIN scriptlet in rpm package pw-broken`.
  /^(Error in \w+ scriptlet in rpm package \S+)$/,
  // yum 3: `Non-fatal POSTIN scriptlet failure in rpm package pw-broken-1.1-1.noarch`.
  /^(Non-fatal \w+ scriptlet failure in rpm package \S+)$/,
];

/**
 * What the record says about failed scriptlets, one line each (empty when none failed). Only
 * the kept tail of each stream is read (64 KiB by default): rpm's warning on stdout can scroll
 * out of a huge transaction's tail, dnf's summary line on stderr, which stays short, does not.
 */
export function rpmScriptletFailures(record: Pick<CommandRecord, 'stdout' | 'stderr'>): string[] {
  const found: string[] = [];
  for (const line of `${record.stdout}\n${record.stderr}`.split('\n')) {
    for (const pattern of PATTERNS) {
      const m = pattern.exec(line.trim());
      if (m?.[1] && !found.includes(m[1])) found.push(m[1]);
    }
  }
  return found;
}
