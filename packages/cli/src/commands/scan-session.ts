import {
  HostReporter,
  Matcher,
  PackageCache,
  PatchwiseError,
  loadAdvisories,
  scanInventories,
  type AdvisoryType,
  type Priority,
} from '@patchwise/core';
import { csvFormat, jsonFormat, sarifFormat, tableFormat, type Chunk, type FormatName, type ReportFormat } from '../output/index.js';
import { loadIntel } from './load-intel.js';

/** Everything a scan session needs. */
export interface SessionConfig {
  readonly advisories: readonly string[];
  readonly kev?: string | undefined;
  readonly epss?: string | undefined;
  readonly nvd: readonly string[];
  readonly types?: readonly AdvisoryType[] | undefined;
  readonly format: FormatName;
  readonly version: string;
  readonly ecosystem?: string | undefined;
  readonly strict: boolean;
}

/** What scanning a batch of files produced. */
export interface BatchResult {
  /** Each host's output chunks, in order (an empty list: the host writes nothing). */
  readonly texts: (readonly Chunk[])[];
  readonly hosts: number;
  readonly findings: number;
  readonly byPriority: Record<Priority, number>;
  /** Inputs (or parts of them) skipped. */
  readonly skipped: number;
  /** Lines for stderr: what was skipped and why, warnings. */
  readonly messages: string[];
}

export interface SessionStart {
  /** Lines for stderr about the advisories read (files skipped, records partly left out). */
  readonly messages: string[];
  readonly skipped: number;
}

/**
 * One scanner: advisories and enrichment loaded once, then batches of inventory files turned
 * into formatted host texts and counts.
 */
export class ScanSession {
  /** Shared by every batch: hosts from one image repeat the same purls across the whole fleet. */
  private readonly packageCache = new PackageCache();

  private constructor(
    private readonly config: SessionConfig,
    private readonly matcher: Matcher,
    private readonly reporter: HostReporter,
    readonly format: ReportFormat,
  ) {}

  /** Loads advisories and enrichment; throws PatchwiseError when nothing usable was given. */
  static async open(config: SessionConfig): Promise<{ session: ScanSession; start: SessionStart }> {
    const loaded = await loadAdvisories(config.advisories);
    const messages = [
      ...loaded.problems.map((p) => `patchwise: skipped ${p.message}`),
      ...loaded.warnings.map((w) => `patchwise: warning: ${w}`),
    ];
    if (loaded.advisories.length === 0) {
      throw new PatchwiseError('PW_INPUT_INVALID', 'no advisories could be read', { input: config.advisories.join(', ') });
    }
    const lookup = await loadIntel({ kev: config.kev, epss: config.epss, nvd: config.nvd });
    const types = config.types && config.types.length > 0 ? new Set(config.types) : undefined;
    const session = new ScanSession(config, new Matcher(loaded.advisories), new HostReporter(lookup, types), makeFormat(config.format, config.version));
    return { session, start: { messages, skipped: loaded.problems.length } };
  }

  /** Scans these inventory files (or directories, or archives), in order. */
  async scan(paths: readonly string[]): Promise<BatchResult> {
    const texts: (readonly Chunk[])[] = [];
    const messages: string[] = [];
    const byPriority: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };
    let hosts = 0;
    let findings = 0;
    let skipped = 0;
    const inventory = { ecosystem: this.config.ecosystem, packageCache: this.packageCache };
    for await (const event of scanInventories(paths, { matcher: this.matcher, reporter: this.reporter, inventory })) {
      if (event.kind === 'skipped') {
        skipped++;
        messages.push(`patchwise: skipped ${event.error.message}`);
        if (this.config.strict) break;
        continue;
      }
      for (const problem of event.problems) messages.push(`patchwise: warning: ${problem.message}`);
      hosts++;
      findings += event.report.findings.length;
      for (const f of event.report.findings) byPriority[f.priority]++;
      texts.push(this.format.host(event.report, event.groups));
    }
    return { texts, hosts, findings, byPriority, skipped, messages };
  }

  /** Warnings known only after matching: advisories whose versions were partly invalid. */
  finish(): string[] {
    return [...this.matcher.advisoryProblems.values()].map((err) => `patchwise: warning: ${err.message}`);
  }
}

export function makeFormat(name: FormatName, version: string): ReportFormat {
  switch (name) {
    case 'table':
      return tableFormat();
    case 'json':
      return jsonFormat();
    case 'csv':
      return csvFormat();
    case 'sarif':
      return sarifFormat(version);
  }
}
