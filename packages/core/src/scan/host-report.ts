import type { Advisory, AdvisoryType, Severity } from '../advisories/index.js';
import type { HostAssessment, PackageFindings, PackageMatch } from '../matching/index.js';
import { PRIORITIES, prioritize, severityOfScore, type Priority, type RiskInput } from '../risk/index.js';

/** What is known about one CVE from the enrichment feeds (KEV, EPSS, NVD). */
export interface CveIntel {
  readonly kev?: { readonly dateAdded: string; readonly ransomware: boolean; readonly dueDate?: string | undefined } | undefined;
  readonly epss?: number | undefined;
  readonly cvss?: { readonly score: number; readonly version: string } | undefined;
}

export type CveLookup = (cve: string) => CveIntel | undefined;

/** One finding as reported: the `--format json` shape, field for field. */
export interface FindingReport {
  readonly advisory: string;
  readonly aliases: readonly string[];
  readonly type: AdvisoryType;
  readonly package: string;
  readonly installed: string;
  readonly fixed: string | null;
  readonly severity: Severity | null;
  readonly cvss: number | null;
  readonly kev: boolean;
  readonly epss: number | null;
  readonly priority: Priority;
  readonly reasons: readonly string[];
  readonly summary: string;
}

export interface HostReport {
  readonly host: string;
  readonly source: string;
  readonly ecosystem: string | null;
  readonly packages: number;
  /** Findings by package, in inventory order; most urgent first within a package. */
  readonly findings: readonly FindingReport[];
}

/**
 * A host's report and the same findings as one array per package. The arrays are shared by
 * every host that carries the same package version in the same context (tier, exposure), so
 * output formats can cache their work per array.
 */
export interface ReportedHost {
  readonly report: HostReport;
  readonly groups: readonly (readonly FindingReport[])[];
  /** The host's findings counted by priority (added up per group, not per finding). */
  readonly byPriority: Readonly<Record<Priority, number>>;
}

interface AdvisoryRisk {
  readonly input: Omit<RiskInput, 'tier' | 'internetFacing'>;
  readonly aliases: readonly string[];
  readonly severity: Severity | null;
}

/** The reports of one matcher answer in one host context, and how many of each priority. */
interface ReportGroup {
  readonly reports: readonly FindingReport[];
  readonly byPriority: Readonly<Record<Priority, number>>;
}

/**
 * Turns a host's matches into its report: enrichment by CVE, priority with reasons, the type
 * filter. Reports are cached per shared matcher answer and host context (tier, exposure),
 * since a fleet repeats the same (package, version, advisories) on many hosts; cached reports
 * are frozen and shared. Findings stay grouped by package (a global sort per host costs more
 * than everything else in the report); `compareFindings` ranks them for people.
 */
export class HostReporter {
  /**
   * By the advisory object, not its id: a record revised under the same id (new CVEs, a new
   * score) is a new object from the matcher, so it is read afresh, and the old one's entry goes
   * with it.
   */
  private readonly risks = new WeakMap<Advisory, AdvisoryRisk>();
  /** Host context (`tier|internetFacing`) → report groups by matcher answer. */
  private readonly cache = new Map<string, WeakMap<readonly PackageMatch[], ReportGroup>>();

  constructor(
    private readonly lookup: CveLookup = () => undefined,
    private readonly types: ReadonlySet<AdvisoryType> | undefined = undefined,
  ) {}

  report(assessment: HostAssessment): ReportedHost {
    const { host } = assessment;
    const tier = host.attributes?.tier;
    const internetFacing = host.attributes?.internetFacing;
    const byMatches = this.contextCache(tier, internetFacing);
    const groups: (readonly FindingReport[])[] = [];
    const byPriority = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (const pkg of assessment.packages) {
      let group = byMatches.get(pkg.matches);
      if (!group) byMatches.set(pkg.matches, (group = this.group(pkg, tier, internetFacing)));
      if (group.reports.length === 0) continue;
      groups.push(group.reports);
      byPriority.P1 += group.byPriority.P1;
      byPriority.P2 += group.byPriority.P2;
      byPriority.P3 += group.byPriority.P3;
      byPriority.P4 += group.byPriority.P4;
    }
    const report = new GroupedHostReport(host.host, host.source, host.distro?.ecosystem ?? null, host.packages.length, groups);
    return { report, groups, byPriority };
  }

  /**
   * One package's reports in a host context (the group `report` would list for it), shared and
   * frozen: for callers that need each report with its package (the server stores findings by
   * ecosystem) without building a host report per package.
   */
  packageReports(pkg: PackageFindings, attributes: HostAssessment['host']['attributes']): readonly FindingReport[] {
    const tier = attributes?.tier;
    const internetFacing = attributes?.internetFacing;
    const byMatches = this.contextCache(tier, internetFacing);
    let group = byMatches.get(pkg.matches);
    if (!group) byMatches.set(pkg.matches, (group = this.group(pkg, tier, internetFacing)));
    return group.reports;
  }

