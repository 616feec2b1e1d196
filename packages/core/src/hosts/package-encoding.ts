import { createHash } from 'node:crypto';
import type { InstalledPackage } from '../inventory/index.js';

/** A package as snapshots store, identify and compare it. */
export interface PackageEncoding {
  /** Every identifying field, canonically: equal lines are equal packages. */
  readonly line: string;
  /** The JSON text stored for it (what JSON.stringify writes). */
  readonly json: string;
  /** SHA-256 of the line. */
  readonly digest: Buffer;
  /** The digest's first 48 bits as a number: uniform, so it orders and samples cheaply. */
  readonly rank: number;
}

/**
 * Remembered per package object: the server shares one read-only object per distinct package
 * among uploads, so a fleet of clones encodes and hashes each package once, not once per
 * upload. A pure function's memo; entries go with their objects.
 */
const ENCODINGS = new WeakMap<InstalledPackage, PackageEncoding>();

export function encodingOf(p: InstalledPackage): PackageEncoding {
  let e = ENCODINGS.get(p);
  if (!e) {
    const line = JSON.stringify([p.ecosystem, p.name, p.version, p.arch ?? '', p.sourceName ?? '', p.sourceVersion ?? '']);
    const digest = createHash('sha256').update(line).digest();
    e = { line, json: JSON.stringify(p), digest, rank: digest.readUIntBE(0, 6) };
    ENCODINGS.set(p, e);
  }
  return e;
}

/**
 * A snapshot's id: SHA-256 over its packages' digests in ascending order, so any order of the
 * same packages gives the same id, and two different sets share one only by a SHA-256
 * collision (ids are trusted to deduplicate hosts' inventories). Sorting numbers and hashing
 * 32 bytes a package costs a fraction of sorting and hashing the lines themselves.
 */
export function snapshotIdOf(packages: readonly PackageEncoding[]): string {
  const sorted = [...packages].sort((a, b) => a.rank - b.rank || Buffer.compare(a.digest, b.digest));
  return createHash('sha256')
    .update(Buffer.concat(sorted.map((e) => e.digest)))
    .digest('hex');
}
