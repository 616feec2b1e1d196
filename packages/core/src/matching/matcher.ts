import type { Advisory } from '../advisories/index.js';
import { PatchwiseError } from '../errors/index.js';
import { ecosystemInfo, type VersionScheme } from '../versions/index.js';
import { compileEntry, evaluateEntry, type CompiledEntry } from './compiled-entry.js';

/** One advisory that applies to one (ecosystem, name, version). */
export interface PackageMatch {
  readonly advisory: Advisory;
  /** The nearest fixed version above the installed one, when known. */
  readonly fixed?: string | undefined;
}

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

interface KeyState {
  readonly ecosystem: string;
  readonly advisories: Map<string, { advisory: Advisory; compiled?: CompiledEntry[] }>;
  /** Memo: version string → matches. Dropped whole when an advisory under this key changes. */
  memo: Map<string, readonly PackageMatch[]>;
}

/**
 * The matching engine: an index of advisories by (ecosystem, name), evaluated with exact OSV
 * semantics. Each distinct (ecosystem, name, version) is evaluated once and memoised, however
 * many hosts carry it. Advisories can be added, replaced and removed; only the keys they touch
 * lose their memo, which is what lets the server re-assess incrementally.
 */
export class Matcher {
  private readonly keys = new Map<string, KeyState>();
  private readonly advisoryKeys = new Map<string, string[]>();
  private readonly schemes = new Map<string, VersionScheme>();
  /** Advisories whose own versions are invalid for their scheme, by id: reported, not guessed at. */
  readonly invalidAdvisories = new Map<string, PatchwiseError>();
  readonly stats: MatcherStats = { evaluations: 0, memoHits: 0 };

  constructor(advisories: Iterable<Advisory> = []) {
    this.upsert(advisories);
  }

  /** Number of advisories held. */
  get size(): number {
    return this.advisoryKeys.size;
  }

  /** Adds advisories, replacing any with the same id; returns the package keys whose answers may change. */
  upsert(advisories: Iterable<Advisory>): Set<string> {
    const touched = new Set<string>();
    for (const advisory of advisories) {
      this.removeOne(advisory.id, touched);
      const keys: string[] = [];
      for (const affected of advisory.affected) {
        const key = packageKey(affected.ecosystem, affected.name);
        let state = this.keys.get(key);
        if (!state) {
          state = { ecosystem: affected.ecosystem, advisories: new Map(), memo: new Map() };
          this.keys.set(key, state);
        }
        state.advisories.set(advisory.id, { advisory });
        keys.push(key);
        touched.add(key);
      }
      this.advisoryKeys.set(advisory.id, keys);
    }
    for (const key of touched) this.keys.get(key)?.memo.clear();
    return touched;
  }

  /** Removes advisories by id; returns the package keys whose answers may change. */
  remove(ids: Iterable<string>): Set<string> {
    const touched = new Set<string>();
    for (const id of ids) this.removeOne(id, touched);
    for (const key of touched) this.keys.get(key)?.memo.clear();
    return touched;
  }

  private removeOne(id: string, touched: Set<string>): void {
    const keys = this.advisoryKeys.get(id);
    if (!keys) return;
    this.invalidAdvisories.delete(id);
    for (const key of keys) {
      const state = this.keys.get(key);
      state?.advisories.delete(id);
      if (state && state.advisories.size === 0) this.keys.delete(key);
      touched.add(key);
    }
    this.advisoryKeys.delete(id);
  }

  /** True when some advisory names this (ecosystem, name); a cheap pre-check before parsing a version. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /**
   * Advisories that apply to this installed version. Throws PW_VERSION_INVALID when `version`
   * is not valid in the ecosystem's scheme (and the key has advisories to compare against).
   */
  match(ecosystem: string, name: string, version: string): readonly PackageMatch[] {
    const exact = this.matchKey(packageKey(ecosystem, name), version);
    // An advisory for a bare ecosystem ("Debian") applies to every release of it.
    const colon = ecosystem.indexOf(':');
    if (colon < 0) return exact;
    const bare = this.matchKey(packageKey(ecosystem.slice(0, colon), name), version);
    return bare.length === 0 ? exact : exact.length === 0 ? bare : [...exact, ...bare];
  }

  private matchKey(key: string, version: string): readonly PackageMatch[] {
    const state = this.keys.get(key);
    if (!state) return NO_MATCHES;
    const memoised = state.memo.get(version);
    if (memoised) {
      this.stats.memoHits++;
      return memoised;
    }
    this.stats.evaluations++;
    const scheme = this.schemeOf(state.ecosystem);
    const parsed = scheme.parse(version);
    const matches: PackageMatch[] = [];
    for (const slot of state.advisories.values()) {
      slot.compiled ??= this.compile(slot.advisory, key, scheme);
      let hit: PackageMatch | undefined;
      for (const entry of slot.compiled) {
        const verdict = evaluateEntry(entry, parsed);
        // Several entries of one advisory can name the same package; keep the one with a fix.
        if (verdict.affected && (!hit || (hit.fixed === undefined && verdict.fixed !== undefined))) {
          hit = { advisory: slot.advisory, fixed: verdict.fixed };
        }
      }
      if (hit) matches.push(hit);
    }
    const result = matches.length === 0 ? NO_MATCHES : matches;
    state.memo.set(version, result);
    return result;
  }

  private compile(advisory: Advisory, key: string, scheme: VersionScheme): CompiledEntry[] {
    try {
      return advisory.affected
        .filter((a) => packageKey(a.ecosystem, a.name) === key)
        .map((a) => compileEntry(advisory, a, scheme));
    } catch (err) {
      if (!(err instanceof PatchwiseError)) throw err;
      this.invalidAdvisories.set(advisory.id, err);
      return [];
    }
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

export function isVersionError(err: unknown): err is PatchwiseError {
  return err instanceof PatchwiseError && err.code === 'PW_VERSION_INVALID';
}
