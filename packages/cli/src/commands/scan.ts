import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import {
  ADVISORY_TYPES,
  HostReporter,
  Matcher,
  PRIORITIES,
  PackageCache,
  PatchwiseError,
  assessInventories,
  atOrAbove,
  distroOf,
  ecosystemApplies,
  ecosystemInfo,
  isReleaseUnknownError,
  parseOsRelease,
  listInputFiles,
  loadAdvisories,
  readListedInventories,
  type Advisory,
  type AdvisoryType,
  type InputFile,
  type InputProblem,
  type Priority,
  countNoun,
} from '@patchwise/core/assessment';
import { BufferedWriter, FORMAT_NAMES, Progress, csvFormat, jsonFormat, sarifFormat, tableFormat, type FormatName, type ReportFormat } from '../output/index.js';
import { ScanThreadPool } from '../scan-threads/index.js';
import { loadIntel } from './load-intel.js';

export interface ScanCommandOptions {
  readonly advisories: readonly string[];
  readonly kev?: string | undefined;
  readonly epss?: string | undefined;
  readonly nvd: readonly string[];
  readonly format: string;
  readonly failOn?: string | undefined;
  readonly type: readonly string[];
  readonly strict: boolean;
  readonly ecosystem?: string | undefined;
  /** A host's /etc/os-release file: the release of package databases that do not name theirs. */
  readonly osRelease?: string | undefined;
  /** Parser threads beside the main one; 0 parses in the main thread; default: chosen by input size. */
  readonly jobs?: string | undefined;
}

export interface ScanIo {
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  readonly version: string;
}

/**
 * `patchwise scan`: exit 0 when done with nothing at or above --fail-on, 1 when something is,
 * 2 for bad usage or when inputs could not be read (any at all with --strict; all of them
 * otherwise). Skipped inputs are always named on stderr.
 */
export async function scanCommand(inventories: readonly string[], opts: ScanCommandOptions, io: ScanIo): Promise<number> {
  const format = checkFormat(opts.format);
  const failOn = opts.failOn === undefined ? undefined : checkPriority(opts.failOn);
  const types = opts.type.length > 0 ? new Set(opts.type.map(checkType)) : undefined;
  if (opts.advisories.length === 0) usage('no advisories given: pass --advisories PATH (OSV files, directories or archives)');
  if (inventories.length === 0) usage('no inventory given: pass one or more INVENTORY files or directories');
  const jobs = opts.jobs === undefined ? undefined : checkJobs(opts.jobs);
  if (opts.ecosystem !== undefined) checkEcosystem(opts.ecosystem);
  const osRelease = opts.osRelease === undefined ? undefined : readOsRelease(opts.osRelease, opts.ecosystem !== undefined);

  // The inventories are listed first so that parser threads, when the scan is large enough to
  // want them, start on the first files while this thread loads the advisories.
  const listed = listInputFiles(inventories);
  const packageCache = new PackageCache();
  const threads = parserThreads(jobs, listed);
  const pool = threads > 0 ? new ScanThreadPool(listed, { threads, packageCache, ecosystem: opts.ecosystem, osRelease }) : undefined;
  try {
    return await scan(listed, pool, packageCache, { ...opts, osRelease }, format, failOn, types, io);
  } finally {
    await pool?.close();
  }
}

