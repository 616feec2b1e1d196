import {
  Enrichment,
  FindingKeys,
  HostReporter,
  Matcher,
  PatchwiseError,
  assessHost,
  assessedFindings,
  changedCves,
  cveLookupOf,
  ecosystemOfKey,
  nameOfKey,
  parseEpss,
  parseKev,
  parseOsvRecord,
  type Advisory,
  type AssessedFinding,
  type EnrichmentRecord,
  type EpssScores,
  type HostAttributeValues,
  type HostInventory,
  type KevCatalog,
  type NvdRecord,
  type TouchedKey,
} from '@patchwise/core';

type StoredRecord = { readonly id: string; readonly record: unknown };

function parseDocuments(documents: readonly { kind: string; content: string }[]): { kev: KevCatalog[]; epss: EpssScores[] } {
  return {
    kev: documents.filter((d) => d.kind === 'kev').map((d) => parseKev(d.content, 'stored KEV catalog')),
    epss: documents.filter((d) => d.kind === 'epss').map((d) => parseEpss(d.content, 'stored EPSS scores')),
  };
}

function parseStored(records: readonly StoredRecord[]): { advisories: Advisory[]; problems: string[] } {
  const problems: string[] = [];
  const advisories: Advisory[] = [];
  for (const r of records) {
    try {
      // Earlier releases stored records without `modified`: held data is read, not refused again.
      advisories.push(parseOsvRecord(r.record, `stored advisory ${r.id}`, { requireModified: false }).advisory);
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      problems.push(err.message);
    }
  }
  return { advisories, problems };
}

/**
 * The in-memory half of continuous assessment: advisories indexed for matching, enrichment by
 * CVE, and the reporter that prioritises. Rebuilt from the database at start; kept current by
 * feed imports, which report which package names they touched.
 */
export class Assessor {
  private readonly matcher = new Matcher();
  private enrichment = new Enrichment();
  /** The enrichment documents held (KEV, EPSS), parsed when last loaded. */
  private documents: { kev: KevCatalog[]; epss: EpssScores[] } = { kev: [], epss: [] };
  /** The NVD records held, one per CVE (the store keeps the copy NVD modified last). */
  private readonly nvd = new Map<string, NvdRecord>();
  private reporter = new HostReporter();
  /** Finding keys per shared report: each distinct finding of the fleet is hashed once. */
  private readonly keys = new FindingKeys();

  get advisoryCount(): number {
    return this.matcher.size;
  }

  /** Loads stored records; a record that no longer parses is skipped and named. */
  loadRecords(records: readonly StoredRecord[]): string[] {
    const { advisories, problems } = parseStored(records);
    this.matcher.upsert(advisories.filter((a) => !a.withdrawn));
    return problems;
  }

  /**
   * Applies stored records that changed (withdrawn ones leave); returns the (ecosystem, package
   * name) keys touched, so that only hosts that can match them are re-assessed, and their names.
   */
  applyRecords(records: readonly StoredRecord[]): { keys: TouchedKey[]; names: Set<string>; problems: string[] } {
    const { advisories, problems } = parseStored(records);
    const keys = this.applyAdvisories(advisories);
    return { keys, names: new Set(keys.map((k) => k.name)), problems };
  }

  /**
   * Start-up: holds every stored NVD record and enrichment document (KEV, EPSS) and builds the
   * enrichment once. Unlike applyNvd and loadDocuments it computes no changed set: at start
   * nothing was held before and nothing is re-assessed, and comparing every CVE of the full NVD
   * cost about a second for an answer nobody read.
   */
  loadEnrichment(documents: readonly { kind: string; content: string }[], nvd: readonly NvdRecord[]): void {
    this.documents = parseDocuments(documents);
    this.nvd.clear();
    for (const r of nvd) this.nvd.set(r.id, r);
    this.useEnrichment(this.buildEnrichment());
  }

