import { amountOf, type RolloutStrategy } from './strategy.js';

/** What planning needs of a host. */
export interface PlannableHost {
  readonly id: string;
  /** Hosts of one cluster are spread over waves; null: a host of its own. */
  readonly cluster: string | null;
}

/**
 * Cuts hosts into waves: the canary first, then the strategy's sizes. Hosts are taken round-robin
 * over their clusters (in the order clusters are first met), so a wave holds as few hosts of one
 * cluster as possible and the canary tries several clusters. Every host lands in exactly one wave;
 * the order within the input is kept inside a cluster, so the plan is deterministic.
 */
export function planWaves<H extends PlannableHost>(hosts: readonly H[], strategy: RolloutStrategy): H[][] {
  const ordered = spreadOverClusters(hosts);
  const total = ordered.length;
  const sizes: number[] = [];
  let placed = 0;
  const canary = amountOf(strategy.canary, total);
  if (canary > 0) {
    sizes.push(canary);
    placed += canary;
  }
  let i = 0;
  let previous = Math.max(1, canary);
  while (placed < total) {
    let size: number;
    if (strategy.waves.kind === 'exponential') {
      size = Math.max(1, Math.round(previous * strategy.waves.factor));
    } else {
      const list = strategy.waves.sizes;
      size = Math.max(1, amountOf(list[Math.min(i, list.length - 1)]!, total));
    }
    size = Math.min(size, total - placed);
    sizes.push(size);
    placed += size;
    previous = size;
    i++;
  }
  const waves: H[][] = [];
  let at = 0;
  for (const size of sizes) {
    waves.push(ordered.slice(at, at + size));
    at += size;
  }
  return waves;
}

function spreadOverClusters<H extends PlannableHost>(hosts: readonly H[]): H[] {
  const buckets = new Map<string, H[]>();
  const loners: H[] = [];
  for (const h of hosts) {
    if (h.cluster === null) {
      loners.push(h);
      continue;
    }
    const bucket = buckets.get(h.cluster);
    if (bucket) bucket.push(h);
    else buckets.set(h.cluster, [h]);
  }
  // Hosts without a cluster take turns with the clusters, one at a time, like a cluster each.
  const queues = [...buckets.values()];
  const out: H[] = [];
  let round = 0;
  let lonerAt = 0;
  while (out.length < hosts.length) {
    for (const q of queues) if (round < q.length) out.push(q[round]!);
    const lonersThisRound = Math.max(1, Math.ceil((loners.length - lonerAt) / Math.max(1, maxLength(queues) - round)));
    for (let k = 0; k < lonersThisRound && lonerAt < loners.length; k++) out.push(loners[lonerAt++]!);
    round++;
  }
  return out;
}

function maxLength(queues: readonly unknown[][]): number {
  let m = 0;
  for (const q of queues) m = Math.max(m, q.length);
  return m;
}
