import type { Advisory } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';
import type { InstalledPackage } from '../inventory/index.js';
import { ecosystemInfo, type VersionScheme } from '../versions/index.js';
import { matchTarget } from './match-target.js';
import type { PackageFindings } from './package-findings.js';
import type { PackageMatch } from './package-match.js';
import { PositionalAnswers, type LayoutAnswers } from './positional-answers.js';
import { ecosystemApplies } from './ecosystem-applies.js';
import { ubuntuProFixNote } from './ubuntu-pro.js';
import { compileEntry, evaluateEntry, nearerFix, simpleFix, type CompiledEntry, type EntryVerdict } from './compiled-entry.js';


export interface MatcherStats {
  /** Distinct (ecosystem, name, version) triples evaluated against advisories. */
  evaluations: number;
  /** Lookups answered from the memo. */
  memoHits: number;
}

const NO_MATCHES: readonly PackageMatch[] = Object.freeze([]);

/** Index key of a package: ecosystem and name; versions are evaluated under it. */
export function packageKey(ecosystem: string, name: string): string {
  return `${ecosystem}\u0000${name}`;
}

/** The ecosystem of an index key. */
export function ecosystemOfKey(key: string): string {
  return key.slice(0, key.indexOf('\u0000'));
}

/** The package name of an index key. */
export function nameOfKey(key: string): string {
  return key.slice(key.indexOf('\u0000') + 1);
}

interface KeyState {
  readonly ecosystem: string;
  readonly name: string;
  readonly advisories: Map<string, Advisory>;
  /** Built on first use, dropped with the memo when an advisory under this key changes. */
  index: KeyIndex | undefined;
  /** Memo: version string → matches. */
  readonly memo: Map<string, readonly PackageMatch[]>;
}

/**
 * The advisories of one key, ready to evaluate. Most distro advisories are one range
 * "introduced 0, fixed X": a version is affected exactly by those whose X is above it, so
 * they are kept sorted by X and found with one binary search (a suffix of the list).
 * Everything else is evaluated entry by entry with full OSV semantics.
 */
interface KeyIndex {
  readonly simpleFixed: readonly unknown[];
  readonly simpleMatches: readonly PackageMatch[];
  readonly complex: ReadonlyArray<{ readonly advisory: Advisory; readonly entries: readonly CompiledEntry[] }>;
}

/**
 * The matching engine: an index of advisories by (ecosystem, name), evaluated with exact OSV
 * semantics. Each distinct (ecosystem, name, version) is evaluated once and memoised, however
 * many hosts carry it. Advisories can be added, replaced and removed; only the keys they touch
 * lose their memo, which is what lets the server re-assess incrementally.
 */
export class Matcher {
  /**
   * Key states by ecosystem, then name: the hot path looks up with the strings it was given,
   * because building a joined key per lookup costs more than the lookups themselves.
   */
  private readonly byEcosystem = new Map<string, Map<string, KeyState>>();
  /** The key states each advisory is filed under, for replacing and removing it. */
  private readonly advisoryStates = new Map<string, KeyState[]>();
  private readonly schemes = new Map<string, VersionScheme>();
  /** Answers per InstalledPackage object, valid while `generation` is unchanged. */
  private readonly byPackage = new WeakMap<InstalledPackage, { generation: number; matches: readonly PackageMatch[] }>();
  /** The usual findings group of a package (itself alone), shared by the hosts that list it. */
  private readonly groups = new WeakMap<InstalledPackage, PackageFindings>();
  private generation = 0;
  private readonly positional = new PositionalAnswers();
  /** Host ecosystem → indexed ecosystems that apply to it; cleared when the set of ecosystems changes. */
  private readonly applicableCache = new Map<string, readonly string[]>();
  /**
   * Advisories with versions invalid for their scheme, by id: left out when a range event is
   * invalid, used without the bad strings when only enumerated versions are. Reported, not guessed at.
   */
  readonly advisoryProblems = new Map<string, PatchwiseError>();
  readonly stats: MatcherStats = { evaluations: 0, memoHits: 0 };

  constructor(advisories: Iterable<Advisory> = []) {
    this.upsert(advisories);
  }

  /** Number of advisories held. */
  get size(): number {
    return this.advisoryStates.size;
  }

