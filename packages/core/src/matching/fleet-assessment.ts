import type { Advisory } from '../advisories/index.js';
import type { HostInventory } from '../inventory/index.js';
import { assessHost, type HostAssessment } from './assess-host.js';
import { matchTarget } from './match-target.js';
import { nameOfKey, type Matcher } from './matcher.js';

export interface AdvisoryChange {
  readonly upsert?: Iterable<Advisory>;
  readonly remove?: Iterable<string>;
}

/**
 * A fleet's assessment kept current incrementally: a host whose inventory changed is re-assessed
 * alone, and an advisory change re-assesses only the hosts that carry a package key it touched.
 * The matcher's memo means unchanged (ecosystem, name, version) triples are not re-evaluated.
 */
export class FleetAssessment {
  private readonly hosts = new Map<string, { names: string[]; result: HostAssessment }>();
  /**
   * Hosts by matched package name. By name, not (ecosystem, name): an advisory's ecosystem can
   * apply to hosts of several (bare "Debian", RHEL repositories below a release), and
   * re-assessing a host that only shares a name is harmless.
   */
  private readonly hostsByName = new Map<string, Set<string>>();

  constructor(private readonly matcher: Matcher) {}

  /** Stores (or replaces) a host's inventory and returns its fresh assessment. */
  setHost(inventory: HostInventory): HostAssessment {
    this.removeHost(inventory.host);
    const names = new Set(inventory.packages.map((pkg) => matchTarget(pkg).name));
    for (const name of names) {
      let set = this.hostsByName.get(name);
      if (!set) this.hostsByName.set(name, (set = new Set()));
      set.add(inventory.host);
    }
    const result = assessHost(this.matcher, inventory);
    this.hosts.set(inventory.host, { names: [...names], result });
    return result;
  }

  removeHost(host: string): void {
    const entry = this.hosts.get(host);
    if (!entry) return;
    for (const name of entry.names) {
      const set = this.hostsByName.get(name);
      set?.delete(host);
      if (set?.size === 0) this.hostsByName.delete(name);
    }
    this.hosts.delete(host);
  }

  /** Applies advisory changes and re-assesses the hosts they can affect; returns those hosts' names. */
  updateAdvisories(change: AdvisoryChange): string[] {
    const touched = new Set<string>();
    if (change.remove) for (const key of this.matcher.remove(change.remove)) touched.add(key);
    if (change.upsert) for (const key of this.matcher.upsert(change.upsert)) touched.add(key);
    const affectedHosts = new Set<string>();
    for (const key of touched) for (const host of this.hostsByName.get(nameOfKey(key)) ?? []) affectedHosts.add(host);
    for (const host of affectedHosts) {
      const entry = this.hosts.get(host);
      if (entry) entry.result = assessHost(this.matcher, entry.result.host);
    }
    return [...affectedHosts];
  }

  get(host: string): HostAssessment | undefined {
    return this.hosts.get(host)?.result;
  }

  hostNames(): string[] {
    return [...this.hosts.keys()];
  }
}
