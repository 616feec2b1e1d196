import { createHash } from 'node:crypto';
import type { InstalledPackage } from '../inventory/index.js';

/** A package as snapshots store, identify and compare it. */
export interface PackageEncoding {
  /** Every identifying field, canonically: equal lines are equal packages. */
  readonly line: string;
  /** The JSON text stored for it (what JSON.stringify writes). */
  readonly json: string;
  /**
   * SHA-256 of the line, one byte per character (latin1). A string, not a Buffer: the server
   * keeps an encoding for each of ~100,000 shared packages, and as many ArrayBuffers would make
   * every garbage collection of the process slower, check-ins' included.
   */
  readonly digest: string;
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
    const bytes = createHash('sha256').update(line).digest();
    e = { line, json: JSON.stringify(p), digest: bytes.toString('latin1'), rank: bytes.readUIntBE(0, 6) };
    ENCODINGS.set(p, e);
  }
  return e;
}

/**
 * A snapshot's id: SHA-256 over its packages' digests in ascending order, so any order of the
 * same packages gives the same id, and two different sets share one only by a SHA-256
 * collision (ids are trusted to deduplicate hosts' inventories).
 *
 * The order comes from a native sort of numbers, each the rank's top 36 bits above the
 * package's index, instead of a comparator sort of strings or buffers, which cost about ten
 * times as much; packages whose 36 bits tie are then put in digest order among themselves.
 */
export function snapshotIdOf(packages: readonly PackageEncoding[]): string {
  const n = packages.length;
  if (n > INDEX_SPAN) return snapshotIdSorted([...packages].sort(byDigest));
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = Math.floor((packages[i] as PackageEncoding).rank / RANK_DROP) * INDEX_SPAN + i;
  keys.sort();
  const ordered = Array.from(keys, (k) => packages[k % INDEX_SPAN] as PackageEncoding);
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && Math.floor((keys[end] as number) / INDEX_SPAN) === Math.floor((keys[start] as number) / INDEX_SPAN)) end++;
    if (end - start > 1) ordered.splice(start, end - start, ...ordered.slice(start, end).sort(byDigest));
    start = end;
  }
  return snapshotIdSorted(ordered);
}

/** Packages per snapshot whose index fits beside 36 bits of rank in a double's 53. */
const INDEX_SPAN = 2 ** 16;
/** A rank (48 bits) divided by this keeps its top 36. */
const RANK_DROP = 2 ** 12;

/** Byte order: a latin1 string's code units are its bytes. */
const byDigest = (a: PackageEncoding, b: PackageEncoding) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);

function snapshotIdSorted(ordered: readonly PackageEncoding[]): string {
  return createHash('sha256')
    .update(ordered.map((e) => e.digest).join(''), 'latin1')
    .digest('hex');
}
