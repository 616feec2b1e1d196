import type { InventoryPackage } from '@patchwise/agent';
import { evrText } from '../fleet/feed-versions.js';
import type { FleetImage, FleetPackage } from '../fleet/synthetic-fleet.js';
import { JoinedFragments } from './joined-fragments.js';

/**
 * The JSON text of every package of one image, both ways it is written, computed once per image
 * and shared by all its hosts. A simulated agent assembles its upload body and the canonical
 * text behind its digest from these: building 1,000 objects, sorting them and serializing them
 * twice on every upload cost the load generator more CPU than the server spent answering, and
 * the two share this machine's cores.
 *
 * A host differs from its image only in which slots hold the `alt` package, so each slot has four
 * fragments: wire and canonical, base and alt. Which of the two a host has is never stored here.
 */
export class InventoryFragments {
  private static readonly byImage = new WeakMap<FleetImage, InventoryFragments>();

  /** As the simulator has always sent them, in slot order: `{"name","version","arch"}` / `{"ecosystem","name","version"}`. */
  private readonly wire: JoinedFragments;
  /**
   * As `inventoryDigest` writes them (keys sorted by code units, values plain strings), in the
   * digest's package order, when that order is the same for every host of the image: it is when
   * no two slots share ecosystem and name and base and alt of each slot do (as the synthetic fleet
   * makes them), since those keys decide first. Undefined otherwise: each host sorts its own.
   */
  private readonly canonical: { readonly joined: JoinedFragments; readonly positionOf: Uint32Array } | undefined;

  private constructor(private readonly image: FleetImage) {
    const slots = image.slots;
    this.wire = new JoinedFragments(
      slots.map((s) => JSON.stringify(wirePackage(s.base))),
      slots.map((s) => JSON.stringify(wirePackage(s.alt))),
    );
    const base = slots.map((s) => wirePackage(s.base));
    const order = Uint32Array.from(slots.keys()).sort((a, b) => compareLeadingKeys(base[a]!, base[b]!));
    const tied = order.some((slot, i) => i > 0 && compareLeadingKeys(base[order[i - 1]!]!, base[slot]!) === 0);
    const altMoves = slots.some((s, i) => compareLeadingKeys(base[i]!, wirePackage(s.alt)) !== 0);
    if (tied || altMoves) {
      this.canonical = undefined;
    } else {
      const inOrder = [...order].map((slot) => slots[slot]!);
      const positionOf = new Uint32Array(slots.length);
      order.forEach((slot, position) => (positionOf[slot] = position));
      this.canonical = { joined: new JoinedFragments(inOrder.map((s) => canonicalText(s.base)), inOrder.map((s) => canonicalText(s.alt))), positionOf };
    }
  }

  /** The fragments of an image, made on first use (a few milliseconds for 1,000 packages). */
  static of(image: FleetImage): InventoryFragments {
    let f = InventoryFragments.byImage.get(image);
    if (f === undefined) {
      f = new InventoryFragments(image);
      InventoryFragments.byImage.set(image, f);
    }
    return f;
  }

  /** Whether every host of the image shares one precomputed canonical order (else each sorts its own). */
  get sharedOrder(): boolean {
    return this.canonical !== undefined;
  }

  /** The wire packages of a host with the alternative package in `alt` slots, in slot order, comma-joined. */
  wirePackages(alt: ReadonlySet<number>): string {
    return this.wire.with([...alt].sort(ascending));
  }

  /** The canonical packages of such a host in the digest's package order, comma-joined. */
  canonicalPackages(alt: ReadonlySet<number>): string {
    if (this.canonical === undefined) return this.sortedCanonicalPackages(alt);
    const { joined, positionOf } = this.canonical;
    return joined.with(Array.from(alt, (slot) => positionOf[slot]!).sort(ascending));
  }

  /** The digest's order for one host, when the image's slots tie on ecosystem and name. */
  private sortedCanonicalPackages(alt: ReadonlySet<number>): string {
    const chosen = this.image.slots.map((s, i) => (alt.has(i) ? s.alt : s.base));
    const packages = chosen.map(wirePackage);
    const order = Uint32Array.from(chosen.keys()).sort((a, b) => comparePackageKeys(packages[a]!, packages[b]!));
    return Array.from(order, (i) => canonicalText(chosen[i]!)).join(',');
  }
}

/** The package as the simulator's documents carry it. */
export function wirePackage(p: FleetPackage): InventoryPackage {
  if (p.kind === 'pypi') return { ecosystem: 'PyPI', name: p.name, version: p.version };
  return { name: p.name, version: evrText(p.evr), arch: p.arch };
}

/**
 * The package as the agent's canonical encoding writes it. JSON.stringify of an object whose keys
 * are in code-unit order (`arch` < `ecosystem` < `name` < `version`) and whose values are strings
 * is exactly that encoding (it writes strings with JSON.stringify too); a test holds the digests equal.
 */
function canonicalText(p: FleetPackage): string {
  if (p.kind === 'pypi') return JSON.stringify({ ecosystem: 'PyPI', name: p.name, version: p.version });
  return JSON.stringify({ arch: p.arch, name: p.name, version: evrText(p.evr) });
}

/** The digest's package order (documented in the agent's inventory-digest.ts), for the keys the simulator's packages have. */
function comparePackageKeys(a: InventoryPackage, b: InventoryPackage): number {
  return compareLeadingKeys(a, b) || compareText(a.version, b.version) || compareText(a.arch ?? '', b.arch ?? '');
}

/** Ecosystem (absent as "") and name, by UTF-16 code units. */
function compareLeadingKeys(a: InventoryPackage, b: InventoryPackage): number {
  return compareText(a.ecosystem ?? '', b.ecosystem ?? '') || compareText(a.name, b.name);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ascending = (a: number, b: number) => a - b;
