/**
 * OSV records shaped like the Debian security advisories osv.dev publishes (ecosystem
 * `Debian:12`, named by source package, one range "introduced 0 → fixed X"). The project's data
 * has no Debian feed, so tests write them: real advisory ids and CVEs of the named source
 * package, with a fixed version the test chooses relative to what is installed.
 */
export interface DebianAdvisory {
  /** A real DSA or DLA id of `source`. */
  readonly id: string;
  /** The Debian source package (advisories name sources, not binaries). */
  readonly source: string;
  readonly fixed: string;
  /** Its real CVE ids. */
  readonly cves: readonly string[];
  readonly published: string;
  readonly summary: string;
}

/** One OSV 1.6 record. CVEs go in `related`, as osv.dev's Debian records carried them. */
export function debianOsvRecord(a: DebianAdvisory) {
  return {
    schema_version: '1.6.0',
    id: a.id,
    published: `${a.published}T00:00:00Z`,
    modified: `${a.published}T00:00:00Z`,
    summary: a.summary,
    related: [...a.cves],
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: a.source, purl: `pkg:deb/debian/${a.source}?arch=source` },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: a.fixed }] }],
      },
    ],
    references: [{ type: 'ADVISORY', url: `https://security-tracker.debian.org/tracker/${a.id}` }],
  };
}

/** A feed file as the import endpoint takes it: a JSON array of OSV records. */
export function osvFeedFile(advisories: readonly DebianAdvisory[]): Buffer {
  return Buffer.from(JSON.stringify(advisories.map(debianOsvRecord)));
}

/**
 * A version dpkg orders after `installed` whatever the mirror served today: a stable update's
 * suffix on top of it (`2.36-9+deb12u14` → `2.36-9+deb12u14+deb12u99`), as if the advisory had
 * been fixed in a later point release than the one debootstrap installed.
 */
export function laterStableUpdate(installed: string): string {
  return `${installed}+deb12u99`;
}