  /**
   * Rebuilds enrichment from the stored documents (KEV, EPSS) and the NVD records held; returns
   * the CVEs whose enrichment changed, so only hosts with findings for them need re-assessing.
   * A new document replaces every value of its kind, so this one is a rebuild.
   */
  loadDocuments(documents: readonly { kind: string; content: string }[]): string[] {
    this.documents = parseDocuments(documents);
    const enrichment = this.buildEnrichment();
    const changed = changedCves(this.enrichment, enrichment);
    this.useEnrichment(enrichment);
    return changed;
  }

  /**
   * Takes NVD records stored since the last call (each the copy now held for its CVE); returns
   * the CVEs among them whose enrichment changed. Updated in place: only these CVEs are touched,
   * the documents are not parsed again and the other NVD records not added again.
   */
  applyNvd(records: readonly NvdRecord[]): string[] {
    if (records.length === 0) return [];
    for (const r of records) this.nvd.set(r.id, r);
    return this.changedInPlace(this.enrichment.replaceNvd(records));
  }

  /** Drops NVD records forgotten (`feeds forget`); returns the CVEs among them whose enrichment changed. */
  forgetNvd(cves: readonly string[]): string[] {
    if (cves.length === 0) return [];
    for (const id of cves) this.nvd.delete(id);
    return this.changedInPlace(this.enrichment.replaceNvd([], cves));
  }

  /** What a rebuild from the documents and NVD records held gives (in-place updates must equal it). */
  private buildEnrichment(): Enrichment {
    const enrichment = new Enrichment();
    for (const catalog of this.documents.kev) enrichment.addKev(catalog);
    for (const scores of this.documents.epss) enrichment.addEpss(scores);
    enrichment.addNvd(this.nvd);
    return enrichment;
  }

  /** After an in-place change: the reporter caches risk per advisory, read through the enrichment, so it starts over when anything changed. */
  private changedInPlace(changed: string[]): string[] {
    if (changed.length > 0) this.reporter = new HostReporter(cveLookupOf(this.enrichment));
    return changed;
  }

  private useEnrichment(enrichment: Enrichment): void {
    this.enrichment = enrichment;
    this.reporter = new HostReporter(cveLookupOf(enrichment));
  }

  /** What the enrichment held says about a CVE, as findings read it. */
  lookup(cve: string): EnrichmentRecord {
    return this.enrichment.lookup(cve);
  }

  /** Drops advisories forgotten (`feeds forget`); returns the keys whose answers may have changed. */
  forgetAdvisories(ids: readonly string[]): TouchedKey[] {
    return [...new Set(this.matcher.remove(ids))].map((k) => ({ ecosystem: ecosystemOfKey(k), name: nameOfKey(k) }));
  }

  /** Applies changed advisories; returns the (ecosystem, package name) keys whose answers may have changed. */
  applyAdvisories(changed: readonly Advisory[]): TouchedKey[] {
    const withdrawn = changed.filter((a) => a.withdrawn).map((a) => a.id);
    const keys = new Set<string>();
    for (const k of this.matcher.remove(withdrawn)) keys.add(k);
    for (const k of this.matcher.upsert(changed.filter((a) => !a.withdrawn))) keys.add(k);
    return [...keys].map((k) => ({ ecosystem: ecosystemOfKey(k), name: nameOfKey(k) }));
  }

  /**
   * Whether any advisory held applies to hosts of `ecosystem`, by the matcher's own rule (its
   * release, the bare name, narrower repositories, Ubuntu Pro streams). An ecosystem OSV does not
   * define is covered by nothing.
   */
  covers(ecosystem: string): boolean {
    try {
      return this.matcher.ecosystemsFor(ecosystem).length > 0;
    } catch (err) {
      if (err instanceof PatchwiseError) return false;
      throw err;
    }
  }

  assess(inventory: HostInventory, attributes: HostAttributeValues): AssessedFinding[] {
    const host: HostInventory = {
      ...inventory,
      attributes: {
        tier: attributes.tier ?? undefined,
        internetFacing: attributes.internetFacing ?? undefined,
        environment: attributes.environment ?? undefined,
        owner: attributes.owner ?? undefined,
      },
    };
    return assessedFindings(assessHost(this.matcher, host), this.reporter, this.keys);
  }
}
