import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { InstalledPackage } from '../inventory/index.js';
import { encodingOf, snapshotIdOf, type PackageEncoding } from './package-encoding.js';
import { SnapshotBases, composeSnapshot } from './snapshot-bases.js';

const pkg = (name: string, version: string): InstalledPackage => ({ ecosystem: 'AlmaLinux:9', name, version });
const lineOf = encodingOf;
const image = (n: number, tag = 'a') => Array.from({ length: n }, (_, i) => pkg(`${tag}pkg${i}`, `1.${i}`));
const remember = (bases: SnapshotBases, id: string, ps: readonly InstalledPackage[]) => bases.remember(id, ps.map(lineOf), ps.map((p) => p.name));
const sorted = (ps: readonly InstalledPackage[]) => ps.map((p) => encodingOf(p).line).sort();

/** Seeded, so a failure repeats. */
function random(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648);
}

describe('SnapshotBases', () => {
  it('stores a clone as its difference from the closest base, and composing gives its packages back', () => {
    const bases = new SnapshotBases();
    const other = image(300, 'b');
    const base = image(300);
    remember(bases, 'other', other);
    remember(bases, 'base', base);
    const rnd = random(7);
    for (let round = 0; round < 200; round++) {
      // A clone: some packages at another version, some gone, some new, order shuffled, a duplicate.
      const clone = base.filter(() => rnd() > 0.03).map((p) => (rnd() < 0.05 ? pkg(p.name, `${p.version}.1`) : p));
      clone.push(...Array.from({ length: Math.floor(rnd() * 5) }, (_, i) => pkg(`extra${round}-${i}`, '1')));
      if (round % 3 === 0) clone.push(clone[0] as InstalledPackage);
      clone.sort(() => rnd() - 0.5);
      const diff = bases.diff(clone.map(lineOf));
      expect(diff?.baseId).toBe('base');
      if (!diff) return;
      const rebuilt = composeSnapshot(
        base,
        diff.removed,
        diff.added.map((i) => clone[i] as InstalledPackage),
      );
      expect(sorted(rebuilt)).toEqual(sorted(clone));
      expect(diff.added.length + diff.removed.length).toBeLessThan(0.25 * clone.length);
      expect(diff.removedNames).toEqual(diff.removed.map((at) => base[at]?.name));
    }
  });

  it('stores whole what no base is close to, and small inventories', () => {
    const bases = new SnapshotBases();
    remember(bases, 'base', image(200));
    const half = [...image(100), ...image(100, 'z')];
    expect(bases.diff(half.map(lineOf))).toBeUndefined();
    expect(bases.diff(image(200, 'q').map(lineOf))).toBeUndefined();
    expect(bases.diff(image(40).map(lineOf))).toBeUndefined();
    // Within the sample yet too different in full: 30 % of the packages replaced at the end.
    const tail = [...image(140), ...image(60, 'y')];
    expect(bases.diff(tail.map(lineOf))).toBeUndefined();
  });

  it('never offers a forgotten base, and keeps only as many bases as it was given room for', () => {
    const bases = new SnapshotBases(2);
    remember(bases, 'a', image(100, 'a'));
    remember(bases, 'b', image(100, 'b'));
    expect(bases.diff(image(100, 'a').map(lineOf))?.baseId).toBe('a');
    bases.forget('a');
    expect(bases.diff(image(100, 'a').map(lineOf))).toBeUndefined();
    remember(bases, 'c', image(100, 'c'));
    remember(bases, 'd', image(100, 'd'));
    expect(bases.diff(image(100, 'b').map(lineOf))).toBeUndefined();
    expect(bases.diff(image(100, 'd').map(lineOf))?.baseId).toBe('d');
  });

  it('keeps a bounded number of parsed snapshots', () => {
    const bases = new SnapshotBases(2, 2);
    bases.keepPackages('a', image(1));
    bases.keepPackages('b', image(1));
    bases.keepPackages('c', image(1));
    expect(bases.packagesOf('a')).toBeUndefined();
    expect(bases.packagesOf('c')).toEqual(image(1));
  });
});

describe('snapshotIdOf', () => {
  it('names a set of packages whatever their order, and tells any two different sets apart', () => {
    const ps = image(50);
    const id = snapshotIdOf(ps.map(encodingOf));
    expect(snapshotIdOf([...ps].reverse().map(encodingOf))).toBe(id);
    expect(snapshotIdOf(ps.map((p) => encodingOf({ ...p })))).toBe(id);
    expect(snapshotIdOf(ps.slice(1).map(encodingOf))).not.toBe(id);
    expect(snapshotIdOf([...ps, ps[0] as InstalledPackage].map(encodingOf))).not.toBe(id);
    expect(snapshotIdOf(ps.map((p, i) => encodingOf(i === 7 ? { ...p, arch: 'x86_64' } : p)))).not.toBe(id);
    expect(snapshotIdOf(ps.map((p, i) => encodingOf(i === 9 ? { ...p, sourceName: p.name } : p)))).not.toBe(id);
  });
});

describe('snapshotIdOf on ties and large sets', () => {
  const enc = (line: string, rank: number): PackageEncoding => {
    const digest = createHash('sha256').update(line).digest().toString('latin1');
    return { line, json: line, digest, rank };
  };
  it('orders packages whose ranks tie by digest, so input order never changes the id', () => {
    // Ranks that agree in their top 36 bits (what the native sort keys on) but not in the rest.
    const tied = ['a', 'b', 'c', 'd'].map((l, i) => enc(l, 5 * 2 ** 12 + i));
    const others = ['e', 'f'].map((l, i) => enc(l, (i + 1) * 2 ** 40));
    const id = snapshotIdOf([...tied, ...others]);
    expect(snapshotIdOf([...others, ...tied].reverse())).toBe(id);
    expect(snapshotIdOf([tied[2], others[0], tied[0], tied[3], others[1], tied[1]] as PackageEncoding[])).toBe(id);
    expect(snapshotIdOf([...tied.slice(1), ...others])).not.toBe(id);
  });
  it('names more packages than the native sort can index the same whatever their order', () => {
    const many = Array.from({ length: 70_000 }, (_, i) => encodingOf({ ecosystem: 'PyPI', name: `p${i}`, version: '1' }));
    expect(snapshotIdOf([...many].reverse())).toBe(snapshotIdOf(many));
  });
});

describe('composeSnapshot', () => {
  it('puts a package at another version where its base had the package, and the rest after', () => {
    const base = image(6);
    const newer = { ...base[2], version: '9' } as InstalledPackage;
    const extra = pkg('extra', '1');
    // Base positions 2 (replaced by a newer version) and 4 (gone) removed.
    expect(composeSnapshot(base, [2, 4], [extra, newer])).toEqual([base[0], base[1], newer, base[3], base[5], extra]);
  });
});
