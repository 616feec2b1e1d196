/**
 * Is this host's release past its end of life, and which of its packages lost security support?
 *
 * The rule for extended support (docs/eol.md):
 * - not released at `now` (no release date in the data yet, or one still ahead): `prerelease`;
 * - before the standard end (`supportEnd`): `supported`, or `maintenance` once full/active
 *   support has ended (RHEL family);
 * - past the standard end but inside an extended phase (Debian LTS/ELTS, Ubuntu ESM/Legacy,
 *   RHEL ELS): `extended`, not EOL, and the reason says "standard support ended …, in LTS until …";
 * - past every known phase: `eol`.
 * Phases sold by subscription count unless `assumeSubscriptions: false`, for fleets known not
 * to have them. The caller's `now` decides; nothing here reads the clock.
 */
import { productOsId } from '../inventory/index.js';
import { dayStart } from './data-lines.js';
import { bundledEolData } from './eol-data.js';
import type { CompiledSupportEntry, EolData } from './eol-data.js';
import { releaseLifecycle } from './release-lifecycle.js';
import type { ExtendedPhase, IsoDate, ReleaseLifecycle } from './types.js';

/** What hostEolStatus needs to know about a host. */
export interface HostEolInput {
  /**
   * os-release ID and VERSION_ID; `name` (NAME or PRETTY_NAME) when known, which alone tells
   * CentOS Stream from CentOS Linux (productOsId).
   */
  readonly os: { readonly id: string; readonly versionId: string; readonly name?: string | undefined };
  /**
   * Every installed package with its OSV ecosystem: only the host release's own Debian packages
   * (`Debian:12` on Debian 12) are looked up in Debian's lists, never a PyPI or npm package that
   * happens to share a source package's name.
   */
  readonly packages: readonly { readonly ecosystem: string; readonly name: string; readonly sourceName?: string | undefined; readonly version: string }[];
}

export interface HostEolOptions {
  /** Count subscription-only phases (ELTS, ESM, Legacy, ELS) as support. Default true. */
  readonly assumeSubscriptions?: boolean;
  /** Data to consult; the bundled data by default. */
  readonly data?: EolData;
}

/**
 * Where a known release stands at `now`. `prerelease`: a release in development (Debian testing
 * under its future number, an Ubuntu release before its release day), which gets no security
 * support from the distribution yet, so it is not `supported`.
 */
export type ReleasePhase = 'prerelease' | 'supported' | 'maintenance' | 'extended' | 'eol';

export interface ReleaseEolStatus {
  readonly status: ReleasePhase;
  /** True only when past the standard end and every counted extended phase. */
  readonly eol: boolean;
  /** The standard end of life; absent when none is announced. */
  readonly date?: IsoDate | undefined;
  /** The extended phase the host is in, or (when EOL) the last one that ended. */
  readonly extended?: (Omit<ExtendedPhase, 'end'> & { readonly until: IsoDate }) | undefined;
  readonly reason: string;
  readonly lifecycle: ReleaseLifecycle;
}

export interface UnknownReleaseStatus {
  readonly status: 'unknown';
  readonly reason: string;
}

/** A package whose source is on its Debian release's security-support list. */
export interface PackageEolStatus {
  readonly name: string;
  readonly sourceName: string;
  readonly version: string;
  /** `ending`: a non-supported entry whose date is still ahead. */
  readonly status: 'ended' | 'ending' | 'limited';
  readonly reason: string;
  readonly date?: IsoDate | undefined;
  readonly lastSupportedVersion?: string | undefined;
  /** The list line that said so, `file:line`. */
  readonly at: string;
}

export interface HostEolStatus {
  readonly release: ReleaseEolStatus | UnknownReleaseStatus;
  /** Only Debian publishes per-package lists; other distributions give []. */
  readonly packages: readonly PackageEolStatus[];
}

/** The release and package end-of-life status of one host at `now`. */
export function hostEolStatus(host: HostEolInput, now: Date, options: HostEolOptions = {}): HostEolStatus {
  const data = options.data ?? bundledEolData();
  const osId = productOsId(host.os);
  const lc = releaseLifecycle(osId, host.os.versionId, data);
  const release = lc
    ? releaseStatus(lc, now.getTime(), options.assumeSubscriptions ?? true)
    : unknownRelease(osId, host.os.versionId, host.os.name);
  if (lc?.osId !== 'debian') return { release, packages: [] };
  // Debian's lists name Debian source packages of one release; a pip `cython` is not Debian's.
  const ecosystem = `Debian:${major(lc.version)}`;
  const debian = host.packages.filter((p) => p.ecosystem === ecosystem);
  const packages = packageStatuses(debian, data.securitySupport.get(major(lc.version))?.entries ?? [], now.getTime());
  return { release, packages };
}

