/**
 * RubyGems ordering against RubyGems itself: `Gem::Version#<=>` and `Gem::Version.correct?` of
 * Debian's ruby (RubyGems 3.3), asked through one `ruby -e` process that reads JSON lines on
 * stdin (no version ever reaches a command line). Seeded pairs come from the grammar's corners:
 * `-` (read as `.pre.`), words against numbers, case, zeros before and after the first word,
 * letters glued to digits, long digit runs.
 */
import { describe, expect, it } from 'vitest';
import { rubyGemsScheme } from '../../src/versions/rubygems.js';
import { Dice, askProgram, buildPairs, firstDisagreements, orderDisagreements, parses, programOracleMissing, requireOracle, seededRandom, shorten } from './oracle-support.js';

const RUBY = '/usr/bin/ruby';
const INSTALL = 'apt-get install ruby';

/** Answers ["cmp", a, b] with -1/0/1 and ["valid", s] with true/false, one JSON value per line. */
const ORACLE = `
require 'json'
out = []
STDIN.each_line do |line|
  kind, a, b = JSON.parse(line)
  out << (kind == 'cmp' ? (Gem::Version.new(a) <=> Gem::Version.new(b)).to_s : Gem::Version.correct?(a).to_s)
end
STDOUT.write(out.join("\\n") + "\\n")
`;

const WORDS = ['a', 'b', 'rc', 'RC', 'pre', 'Pre', 'alpha', 'beta', 'dev', 'x', 'Z', 'ab', 'ba', 'p', 'final'];

/** Versions where the rules meet: zeros around words, '-', case, glued letters, long numbers. */
const CORNERS = [
  '0', '0.0', '00', '1', '1.0', '1.0.0', '01', '1.00', '1.01', '1.1', '1.0.0.rc1', '1.0.0.RC1', '1.0.0-rc1', '1.0.0-rc.1',
  '1.0.0.pre', '1.0.0-pre', '1.0.0--', '1.0--', '1.0.a', '1.a', '1.0.0.a', '1.a.0', '1.a.0.0.b', '1.a.0.0.1', '1.a.1', '1.0a',
  '1.0a1', '1.0.a1', '1.0.a.1', '1.0.A', '1.0.b', '1.0.ab', '1.0.0.0.1', '1.0-1', '1.0-a', '1.0-a-b', '1.0-a.b', '1.0-0',
  '2.0.0.beta.2', '2.0.0.beta2', '2.0.0-beta.2', '3.2.22.5', '6.1.7.3', '7.0.4.2', '1.13.10', '99999999999999999999',
  '100000000000000000000', '1.99999999999999999999', '1.100000000000000000000', '1.0.pre.pre', '1.0.a.pre', '1.0.z', '1.0.Z',
];

/** Strings RubyGems refuses, next to accepted shapes. */
const INVALID = [
  'a', 'a1', '.1', 'v1.0', 'V1', '1.', '1..0', '1.0.', '-1', '1.0-', '1.0-a..b', '1.0-.a', '1_0', '1+0', '1,0', '1.0 0',
  '1.0-a b', '1.0é', 'é1.0', '1.0\u00a0', '\u00a01.0', '1.0\0', '\u0000', '1.0\u3000', '1.0-a_b', '1.0~1', '1.0/1', '١',
  '1.0-+', '1.0-\u00e9', '1.0.a-b.', '1.0-a.', '1.0\u2028',
];

/** Whitespace RubyGems ignores around a version (Ruby's \\s), beside what it does not. */
const SPACED = [' 1.0', '1.0 ', '\t1.0\n', '\v1.0\f', '\r\n1.0\r\n', '  1.0-a  ', '\x1c1.0', '1.0\x85'];

/** RubyGems reads a blank string as version 0; this scheme refuses it (docs/versions.md). */
const DELIBERATELY_REJECTED = ['', ' ', '\t\n', '\v\f\r'];

function part(d: Dice): string {
  const roll = d.next();
  if (roll < 0.04) return d.digits(18, 26);
  if (roll < 0.2) return d.pick(['0', '00', '0']);
  if (roll < 0.3) return '0' + d.digits(1, 2);
  if (roll < 0.65) return d.digits(1, 2);
  if (roll < 0.8) return d.pick(WORDS) + (d.chance(0.5) ? d.digits(1, 2) : '');
  return d.pick(WORDS);
}

