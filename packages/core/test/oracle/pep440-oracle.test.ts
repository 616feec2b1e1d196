/**
 * PEP 440 against python `packaging` (python3-packaging): which strings are versions, their
 * normalised form `str(Version(x))`, and the order of seeded pairs. Also records why the scheme
 * is hand-written: the `@renovatebot/pep440` library disagrees with packaging.
 */
import * as renovatePep440 from '@renovatebot/pep440';
import { describe, expect, it } from 'vitest';
import { pep440Scheme } from '../../src/versions/pep440.js';
import {
  Dice,
  askPython,
  buildPairs,
  compareSign,
  firstDisagreements,
  orderDisagreements,
  requirePython,
  seededRandom,
  sign,
  validEdit,
} from './oracle-support.js';

const PRE = ['a', 'A', 'alpha', 'ALPHA', 'b', 'beta', 'Beta', 'c', 'C', 'rc', 'RC', 'pre', 'preview', 'Preview'];
const POST = ['post', 'POST', 'rev', 'r', 'R'];
const SEPS = ['', '', '.', '-', '_'];

/** Strings at the edges of the grammar and of the order (dev-only releases, locals, epochs). */
const CORNERS = [
  '0', '0.0', '00', '1', '1.0', '1.0.0', '1.0.dev0', '1.0a0', '1.0a1.dev1', '1.0a1', '1.0a1.post1', '1.0b1', '1.0rc1',
  '1.0c1', '1.0.post0.dev0', '1.0.post0', '1.0-0', '1.0-1', '1.0+0', '1.0+a', '1.0+a.1', '1.0+1.a', '1.0+01',
  '1.0+abc', '1.0+abd', '1.0+ab', '1!0', '1!1.0', '0!1.0', 'v1.0', 'V1.0', ' 1.0 ', '\t1.0\n', '1.0.DEV', '1.0-dev',
  '1.0a', '1.0.a.1', '1.0_a_1', '1.0-a-1', '1.0r', '1.0rev', '1.0-post-1', '1.0.post', '1.0+1e5', '1.0+100000',
  '1.0.99999999999999999999', '1.0.100000000000000000000', '1.0+99999999999999999999', '1.0preview1', '1.0pre',
];

/** Whitespace Python's \\s strips and JavaScript's \\s does not, and the reverse. */
const SPACES = ['1.0\u00a0', '\u30001.0', '1.0\x1c', '\x1f1.0', '1.0\x85', '\u20281.0\u2029', '\v1.0\f', '\r1.0\r\n'];

/**
 * Strings packaging accepts that this scheme rejects on purpose (docs/versions.md): Python's
 * case-insensitive regex lets four non-ASCII letters stand for ASCII ones, so packaging calls
 * `1.0prevıew` a version and normalises it to `1.0prevıew0`.
 */
const DELIBERATELY_REJECTED = ['1.0+\u017f', '1.0prev\u0131ew', '1.0+\u212a', '1.0+\u0130', '1.0.po\u017ft1'];

/** Strings packaging rejects, next to the accepted shapes above. */
const INVALID = [
  '', ' ', 'a', 'v', '1.', '.1', '1..0', '1.0+', '1.0++a', '1.0+a..b', '1.0+a_', '1.0-', '1.0--1', '1.0.post-',
  '1.0gamma', '1.0a.b', '1!', '!1', '1!!1', '1.0+é', 'é1.0', '1.0 1', '1.0\ufeff', 'vv1.0', 'v 1.0', '1.0.dev.1.2',
  '1.0-dev-post', '1.0.post1.post2', '1.0rc1a1', '1,0', '1/0', '1.0+a+b', '1.0+-a',
];

function number(d: Dice): string {
  const roll = d.next();
  if (roll < 0.04) return d.digits(17, 30);
  if (roll < 0.12) return '0' + d.digits(1, 2);
  return d.digits(1, 2);
}

function randomPep440(d: Dice): string {
  let s = d.chance(0.1) ? d.pick(['v', 'V']) : '';
  if (d.chance(0.15)) s += number(d) + '!';
  s += number(d);
  const parts = d.int(4);
  for (let i = 0; i < parts; i++) s += '.' + number(d);
  if (d.chance(0.35)) s += d.pick(SEPS) + d.pick(PRE) + d.pick(SEPS) + (d.chance(0.8) ? number(d) : '');
  if (d.chance(0.25)) s += d.chance(0.3) ? '-' + number(d) : d.pick(SEPS) + d.pick(POST) + d.pick(SEPS) + (d.chance(0.8) ? number(d) : '');
  if (d.chance(0.2)) s += d.pick(SEPS) + d.pick(['dev', 'DEV', 'Dev']) + d.pick(SEPS) + (d.chance(0.8) ? number(d) : '');
  if (d.chance(0.15)) {
    const segments = 1 + d.int(3);
    const local: string[] = [];
    for (let i = 0; i < segments; i++) local.push(d.pick(['abc', 'ABC', 'ubuntu', 'a1', '1e5', 'z', number(d), number(d)]));
    s += '+' + local.map((x, i) => (i === 0 ? x : d.pick(['.', '-', '_']) + x)).join('');
  }
  if (d.chance(0.05)) s = d.pick([' ', '\t', '\n', '  ']) + s + d.pick(['', ' ', '\n']);
  return s;
}

