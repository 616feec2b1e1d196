import type { Advisory } from '../advisories/index.js';
import type { HostInventory } from '../inventory/index.js';
import { assessHost, matchTarget, type HostAssessment } from './assess-host.js';
import { packageKey, type Matcher } from './matcher.js';

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
  private readonly hosts = new Map<string, { keys: string[]; result: HostAssessment }>();
  private readonly hostsByKey = new Map<string, Set<string>>();

  constructor(private readonly matcher: Matcher) {}

  /** Stores (or replaces) a host's inventory and returns its fresh assessment. */
  setHost(inventory: HostInventory): HostAssessment {
    this.removeHost(inventory.host);
    const keys = new Set<string>();
    for (const pkg of inventory.packages) {
      const { name } = matchTarget(pkg);
      keys.add(packageKey(pkg.ecosystem, name));
      const colon = pkg.ecosystem.indexOf(':');
      if (colon > 0) keys.add(packageKey(pkg.ecosystem.slice(0, colon), name));
    }
    for (const key of keys) {
      let set = this.hostsByKey.get(key);
      if (!set) this.hostsByKey.set(key, (set = new Set()));
      set.add(inventory.host);
    }
    const result = assessHost(this.matcher, inventory);
    this.hosts.set(inventory.host, { keys: [...keys], result });
    return result;
  }

  removeHost(host: string): void {
    const entry = this.hosts.get(host);
    if (!entry) return;
    for (const key of entry.keys) {
      const set = this.hostsByKey.get(key);
      set?.delete(host);
      if (set?.size === 0) this.hostsByKey.delete(key);
    }
    this.hosts.delete(host);
  }

  /** Applies advisory changes and re-assesses the hosts they can affect; returns those hosts' names. */
  updateAdvisories(change: AdvisoryChange): string[] {
    const touched = new Set<string>();
    if (change.remove) for (const key of this.matcher.remove(change.remove)) touched.add(key);
    if (change.upsert) for (const key of this.matcher.upsert(change.upsert)) touched.add(key);
    const affectedHosts = new Set<string>();
    for (const key of touched) for (const host of this.hostsByKey.get(key) ?? []) affectedHosts.add(host);
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
