/** A CycloneDX SBOM of an application's libraries, as SBOM tools write one: each component named by its purl. */
export function librarySbom(host: string, purls: readonly string[]): unknown {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    metadata: { component: { type: 'application', name: host } },
    components: purls.map((purl) => ({ type: 'library', name: purl.replace(/@.*/, '').split('/').pop(), purl })),
  };
}

/** What `scan --format json` prints, as far as the library tests read it. */
export interface LibraryScanJson {
  hosts: { host: string; findings: { advisory: string; package: string; installed: string; fixed: string | null; severity: string | null }[] }[];
}