/** Random damage: most results are invalid, some stay valid in surprising ways. */
function damage(d: Dice, v: string): string {
  const at = d.int(v.length + 1);
  const roll = d.int(3);
  if (roll === 0) return v.slice(0, at) + d.pick(['..', '+', '!', '-', '_', 'x', ' ', '++', 'é', '/', 'a', 'post', 'dev', '.']) + v.slice(at);
  if (roll === 1) return v.slice(0, at);
  return v.slice(0, at) + v.slice(at + 1);
}

function tryParse(v: string): ReturnType<typeof pep440Scheme.parse> | undefined {
  try {
    return pep440Scheme.parse(v);
  } catch {
    return undefined;
  }
}

const NORMALIZE_SCRIPT = `
import sys, json
from packaging.version import Version, InvalidVersion
for line in sys.stdin:
    s = json.loads(line)
    try:
        print(json.dumps(str(Version(s))))
    except InvalidVersion:
        print('null')
`;

const ORDER_SCRIPT = `
import sys, json
from packaging.version import Version
out = []
for line in sys.stdin:
    a, b = json.loads(line)
    va, vb = Version(a), Version(b)
    out.append('1' if va > vb else '-1' if va < vb else '0')
sys.stdout.write('\\n'.join(out) + '\\n')
`;

const PROBE = 'from packaging.version import Version; Version("1.0")';

describe('pep440 scheme against python packaging', () => {
  it('accepts, rejects and normalises strings exactly as packaging does', ({ skip }) => {
    requirePython(PROBE, skip);
    const d = new Dice(seededRandom(0x9e9440));
    const strings = [...CORNERS, ...INVALID, ...SPACES];
    for (let i = 0; i < 3000; i++) strings.push(randomPep440(d));
    for (let i = 0; i < 2000; i++) strings.push(damage(d, randomPep440(d)));
    const answers = askPython(NORMALIZE_SCRIPT, strings) as Array<string | null>;
    const wrong: string[] = [];
    strings.forEach((s, i) => {
      const expected = answers[i] ?? null;
      const ours = tryParse(s)?.normalized ?? null;
      if (ours !== expected) wrong.push(`  ${JSON.stringify(s)}: packaging ${JSON.stringify(expected)}, ours ${JSON.stringify(ours)}`);
    });
    expect(answers.filter((a) => a === null).length, 'the corpus must contain invalid strings').toBeGreaterThan(500);
    const deliberate = askPython(NORMALIZE_SCRIPT, DELIBERATELY_REJECTED) as Array<string | null>;
    DELIBERATELY_REJECTED.forEach((s, i) => {
      if (deliberate[i] === null || tryParse(s)) wrong.push(`  ${JSON.stringify(s)}: expected packaging to accept and ours to reject`);
    });
    expect(wrong, firstDisagreements(wrong, strings.length)).toEqual([]);
  });

  it('orders at least 10,000 seeded pairs exactly as packaging does', ({ skip }) => {
    requirePython(PROBE, skip);
    const d = new Dice(seededRandom(0x440));
    const pool = [...CORNERS];
    for (let i = 0; i < 3000; i++) pool.push(randomPep440(d));
    const mutate = (v: string): string => validEdit(pep440Scheme, v, () => (d.chance(0.3) ? randomPep440(d) : damage(d, v)));
    const pairs = buildPairs(d, pool, mutate, 12_000);
    for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);
    const wrong = orderDisagreements(pep440Scheme, pairs, askPython(ORDER_SCRIPT, pairs), 'packaging', (v) => JSON.stringify(v));
    // At least 10,000 pairs of two different strings: identical pairs prove little.
    expect(pairs.filter(([a, b]) => a !== b).length).toBeGreaterThanOrEqual(10_000);
    expect(wrong, firstDisagreements(wrong, pairs.length)).toEqual([]);
  });

  it('records why the scheme is hand-written: @renovatebot/pep440 disagrees with packaging', ({ skip }) => {
    requirePython(PROBE, skip);
    // [a, b] pairs and strings on which the library's answer differs from packaging's.
    const pairs: Array<[string, string]> = [
      ['1.0.99999999999999999999', '1.0.100000000000000000000'], // numbers past 2^53 collapse
      ['1.0+1e5', '1.0+100000'], // a local segment read as a float
    ];
    const strings = ['1.0+abc.1', ' 1.0 '];
    const order = askPython(ORDER_SCRIPT, pairs) as number[];
    const normal = askPython(NORMALIZE_SCRIPT, strings) as Array<string | null>;
    const library: string[] = [];
    pairs.forEach(([a, b], i) => {
      expect(compareSign(pep440Scheme, a, b)).toBe(order[i]);
      library.push(`${a} vs ${b}: packaging ${String(order[i])}, library ${sign(renovatePep440.compare(a, b))}`);
    });
    strings.forEach((s, i) => expect(pep440Scheme.parse(s).normalized).toBe(normal[i]));
    library.push(`"1.0+abc.1" normalised: packaging ${JSON.stringify(normal[0])}, library ${JSON.stringify(renovatePep440.clean('1.0+abc.1'))}`);
    library.push(`" 1.0 " is a version: packaging ${String(normal[1] !== null)}, library ${String(renovatePep440.valid(' 1.0 ') !== null)}`);
    // Every line shows a disagreement today; if the library is fixed, revisit the ADR.
    expect(library).toEqual([
      '1.0.99999999999999999999 vs 1.0.100000000000000000000: packaging -1, library 0',
      '1.0+1e5 vs 1.0+100000: packaging -1, library 0',
      '"1.0+abc.1" normalised: packaging "1.0+abc.1", library "1.0+abc,1"',
      '" 1.0 " is a version: packaging true, library false',
    ]);
  });
});
