import { normalizeCveId } from './cve-id.js';
import type { EpssScores } from './epss.js';
import type { KevCatalog, KevEntry } from './kev.js';
import { nvdModifiedAt, type NvdRecord } from './nvd.js';

/** A CVE's EPSS values with the day and model they belong to. */
export interface EpssLookup {
  readonly score: number;
  readonly percentile: number;
  /** The score date, `YYYY-MM-DD`. */
  readonly date: string;
  readonly modelVersion: string;
}

/** Everything known about one CVE; a feed that does not mention it leaves its field out. */
export interface EnrichmentRecord {
  readonly kev?: KevEntry;
  readonly epss?: EpssLookup;
  /** NVD's record: CVSS metrics (`cvss`), CWE ids (`cwes`), description and dates. */
  readonly nvd?: NvdRecord;
}

/** How many CVEs each feed covers. */
export interface EnrichmentCounts {
  readonly kev: number;
  readonly epss: number;
  readonly nvd: number;
}

/**
 * The enrichment feeds merged per CVE, for O(1) lookups by CVE id.
 *
 * Feeds may be added several times and in any order (yesterday's and today's EPSS, several NVD
 * pages); for each CVE the freshest data wins: the KEV catalog released last, the EPSS file
 * with the latest score date, the NVD record modified last. On a tie the one added last wins.
 *
 * @example
 * const enrichment = new Enrichment().addKev(parseKev(kevText, kevPath)).addEpss(parseEpss(csv, csvPath));
 * enrichment.lookup('cve-2021-44228').kev?.dueDate;
 */
export class Enrichment {
  private readonly kev = new Map<string, { readonly entry: KevEntry; readonly released: number }>();
  // EPSS: the CVE maps to the index of the file it was last scored in, so adding a 250,000-row
  // file costs one small map entry per CVE and no copy of the scores.
  private readonly epssFiles: EpssScores[] = [];
  private readonly epss = new Map<string, number>();
  private readonly nvd = new Map<string, NvdRecord>();

  /** Add a KEV catalog; its entries replace those of catalogs released earlier. */
  addKev(catalog: KevCatalog): this {
    const released = Date.parse(catalog.dateReleased);
    for (const [id, entry] of catalog.entries) {
      const current = this.kev.get(id);
      if (current === undefined || current.released <= released) this.kev.set(id, { entry, released });
    }
    return this;
  }

  /** Add one day's EPSS scores; they replace scores of earlier days. */
  addEpss(scores: EpssScores): this {
    const index = this.epssFiles.push(scores) - 1;
    for (const id of scores.scores.keys()) {
      const current = this.epss.get(id);
      if (current === undefined || (this.epssFiles[current]?.date ?? '') <= scores.date) this.epss.set(id, index);
    }
    return this;
  }

  /** Add NVD records (as {@link parseNvd} returns them); a record replaces an older-modified one. */
  addNvd(records: ReadonlyMap<string, NvdRecord>): this {
    for (const record of records.values()) {
      const current = this.nvd.get(record.id);
      if (current === undefined || nvdModifiedAt(current) <= nvdModifiedAt(record)) {
        this.nvd.set(record.id, record);
      }
    }
    return this;
  }

  /**
   * Holds exactly these NVD records for their CVEs, whatever their modified times, and none for
   * the `removed` CVEs (removals first, so a CVE in both ends with its record). For a caller that
   * already chose the copy held per CVE (the server's feed store: the one NVD modified last), so
   * the result is what a new Enrichment given the same KEV, EPSS and held records would be; an
   * NVD delta then costs its own CVEs instead of a rebuild over the whole NVD. Returns the CVEs
   * among those given whose enrichment changed, as {@link changedCves} compares them.
   */
  replaceNvd(records: Iterable<NvdRecord>, removed: Iterable<string> = []): string[] {
    const touched = new Map<string, string>();
    // What each touched CVE read before, taken before the first change.
    const remember = (id: string): void => {
      if (!touched.has(id)) touched.set(id, relevant(this.lookup(id)));
    };
    for (const id of removed) {
      remember(id);
      this.nvd.delete(id);
    }
    for (const record of records) {
      remember(record.id);
      this.nvd.set(record.id, record);
    }
    return [...touched].filter(([id, before]) => relevant(this.lookup(id)) !== before).map(([id]) => id);
  }

  /**
   * What the feeds say about a CVE. The id is normalised (`' cve-2021-44228 '` works); an id
   * that is not a CVE id, or one no feed mentions, gives `{}`.
   */
  lookup(cveId: string): EnrichmentRecord {
    const id = normalizeCveId(cveId);
    if (id === undefined) return {};
    const kev = this.kev.get(id)?.entry;
    const epss = this.epssFor(id);
    const nvd = this.nvd.get(id);
    return {
      ...(kev === undefined ? {} : { kev }),
      ...(epss === undefined ? {} : { epss }),
      ...(nvd === undefined ? {} : { nvd }),
    };
  }

  /** Every CVE any feed mentions. */
  cveIds(): Set<string> {
    return new Set([...this.kev.keys(), ...this.epss.keys(), ...this.nvd.keys()]);
  }

  /** How many CVEs each feed covers. */
  counts(): EnrichmentCounts {
    return { kev: this.kev.size, epss: this.epss.size, nvd: this.nvd.size };
  }

  private epssFor(id: string): EpssLookup | undefined {
    const index = this.epss.get(id);
    const file = index === undefined ? undefined : this.epssFiles[index];
    const score = file?.scores.get(id);
    if (file === undefined || score === undefined) return undefined;
    return { score: score.score, percentile: score.percentile, date: file.date, modelVersion: file.modelVersion };
  }
}

/**
 * The CVEs whose enrichment differs between two states in what priorities and reasons read: the
 * KEV entry, the EPSS score and percentile (not the scoring date), the NVD record. A feed update
 * re-assesses only hosts with findings for these. `among` limits the comparison to CVEs known to
 * be the only ones that may differ (the NVD records one import stored).
 */
export function changedCves(before: Enrichment, after: Enrichment, among?: Iterable<string>): string[] {
  const changed: string[] = [];
  for (const id of new Set(among ?? [...before.cveIds(), ...after.cveIds()])) {
    if (relevant(before.lookup(id)) !== relevant(after.lookup(id))) changed.push(id);
  }
  return changed;
}

function relevant(r: EnrichmentRecord): string {
  return JSON.stringify([r.kev ?? null, r.epss ? [r.epss.score, r.epss.percentile] : null, r.nvd ?? null]);
}