function releaseStatus(lc: ReleaseLifecycle, now: number, assumeSubscriptions: boolean): ReleaseEolStatus {
  const base = { date: lc.supportEnd, lifecycle: lc };
  // distro-info lists the release in development (Debian 14 while it is testing) with no release
  // date, and an Ubuntu release months before its day: neither is supported yet. A host that
  // reports such a VERSION_ID runs a development version, or the bundled data predates the
  // release: the reason names the data, so the second case reads as what it is.
  if (lc.released === undefined) {
    return { ...base, status: 'prerelease', eol: false, reason: `${lc.label} is not released according to ${lc.source} (no release date): a release in development, without security support` };
  }
  if (now < dayStart(lc.released)) {
    return { ...base, status: 'prerelease', eol: false, reason: `${lc.label} is not released yet (due ${lc.released}): a release in development, without security support until then` };
  }
  if (lc.supportEnd === undefined) {
    return { ...base, status: 'supported', eol: false, reason: `${lc.label} has no announced end of life` };
  }
  const counted = lc.extended.filter((p) => assumeSubscriptions || !p.subscription);
  const later = counted.length > 0 ? `; then ${counted.map(until).join(', then ')}` : '';
  if (now < dayStart(lc.supportEnd)) {
    if (lc.activeEnd && now >= dayStart(lc.activeEnd)) {
      return { ...base, status: 'maintenance', eol: false, reason: `${lc.label}: full support ended on ${lc.activeEnd}; security support until ${lc.supportEnd}${later}` };
    }
    return { ...base, status: 'supported', eol: false, reason: `${lc.label} is supported until ${lc.supportEnd}${later}` };
  }
  const ended = counted.filter((p) => now >= dayStart(p.end));
  const current = counted.find((p) => now < dayStart(p.end));
  const endedText = ended.map((p) => `; ${p.name} ended on ${p.end}`).join('');
  const skipped = lc.extended.filter((p) => !counted.includes(p) && now < dayStart(p.end));
  const skippedText = skipped.map((p) => `; ${p.name} (${p.provider}) until ${p.end} needs a subscription, not assumed`).join('');
  if (current) {
    const laterStill = counted.filter((p) => p !== current && p.end > current.end);
    const thenText = laterStill.map((p) => `; then ${until(p)}`).join('');
    return {
      ...base,
      status: 'extended',
      eol: false,
      extended: phase(current),
      reason: `${lc.label}: standard support ended on ${lc.supportEnd}${endedText}; in ${until(current)}${thenText}`,
    };
  }
  const last = ended[ended.length - 1];
  return {
    ...base,
    status: 'eol',
    eol: true,
    extended: last ? phase(last) : undefined,
    // The day it lost the last support counted, with how it got there: "reached end of life on
    // 2022-09-10" alone would hide the two years of LTS a Debian release had after it.
    reason: last
      ? `${lc.label} reached end of life on ${last.end}: standard support ended on ${lc.supportEnd}${endedText}${skippedText}`
      : `${lc.label} reached end of life on ${lc.supportEnd}${skippedText}`,
  };
}

function until(p: ExtendedPhase): string {
  return `${p.name} (${p.provider}${p.subscription ? ', subscription' : ''}) until ${p.end}`;
}

function phase(p: ExtendedPhase): Omit<ExtendedPhase, 'end'> & { until: IsoDate } {
  return { name: p.name, provider: p.provider, subscription: p.subscription, until: p.end };
}

function unknownRelease(id: string, versionId: string, name: string | undefined): UnknownReleaseStatus {
  // Debian testing and unstable (sid) carry no VERSION_ID, only the next release's codename
  // (PRETTY_NAME "Debian GNU/Linux forky/sid"): not releases, so no end of life to report.
  if (id === 'debian' && versionId.trim() === '') {
    const shown = name?.trim() ? ` (${name.trim()})` : '';
    return {
      status: 'unknown',
      reason: `Debian testing or unstable${shown}: no VERSION_ID, so not a Debian release; these have no end of life and no security support from the Debian security team`,
    };
  }
  const shown = `${id}${versionId ? ` ${versionId}` : ''}`.trim() || '(no os id)';
  return { status: 'unknown', reason: `no lifecycle data for ${shown}` };
}

function major(version: string): string {
  return version.split('.')[0] ?? version;
}

/**
 * As check-support-status does: a `supported` entry matching the source clears it; otherwise the
 * first matching line decides. Versions are not compared, as upstream does not either: the
 * listed version is the last one that got fixes, and every installed version of that source is
 * affected once the date has passed.
 */
function packageStatuses(packages: HostEolInput['packages'], entries: readonly CompiledSupportEntry[], now: number): PackageEolStatus[] {
  if (entries.length === 0) return [];
  const memo = new Map<string, CompiledSupportEntry | undefined>();
  const lookup = (source: string): CompiledSupportEntry | undefined => {
    if (!memo.has(source)) {
      const supported = entries.some((e) => e.status === 'supported' && e.matches.test(source));
      memo.set(source, supported ? undefined : entries.find((e) => e.status !== 'supported' && e.matches.test(source)));
    }
    return memo.get(source);
  };
  const out: PackageEolStatus[] = [];
  for (const p of packages) {
    const sourceName = p.sourceName || p.name;
    const e = lookup(sourceName);
    if (!e) continue;
    const who = sourceName === p.name ? p.name : `${p.name} (source ${sourceName})`;
    const why = e.details ? `: ${e.details}` : '';
    const common = { name: p.name, sourceName, version: p.version, at: e.at };
    if (e.status === 'limited') {
      out.push({ ...common, status: 'limited', reason: `${who}: security support is limited${why}` });
      continue;
    }
    const date = e.date as IsoDate;
    const last = e.lastVersion && e.lastVersion !== '0' ? ` (last supported version ${e.lastVersion})` : '';
    const past = now >= dayStart(date);
    out.push({
      ...common,
      status: past ? 'ended' : 'ending',
      date,
      lastSupportedVersion: e.lastVersion,
      reason: `${who}: security support ${past ? 'ended' : 'ends'} on ${date}${last}${why}`,
    });
  }
  return out;
}