function randomGem(d: Dice): string {
  let s = d.chance(0.1) ? d.pick(['0', '00']) : d.digits(1, 2);
  const n = d.int(6);
  let dashed = false;
  for (let i = 0; i < n; i++) {
    const sep = dashed ? d.pick(['.', '.', '-', '']) : d.pick(['.', '.', '.', '.', '-', '']);
    if (sep === '-') dashed = true;
    // A part glued on without a separator must start with a letter after digits to stay valid.
    s += sep === '' ? d.pick(WORDS) : sep + part(d);
  }
  return s;
}

/** One small edit of `v`, mostly keeping it valid. */
function mutate(d: Dice, v: string): string {
  const roll = d.int(8);
  if (roll === 0) return v + d.pick(['.0', '.0.0', '.a', '-1', '.pre', '-rc1', '.rc1', '.RC1', 'a', '.1', '-0', '.0.a']);
  if (roll === 1) return v.replace(/\d+(?=\D*$)/, (m) => d.pick([String(Number(m.slice(-6)) + 1), '0' + m, m + '0', m.length > 1 ? m.slice(1) : '0']));
  if (roll === 2) return v.replace(/[.-]/, () => d.pick(['.', '-', '.0.']));
  if (roll === 3) return d.chance(0.5) ? v.toUpperCase() : v.toLowerCase();
  if (roll === 4) return v.replace(/[a-z]+/i, () => d.pick(WORDS));
  if (roll === 5) return v.replace(/[.-][^.-]*$/, '') || v;
  if (roll === 6) return v.replace(/\.(?=[a-z])/i, '.0.');
  return randomGem(d);
}

/** Random damage: most results are invalid, some stay valid. */
function damage(d: Dice, v: string): string {
  const at = d.int(v.length + 1);
  const roll = d.int(3);
  if (roll === 0) return v.slice(0, at) + d.pick(['..', '-', '.', '_', '+', ' ', 'x', '--', 'é', '\t', '.-', '-.']) + v.slice(at);
  if (roll === 1) return shorten(d, v);
  return v.slice(0, at) + v.slice(at + 1);
}

function oracleMissing(): string | undefined {
  return programOracleMissing(RUBY, ['-e', 'exit(Gem::Version.new("1.0") <=> Gem::Version.new("1.0.0"))'], INSTALL);
}

describe('rubygems scheme against RubyGems (Gem::Version)', () => {
  it('accepts and rejects strings exactly as Gem::Version.correct? does, blank strings aside', ({ skip }) => {
    requireOracle(oracleMissing(), skip);
    const d = new Dice(seededRandom(0x6e35));
    const strings = [...CORNERS, ...INVALID, ...SPACED, ...DELIBERATELY_REJECTED];
    for (let i = 0; i < 3000; i++) strings.push(damage(d, d.chance(0.5) ? randomGem(d) : d.pick(CORNERS)));
    const answers = askProgram(RUBY, ['-e', ORACLE], strings.map((s) => ['valid', s]));
    const wrong: string[] = [];
    strings.forEach((s, i) => {
      const expected = answers[i] === true && !DELIBERATELY_REJECTED.includes(s);
      if (parses(rubyGemsScheme, s) !== expected) wrong.push(`  ${JSON.stringify(s)}: ruby ${String(answers[i])}, ours ${String(!expected)}`);
    });
    expect(wrong, firstDisagreements(wrong, strings.length)).toEqual([]);
    // The exceptions are real: Ruby accepts every one of them.
    expect(DELIBERATELY_REJECTED.map((s) => answers[strings.indexOf(s)])).toEqual(DELIBERATELY_REJECTED.map(() => true));
    expect(strings.filter((s, i) => answers[i] === false).length).toBeGreaterThan(1000);
  });

  it('orders at least 10,000 seeded pairs exactly as Gem::Version#<=> does', ({ skip }) => {
    requireOracle(oracleMissing(), skip);
    const d = new Dice(seededRandom(0x6e36));
    const pool = [...CORNERS, ...SPACED.slice(0, 6)];
    for (let i = 0; i < 3000; i++) pool.push(randomGem(d));
    const valid = (v: string) => parses(rubyGemsScheme, v);
    const pairs = buildPairs(d, pool.filter(valid), (v) => mutate(d, v), 14_000).filter(([a, b]) => valid(a) && valid(b));
    for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);
    expect(pairs.filter(([a, b]) => a !== b).length).toBeGreaterThanOrEqual(10_000);
    const answers = askProgram(RUBY, ['-e', ORACLE], pairs.map(([a, b]) => ['cmp', a, b]));
    const wrong = orderDisagreements(rubyGemsScheme, pairs, answers, 'ruby', JSON.stringify);
    expect(wrong, firstDisagreements(wrong, pairs.length)).toEqual([]);
  });
});
