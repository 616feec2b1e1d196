/**
 * The NuGet scheme's order key against a direct model of VersionComparer.Default, on seeded pairs.
 *
 * No NuGet is available to ask here (no .NET runtime is packaged for Debian), so this is not an
 * oracle test: the model restates the rules of docs/versions.md, and the rules themselves are
 * proven by NuGet.Client's own vectors in src/versions/nuget.test.ts. What this test proves is
 * that the parser and the order-key encoding (fixed-width numbers, label tags, terminators, the
 * Int32 offset of signed labels) implement those rules on every combination of the corners:
 * versions are generated as structures, written out in NuGet's spellings (leading zeros, missing
 * parts, white space around numbers, label case, metadata), and compared both ways.
 */
import { describe, expect, it } from 'vitest';
import { nugetScheme } from '../../src/versions/nuget.js';
import { Dice, seededRandom, sign } from './oracle-support.js';

interface Shape {
  readonly numbers: readonly number[];
  readonly labels: readonly string[];
}

const NUMBERS = [0, 1, 2, 9, 10, 11, 100, 2147483646, 2147483647];
const LABELS = ['0', '1', '2', '10', '-1', '-0', '-2147483648', '-2147483649', '2147483647', '2147483648', '10000000000', 'a', 'A', 'a-', 'alpha', 'Alpha', 'beta', 'BETA', 'rc', 'RC', 'rc-1', '-', '--', 'zz', 'b2', '0a', 'preview'];
const METADATA = ['', '+build', '+Build.5', '+0.01-x', '+-'];

function randomShape(dice: Dice): Shape {
  const numbers = Array.from({ length: 1 + dice.int(4) }, () => dice.pick(NUMBERS));
  const labels = dice.chance(0.55) ? Array.from({ length: 1 + dice.int(3) }, () => dice.pick(LABELS)) : [];
  return { numbers, labels };
}

/** A shape NuGet reads as equal, or one step away: a changed number or label, one label more or less. */
function neighbour(dice: Dice, s: Shape): Shape {
  const numbers = [...s.numbers];
  const labels = [...s.labels];
  switch (dice.int(5)) {
    case 0:
      numbers[dice.int(numbers.length)] = dice.pick(NUMBERS);
      break;
    case 1:
      if (labels.length > 0) labels[dice.int(labels.length)] = dice.pick(LABELS);
      break;
    case 2:
      if (dice.chance(0.5)) labels.push(dice.pick(LABELS));
      else labels.pop();
      break;
    case 3:
      if (numbers.length < 4) numbers.push(dice.chance(0.7) ? 0 : dice.pick(NUMBERS));
      break;
    default:
      // Same version, other spelling (see `write`).
      break;
  }
  return { numbers, labels };
}

/** One of NuGet's spellings of a shape: leading zeros, white space around numbers, any label case, metadata. */
function write(dice: Dice, s: Shape): string {
  const numbers = s.numbers.map((n) => {
    let text = dice.chance(0.15) ? `00${n}` : String(n);
    if (dice.chance(0.05)) text = ` ${text}`;
    if (dice.chance(0.05)) text = `${text}\u00a0`;
    return text;
  });
  const labels = s.labels.map((l) => (dice.chance(0.3) ? swapCase(l) : l));
  return numbers.join('.') + (labels.length > 0 ? `-${labels.join('.')}` : '') + dice.pick(METADATA);
}

function swapCase(s: string): string {
  return s.replace(/[a-z]/gi, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
}

/** int.TryParse on a valid label: digits with an optional '-', inside Int32. */
function labelNumber(label: string): number | undefined {
  if (!/^-?[0-9]+$/.test(label)) return undefined;
  const n = Number(label);
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

/** VersionComparer.Default, restated directly. */
function modelCompare(a: Shape, b: Shape): -1 | 0 | 1 {
  for (let i = 0; i < 4; i++) {
    const d = (a.numbers[i] ?? 0) - (b.numbers[i] ?? 0);
    if (d !== 0) return sign(d);
  }
  if (a.labels.length === 0 || b.labels.length === 0) return sign((a.labels.length === 0 ? 1 : 0) - (b.labels.length === 0 ? 1 : 0));
  for (let i = 0; i < Math.max(a.labels.length, b.labels.length); i++) {
    const [x, y] = [a.labels[i], b.labels[i]];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const [nx, ny] = [labelNumber(x), labelNumber(y)];
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny) return sign(nx - ny);
    } else if (nx !== undefined || ny !== undefined) {
      return nx !== undefined ? -1 : 1;
    } else {
      const [ux, uy] = [x.toUpperCase(), y.toUpperCase()];
      if (ux !== uy) return ux < uy ? -1 : 1;
    }
  }
  return 0;
}

describe('nuget scheme: order key against a direct model of VersionComparer.Default', () => {
  it('agrees on 20,000 seeded pairs of corner versions, thousands of them equal', () => {
    const dice = new Dice(seededRandom(0x6e756765));
    const wrong: string[] = [];
    let equal = 0;
    for (let i = 0; i < 20_000; i++) {
      const a = randomShape(dice);
      const b = dice.chance(0.6) ? neighbour(dice, a) : randomShape(dice);
      const [ta, tb] = [write(dice, a), write(dice, b)];
      const expected = modelCompare(a, b);
      if (expected === 0) equal++;
      const got = sign(nugetScheme.compare(nugetScheme.parse(ta), nugetScheme.parse(tb)));
      const back = sign(nugetScheme.compare(nugetScheme.parse(tb), nugetScheme.parse(ta)));
      if (got !== expected || back !== -expected) wrong.push(`${JSON.stringify(ta)} vs ${JSON.stringify(tb)}: model ${expected}, scheme ${got}/${back}`);
    }
    expect(wrong.slice(0, 20), `${wrong.length} disagreements`).toEqual([]);
    // The pairs must exercise equality (other spellings), not only strict orders.
    expect(equal).toBeGreaterThan(4_000);
  });
});