async function scan(
  listed: readonly (InputFile | InputProblem)[],
  pool: ScanThreadPool | undefined,
  packageCache: PackageCache,
  opts: ScanCommandOptions,
  format: FormatName,
  failOn: Priority | undefined,
  types: ReadonlySet<AdvisoryType> | undefined,
  io: ScanIo,
): Promise<number> {
  const stderr = (line: string): void => void io.stderr.write(`${line}\n`);
  const loaded = await loadAdvisories(opts.advisories);
  let skipped = loaded.problems.length;
  for (const p of loaded.problems) stderr(`patchwise: skipped ${p.message}`);
  for (const w of loaded.warnings) stderr(`patchwise: warning: ${w}`);
  if (loaded.advisories.length === 0) {
    throw new PatchwiseError('PW_INPUT_INVALID', 'no advisories could be read', { input: opts.advisories.join(', ') });
  }
  const lookup = await loadIntel({ kev: opts.kev, epss: opts.epss, nvd: opts.nvd });
  if (opts.strict && skipped > 0) return 2;

  const matcher = new Matcher(loaded.advisories);
  const reporter = new HostReporter(lookup, types);
  const output = makeFormat(format, io.version);
  const out = new BufferedWriter(io.stdout);
  const summary = { hosts: 0, findings: 0, byPriority: { P1: 0, P2: 0, P3: 0, P4: 0 } };
  const progress = io.stderr.isTTY ? new Progress(io.stderr) : undefined;
  const leftOut = new Map<string, number>();
  const coverage = new AdvisoryCoverage(loaded.advisories);
  let wroteHost = false;
  await out.write(output.begin());
  const inputs = pool ? pool.events() : readListedInventories(listed, { inventory: { packageCache, ecosystem: opts.ecosystem, osRelease: opts.osRelease } });
  for await (const event of assessInventories(inputs, { matcher, reporter })) {
    if (event.kind === 'skipped') {
      progress?.clear();
      skipped++;
      // Core says what is missing; how to give it on this command line is the CLI's to add.
      stderr(`patchwise: skipped ${event.error.message}${isReleaseUnknownError(event.error) ? ' (scan --ecosystem NAME or --os-release FILE)' : ''}`);
      if (opts.strict) break;
      continue;
    }
    if (event.problems.length > 0) progress?.clear();
    for (const problem of event.problems) stderr(`patchwise: warning: ${problem.message}`);
    for (const { reason, count } of event.leftOut) leftOut.set(reason, (leftOut.get(reason) ?? 0) + count);
    coverage.note(event.report.ecosystem, event.report.host);
    summary.hosts++;
    for (const p of PRIORITIES) {
      summary.findings += event.byPriority[p];
      summary.byPriority[p] += event.byPriority[p];
    }
    const chunks = output.host(event.report, event.groups);
    if (chunks.length > 0) {
      // Awaited only when the output stream asks to wait: most hosts fit in the buffer.
      const wait = out.writeAll(wroteHost ? [output.separator, ...chunks] : chunks);
      if (wait) await wait;
      wroteHost = true;
    }
    progress?.update(summary.hosts, summary.findings);
  }
  progress?.clear();
  for (const err of matcher.advisoryProblems.values()) stderr(`patchwise: warning: ${err.message}`);
  for (const line of coverage.warnings()) stderr(`patchwise: warning: ${line}`);
  // One line for the whole scan: SBOMs list many entries that are not packages (files, …).
  if (leftOut.size > 0) {
    const reasons = [...leftOut].map(([reason, count]) => `${reason} (${count})`).join('; ');
    stderr(`patchwise: note: inventory entries left out, by reason: ${reasons}`);
  }
  await out.write(output.end({ ...summary, skipped }));
  await out.close();

  if (skipped > 0 && (opts.strict || summary.hosts === 0)) return 2;
  const failing = failOn !== undefined && PRIORITIES.some((p) => atOrAbove(p, failOn) && summary.byPriority[p] > 0);
  return failing ? 1 : 0;
}

/**
 * The distributions of scanned hosts that no advisory given covers. Their packages were not
 * assessed, so "no findings" for such a host says nothing about it: without this warning, a scan
 * of AlmaLinux hosts against Debian advisories looks exactly like a clean fleet.
 */
class AdvisoryCoverage {
  private readonly ecosystems: readonly string[];
  private readonly covered = new Map<string, boolean>();
  private readonly uncovered = new Map<string, string[]>();

  constructor(advisories: readonly Advisory[]) {
    const seen = new Set<string>();
    for (const a of advisories) for (const p of a.affected) seen.add(p.ecosystem);
    this.ecosystems = [...seen];
  }

  note(ecosystem: string | null, host: string): void {
    if (ecosystem === null) return;
    let covered = this.covered.get(ecosystem);
    if (covered === undefined) {
      const applies = ecosystemApplies(ecosystem);
      covered = !isDistribution(ecosystem) || this.ecosystems.some(applies);
      this.covered.set(ecosystem, covered);
    }
    if (!covered) this.uncovered.set(ecosystem, [...(this.uncovered.get(ecosystem) ?? []), host]);
  }