  /** Adds advisories, replacing any with the same id; returns the package keys whose answers may change. */
  upsert(advisories: Iterable<Advisory>): Set<string> {
    const touched = new Set<KeyState>();
    for (const advisory of advisories) {
      this.removeOne(advisory.id, touched);
      const states: KeyState[] = [];
      for (const affected of advisory.affected) {
        let names = this.byEcosystem.get(affected.ecosystem);
        if (!names) {
          this.byEcosystem.set(affected.ecosystem, (names = new Map<string, KeyState>()));
          this.applicableCache.clear();
        }
        let state = names.get(affected.name);
        if (!state) {
          state = { ecosystem: affected.ecosystem, name: affected.name, advisories: new Map(), index: undefined, memo: new Map() };
          names.set(affected.name, state);
        }
        state.advisories.set(advisory.id, advisory);
        states.push(state);
        touched.add(state);
      }
      this.advisoryStates.set(advisory.id, states);
    }
    return this.invalidate(touched);
  }

  /** Removes advisories by id; returns the package keys whose answers may change. */
  remove(ids: Iterable<string>): Set<string> {
    const touched = new Set<KeyState>();
    for (const id of ids) this.removeOne(id, touched);
    return this.invalidate(touched);
  }

  /** Drops the touched states' memo and index; returns their package keys. */
  private invalidate(states: Set<KeyState>): Set<string> {
    this.generation++;
    this.positional.clear();
    const keys = new Set<string>();
    for (const state of states) {
      state.memo.clear();
      state.index = undefined;
      keys.add(packageKey(state.ecosystem, state.name));
    }
    return keys;
  }

  private removeOne(id: string, touched: Set<KeyState>): void {
    const states = this.advisoryStates.get(id);
    if (!states) return;
    this.advisoryProblems.delete(id);
    for (const state of states) {
      state.advisories.delete(id);
      if (state.advisories.size === 0) {
        const names = this.byEcosystem.get(state.ecosystem);
        names?.delete(state.name);
        if (names?.size === 0) {
          this.byEcosystem.delete(state.ecosystem);
          this.applicableCache.clear();
        }
      }
      touched.add(state);
    }
    this.advisoryStates.delete(id);
  }

  /**
   * Advisories that apply to an installed package (its source name and version where it has
   * them). Inventory readers share one InstalledPackage object between hosts that carry the
   * same package, so the answer is remembered per object until advisories change.
   */
  matchPackage(pkg: InstalledPackage): readonly PackageMatch[] {
    const cached = this.byPackage.get(pkg);
    if (cached && cached.generation === this.generation) return cached.matches;
    const target = matchTarget(pkg);
    const matches = this.match(pkg.ecosystem, target.name, target.version);
    this.byPackage.set(pkg, { generation: this.generation, matches });
    return matches;
  }

  /**
   * The package's findings as a group of its own, given its matches: made once per
   * InstalledPackage object and shared (frozen) by every host that lists that object, so that
   * assessing a host allocates nothing for the packages it shares with others.
   */
  packageFindings(pkg: InstalledPackage, matches: readonly PackageMatch[]): PackageFindings {
    let group = this.groups.get(pkg);
    if (group === undefined || group.matches !== matches) {
      const target = matchTarget(pkg);
      group = Object.freeze({ ecosystem: pkg.ecosystem, package: target.name, installed: target.version, binaries: Object.freeze([pkg.name]), matches });
      this.groups.set(pkg, group);
    }
    return group;
  }

  /**
   * The answers (findings groups) of the last host whose package list has the layout of this
   * one, by position, for `assessHost` to reuse where the same package object sits at the same
   * place, and to update in place. Valid until advisories change.
   */
  layoutAnswers(packages: readonly InstalledPackage[]): LayoutAnswers | undefined {
    return this.positional.layoutOf(packages);
  }

  /**
   * Advisories that apply to this installed version. Throws PW_VERSION_INVALID when `version`
   * is not valid in the ecosystem's scheme (and the key has advisories to compare against).
   */
  match(ecosystem: string, name: string, version: string): readonly PackageMatch[] {
    const ecosystems = this.ecosystemsFor(ecosystem);
    let result: readonly PackageMatch[] = NO_MATCHES;
    for (const eco of ecosystems) {
      const state = this.byEcosystem.get(eco)?.get(name);
      if (!state) continue;
      const found = this.matchState(state, version);
      if (found.length === 0) continue;
      if (result.length === 0) result = found;
      else {
        // One advisory filed under two applicable ecosystems (RHEL baseos and appstream) is one finding.
        const seen = new Set(result.map((m) => m.advisory.id));
        result = [...result, ...found.filter((m) => !seen.has(m.advisory.id))];
      }
    }
    return result;
  }

