/** Small OSV records and inventories shaped like the real AlmaLinux and PyPI feeds. */
export function almaAdvisory(id: string, pkg: string, fixed: string, opts: { cve?: string; summary?: string } = {}) {
  return {
    schema_version: '1.6.0',
    id,
    modified: '2026-10-01T00:00:00Z',
    published: '2026-09-01T00:00:00Z',
    summary: opts.summary ?? `Important: ${pkg} security update`,
    related: opts.cve ? [opts.cve] : [],
    affected: [
      {
        package: { ecosystem: 'AlmaLinux:9', name: pkg },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
      },
    ],
  };
}

export function almaInventory(packages: { name: string; version: string }[], machineId = 'machine-a') {
  return {
    format: 'patchwise-inventory',
    version: 1,
    host: { name: 'web-01', machineId, os: { id: 'almalinux', versionId: '9.4' } },
    packages: packages.map((p) => ({ ...p, arch: 'x86_64' })),
  };
}

export function almaFacts(machineId = 'machine-a', hostname = 'web-01') {
  return { hostname, machineId, os: { id: 'almalinux', versionId: '9.4' }, kernel: '5.14.0-427.el9.x86_64', arch: 'x86_64', uptimeSeconds: 3600, ips: ['10.0.0.5'], rebootRequired: false, timezone: 'UTC' };
}

/** A KEV catalog released at `released`; its version is that day, as CISA names them. */
export function kevCatalog(cves: string[], released = '2026-11-20T15:00:00.000Z') {
  return {
    title: 'CISA Catalog of Known Exploited Vulnerabilities',
    catalogVersion: released.slice(0, 10).replaceAll('-', '.'),
    dateReleased: released,
    count: cves.length,
    vulnerabilities: cves.map((cveID) => ({
      cveID,
      vendorProject: 'OpenSSL',
      product: 'OpenSSL',
      vulnerabilityName: 'test',
      dateAdded: '2026-11-01',
      shortDescription: 'test',
      requiredAction: 'Apply updates.',
      dueDate: '2026-11-22',
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
    })),
  };
}

/** An NVD CVE API 2.0 page: each CVE with its last modification and one CVSS 3.1 vector (NVD's score). */
export function nvdPage(cves: { id: string; modified: string; vector: string; score: number }[]): string {
  return JSON.stringify({
    resultsPerPage: cves.length,
    startIndex: 0,
    totalResults: cves.length,
    format: 'NVD_CVE',
    version: '2.0',
    timestamp: '2026-12-01T00:00:00.000',
    vulnerabilities: cves.map((c) => ({
      cve: {
        id: c.id,
        published: '2026-10-01T10:00:00.000',
        lastModified: c.modified,
        vulnStatus: 'Analyzed',
        descriptions: [{ lang: 'en', value: `${c.id} in openssl` }],
        metrics: {
          cvssMetricV31: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1', vectorString: c.vector, baseScore: c.score } }],
        },
        weaknesses: [],
      },
    })),
  });
}

/** A minimal OSV record: `name` in `ecosystem` affected from the first version until `fixed`. */
export function osvRecord(id: string, ecosystem: string, name: string, fixed: string) {
  return {
    schema_version: '1.6.0',
    id,
    modified: '2026-10-01T00:00:00Z',
    affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  };
}