  private contextCache(tier: RiskInput['tier'], internetFacing: boolean | undefined): WeakMap<readonly PackageMatch[], ReportGroup> {
    const context = `${tier}|${internetFacing}`;
    let byMatches = this.cache.get(context);
    if (!byMatches) this.cache.set(context, (byMatches = new WeakMap()));
    return byMatches;
  }

  private group(pkg: PackageFindings, tier: RiskInput['tier'], internetFacing: boolean | undefined): ReportGroup {
    const reports = pkg.matches
      .filter((m) => !this.types || this.types.has(m.advisory.type))
      .map((m) => this.build(pkg, m, tier, internetFacing))
      .sort(compareFindings);
    const byPriority = { P1: 0, P2: 0, P3: 0, P4: 0 };
    for (const r of reports) byPriority[r.priority]++;
    return { reports: Object.freeze(reports), byPriority };
  }

  private build(pkg: PackageFindings, m: PackageMatch, tier: RiskInput['tier'], internetFacing: boolean | undefined): FindingReport {
    const risk = this.riskOf(m.advisory);
    const verdict = prioritize({ ...risk.input, tier, internetFacing });
    const report: FindingReport = {
      advisory: m.advisory.id,
      aliases: risk.aliases,
      type: m.advisory.type,
      package: pkg.package,
      installed: pkg.installed,
      fixed: m.fixed ?? null,
      severity: risk.severity,
      cvss: risk.input.cvss?.score ?? null,
      kev: risk.input.kev !== undefined,
      epss: risk.input.epss ?? null,
      priority: verdict.priority,
      reasons: m.note === undefined ? verdict.reasons : [...verdict.reasons, m.note],
      summary: m.advisory.summary,
    };
    RANKS.set(report, rankOf(report));
    return Object.freeze(report);
  }

  private riskOf(advisory: Advisory): AdvisoryRisk {
    let risk = this.risks.get(advisory);
    if (risk) return risk;
    let cvss: RiskInput['cvss'];
    for (const s of advisory.cvss) if (!cvss || s.baseScore > cvss.score) cvss = { score: s.baseScore, version: s.version };
    let kev: RiskInput['kev'];
    let epss: number | undefined;
    for (const cve of advisory.cves) {
      const intel = this.lookup(cve);
      if (!intel) continue;
      // Several CVEs: the earliest KEV listing, the highest EPSS and CVSS speak for the advisory.
      if (intel.kev) {
        kev = kev
          ? { dateAdded: minString(kev.dateAdded, intel.kev.dateAdded), ransomware: kev.ransomware || intel.kev.ransomware }
          : { dateAdded: intel.kev.dateAdded, ransomware: intel.kev.ransomware };
      }
      if (intel.epss !== undefined && (epss === undefined || intel.epss > epss)) epss = intel.epss;
      if (advisory.cvss.length === 0 && intel.cvss && (!cvss || intel.cvss.score > cvss.score)) cvss = intel.cvss;
    }
    const vendorSeverity = advisory.vendorSeverity;
    const fromCvss = cvss ? severityOfScore(cvss.score) : undefined;
    const severity = pickSeverity(fromCvss, vendorSeverity?.severity);
    const aliases = [...new Set([...advisory.aliases, ...advisory.related, ...(advisory.upstream ?? [])])];
    risk = { input: { type: advisory.type, cvss, vendorSeverity, kev, epss }, aliases, severity };
    this.risks.set(advisory, risk);
    return risk;
  }
}

/**
 * A host report whose flat findings list is made only when asked for: the JSON output and the
 * summary read the shared groups, and concatenating ~500 findings per host costs time on every host.
 */
class GroupedHostReport implements HostReport {
  private flat: readonly FindingReport[] | undefined;

  constructor(
    readonly host: string,
    readonly source: string,
    readonly ecosystem: string | null,
    readonly packages: number,
    private readonly groups: readonly (readonly FindingReport[])[],
  ) {}

  get findings(): readonly FindingReport[] {
    return (this.flat ??= this.groups.flat());
  }
}

function minString(a: string, b: string): string {
  return a <= b ? a : b;
}

const RANK: Readonly<Record<Severity, number>> = { none: 0, low: 1, medium: 2, high: 3, critical: 4 };

function pickSeverity(a: Severity | undefined, b: Severity | undefined): Severity | null {
  if (a === undefined) return b ?? null;
  if (b === undefined) return a;
  return RANK[a] >= RANK[b] ? a : b;
}

/** Sort rank of a report: priority first, then severity, then CVSS (higher first). */
const RANKS = new WeakMap<FindingReport, number>();

function rankOf(r: FindingReport): number {
  return PRIORITIES.indexOf(r.priority) * 1e4 + (4 - (r.severity ? RANK[r.severity] : -1)) * 1e3 + (100 - (r.cvss ?? -1) * 10);
}

/** Most urgent first: priority, severity, CVSS, then advisory id and package. */
export function compareFindings(a: FindingReport, b: FindingReport): number {
  return (
    (RANKS.get(a) ?? rankOf(a)) - (RANKS.get(b) ?? rankOf(b)) ||
    (a.advisory < b.advisory ? -1 : a.advisory > b.advisory ? 1 : 0) ||
    (a.package < b.package ? -1 : a.package > b.package ? 1 : 0)
  );
}