  /**
   * The indexed ecosystems whose advisories apply to packages of `ecosystem`: itself; its bare
   * name ("Debian" applies to every Debian release); and narrower ones below it
   * ("Red Hat:enterprise_linux:9::appstream" applies to a "Red Hat:enterprise_linux:9" host,
   * since the rpm database does not record the repository); and for Ubuntu, the standard and
   * Pro (ESM) streams of the same release (`ubuntu-pro.ts`). Empty when no advisory held covers
   * it: a host of that ecosystem has no findings because nothing is known, not because it is clean.
   * @throws PatchwiseError `PW_ECOSYSTEM_UNKNOWN` for an ecosystem OSV does not define.
   */
  ecosystemsFor(ecosystem: string): readonly string[] {
    let list = this.applicableCache.get(ecosystem);
    if (list) return list;
    ecosystemInfo(ecosystem); // an ecosystem OSV does not define is an error, not "no findings"
    const applies = ecosystemApplies(ecosystem);
    list = [...this.byEcosystem.keys()].filter(applies).sort();
    this.applicableCache.set(ecosystem, list);
    return list;
  }

  private matchState(state: KeyState, version: string): readonly PackageMatch[] {
    const memoised = state.memo.get(version);
    if (memoised) {
      this.stats.memoHits++;
      return memoised;
    }
    this.stats.evaluations++;
    const scheme = this.schemeOf(state.ecosystem);
    const parsed = scheme.parse(version);
    const index = (state.index ??= this.buildIndex(state, scheme));
    let lo = 0;
    let hi = index.simpleFixed.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scheme.compare(parsed, index.simpleFixed[mid]) < 0) hi = mid;
      else lo = mid + 1;
    }
    const matches: PackageMatch[] = lo < index.simpleMatches.length ? index.simpleMatches.slice(lo) : [];
    for (const { advisory, entries } of index.complex) {
      // Several entries of one advisory can name the same package (AlmaLinux lists one per module
      // build): the nearest fix above the installed version is the one reported.
      let hit: EntryVerdict | undefined;
      for (const entry of entries) {
        const verdict = evaluateEntry(entry, parsed);
        if (verdict.affected) hit = nearerFix(scheme, hit, verdict);
      }
      if (hit) matches.push(matchOf(advisory, hit.fixed, state.ecosystem));
    }
    const result = matches.length === 0 ? NO_MATCHES : matches;
    state.memo.set(version, result);
    return result;
  }

  private buildIndex(state: KeyState, scheme: VersionScheme): KeyIndex {
    const simple: { fixed: unknown; match: PackageMatch }[] = [];
    const complex: { advisory: Advisory; entries: CompiledEntry[] }[] = [];
    for (const advisory of state.advisories.values()) {
      const entries = this.compile(advisory, state, scheme);
      const only = entries.length === 1 ? entries[0] : undefined;
      const fixed = only && simpleFix(only);
      if (only && fixed) simple.push({ fixed: fixed.version, match: matchOf(advisory, fixed.text, state.ecosystem) });
      else if (entries.length > 0) complex.push({ advisory, entries });
    }
    simple.sort((a, b) => scheme.compare(a.fixed, b.fixed));
    return { simpleFixed: simple.map((s) => s.fixed), simpleMatches: simple.map((s) => s.match), complex };
  }

  private compile(advisory: Advisory, state: KeyState, scheme: VersionScheme): CompiledEntry[] {
    const entries = advisory.affected
      .filter((a) => a.ecosystem === state.ecosystem && a.name === state.name)
      .map((a) => compileEntry(advisory, a, scheme));
    const problems = entries.flatMap((e) => [
      ...e.invalidRanges.map((reason) => `a range was left out (${reason})`),
      ...(e.invalidVersions.length > 0 ? [`enumerated versions ${e.invalidVersions.map((v) => `"${v}"`).join(', ')} were ignored`] : []),
    ]);
    if (problems.length > 0) {
      const message = `advisory ${advisory.id}, package ${state.name} (${state.ecosystem}): ${problems.join('; ')}`;
      this.advisoryProblems.set(advisory.id, new PatchwiseError('PW_VERSION_INVALID', message, { input: advisory.source }));
    }
    return entries;
  }

  private schemeOf(ecosystem: string): VersionScheme {
    let scheme = this.schemes.get(ecosystem);
    if (!scheme) {
      scheme = ecosystemInfo(ecosystem).scheme;
      this.schemes.set(ecosystem, scheme);
    }
    return scheme;
  }
}

/** A match, with the note an Ubuntu Pro fix carries (matches are shared and never changed after). */
function matchOf(advisory: Advisory, fixed: string | undefined, ecosystem: string): PackageMatch {
  const note = ubuntuProFixNote(ecosystem, fixed);
  return note === undefined ? { advisory, fixed } : { advisory, fixed, note };
}