  warnings(): string[] {
    return [...this.uncovered].map(([ecosystem, hosts]) => {
      const named = hosts.length > 3 ? `${hosts.slice(0, 3).join(', ')} and ${hosts.length - 3} more` : hosts.join(', ');
      return `no advisory given covers ${ecosystem} (${countNoun(hosts.length, 'host')}: ${named}): their distribution packages were not assessed; add that distribution's advisories with --advisories`;
    });
  }
}

function isDistribution(ecosystem: string): boolean {
  try {
    return ecosystemInfo(ecosystem).distribution;
  } catch {
    return false; // an unknown ecosystem is reported as such by the assessment
  }
}

/**
 * Files below which a scan parses in the main thread. Starting a thread (Node, the tsx loader,
 * the inventory modules) costs about 0.4 s of CPU, as much as parsing a few hundred SBOMs of
 * 1,000 packages; at 256 such files a thread added 1 s of CPU and saved no time on a busy
 * 2-core machine (docs/benchmarks.md).
 */
const MIN_FILES_FOR_THREADS = 512;

/** `--jobs N` as given; else, for a scan of many files, one parser thread per core beyond the main one's, at most two. */
function parserThreads(jobs: number | undefined, listed: readonly (InputFile | InputProblem)[]): number {
  if (jobs !== undefined) return jobs;
  let files = 0;
  for (const entry of listed) if (entry.kind === 'file') files++;
  if (files < MIN_FILES_FOR_THREADS) return 0;
  return Math.min(2, availableParallelism() - 1);
}

/**
 * The text of `--os-release FILE`, checked before any inventory is read: a file that cannot be read
 * or names a release OSV does not know is bad usage, not a problem of every inventory in turn
 * (unless --ecosystem is given too, which then decides, as in core's parseInventory).
 */
function readOsRelease(path: string, ecosystemGiven: boolean): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not an os-release file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new PatchwiseError('PW_INPUT_UNREADABLE', `--os-release ${path}: ${why}`, { cause: err });
  }
  if (!ecosystemGiven) {
    const rel = parseOsRelease(text);
    try {
      distroOf(rel.id, rel.versionId);
    } catch (err) {
      if (err instanceof PatchwiseError) throw new PatchwiseError(err.code, `--os-release ${path}: ${err.message}`, { cause: err });
      throw err;
    }
  }
  return text;
}

/**
 * `--ecosystem` names the release of every package database in the scan: a name OSV does not
 * define is bad usage, refused before anything is read, not a warning per inventory beside a
 * "no findings" that looks like a clean host.
 */
function checkEcosystem(value: string): void {
  try {
    ecosystemInfo(value);
  } catch (err) {
    if (err instanceof PatchwiseError) throw new PatchwiseError(err.code, `--ecosystem: unknown ecosystem "${value}" (OSV names such as Debian:12, AlmaLinux:9, Alpine:v3.20, PyPI)`, { cause: err });
    throw err;
  }
}

function checkJobs(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (Number.isSafeInteger(n) && n <= 64) return n;
  usage(`--jobs must be a whole number from 0 to 64, not "${value}"`);
}

function makeFormat(name: FormatName, version: string): ReportFormat {
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

function checkFormat(value: string): FormatName {
  if ((FORMAT_NAMES as readonly string[]).includes(value)) return value as FormatName;
  usage(`--format must be one of ${FORMAT_NAMES.join(', ')}, not "${value}"`);
}

function checkPriority(value: string): Priority {
  const upper = value.toUpperCase();
  if ((PRIORITIES as readonly string[]).includes(upper)) return upper as Priority;
  usage(`--fail-on must be one of ${PRIORITIES.join(', ')}, not "${value}"`);
}

function checkType(value: string): AdvisoryType {
  const lower = value.toLowerCase();
  if ((ADVISORY_TYPES as readonly string[]).includes(lower)) return lower as AdvisoryType;
  usage(`--type must be one of ${ADVISORY_TYPES.join(', ')}, not "${value}"`);
}

function usage(message: string): never {
  throw new PatchwiseError('PW_USAGE', message);
}
