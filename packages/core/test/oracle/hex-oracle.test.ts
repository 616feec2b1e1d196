/**
 * Hex ordering against Elixir itself: `Version.compare/2` and `Version.parse/1` of Debian's elixir
 * (1.14), the `Version` module Hex uses for every package version, asked through one `elixir -e`
 * process. Elixir 1.14 has no JSON reader, so the protocol needs none: one request per line, each
 * version hex-encoded (`cmp <a> <b>`, `valid <s>`), one answer per line; no version ever reaches
 * a command line. Seeded pairs come from SemVer's corners: leading zeros (refused in numbers and
 * numeric pre-release identifiers, allowed in build metadata), numeric against alphanumeric
 * identifiers (`0a`, `-`), case, identifier count, build metadata (ignored), long numbers.
 */
import { describe, expect, it } from 'vitest';
import { hexScheme } from '../../src/versions/hex.js';
import { Dice, askProgramLines, buildPairs, firstDisagreements, hexEncode, orderDisagreements, parses, programOracleMissing, requireOracle, seededRandom, shorten } from './oracle-support.js';

const ELIXIR = '/usr/bin/elixir';
const INSTALL = 'apt-get install elixir';

/** Answers `cmp A B` with -1/0/1 and `valid S` with true/false; A, B and S are hex-encoded UTF-8. */
const ORACLE = `
decode = fn h -> Base.decode16!(h, case: :lower) end
IO.stream(:stdio, :line)
|> Enum.each(fn line ->
  answer =
    case String.split(String.trim_trailing(line, "\\n"), " ") do
      ["cmp", a, b] ->
        case Version.compare(decode.(a), decode.(b)) do
          :lt -> "-1"
          :eq -> "0"
          :gt -> "1"
        end
      ["valid", s] ->
        to_string(match?({:ok, _}, Version.parse(decode.(s))))
    end
  IO.puts(answer)
end)
`;

const WORDS = ['alpha', 'beta', 'rc', 'RC', 'a', 'A', 'b', 'B', 'dev', 'pre', 'z', 'Z', '0a', '00a', '1a', '9z', '-', '--', 'a-', '-1', 'x-y', 'beta-2', 'rc1', 'alpha0'];

/** Versions where the rules meet: zeros, numeric against alphanumeric identifiers, case, builds. */
const CORNERS = [
  '0.0.0', '0.0.1', '0.1.0', '1.0.0', '1.0.1', '1.1.0', '1.10.0', '1.9.0', '2.0.0', '10.0.0', '1.0.0-0', '1.0.0-1', '1.0.0-9',
  '1.0.0-10', '1.0.0-0a', '1.0.0-00a', '1.0.0-1a', '1.0.0-a', '1.0.0-A', '1.0.0-a.0', '1.0.0-a.1', '1.0.0-a.a', '1.0.0-a.b.c',
  '1.0.0--', '1.0.0---', '1.0.0-a-', '1.0.0--1', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2',
  '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0-RC.1', '1.0.0-rc1', '1.0.0+build', '1.0.0+01', '1.0.0+001.a-b', '1.0.0-rc.1+build.5',
  '1.0.0+-', '1.7.0-rc.0', '1.14.0', '1.15.0-rc.2', '9007199254740991.0.0', '1.0.0-9007199254740990',
];

/** Strings Elixir refuses, next to accepted shapes. */
const INVALID = [
  '', 'v1.0.0', 'V1.0.0', '=1.0.0', ' 1.0.0', '1.0.0 ', '1.0.0\n', '\t1.0.0', '\u00a01.0.0', '1.0.0\u00a0', '\ufeff1.0.0', '01.0.0',
  '1.00.0', '1.0.00', '00.0.0', '1.0', '1', '1.0.0.0', '1.0.0-', '1.0.0+', '1.0.0-01', '1.0.0-00', '1.0.0-rc.01', '1.0.0-a..b',
  '1.0.0-.a', '1.0.0-a.', '1.0.0+a..b', '1.0.0+.a', '1.0.0-a_b', '1.0.0+a_b', '1.0.0-é', '1.0.0++', '1.0.0-a+b+c', '1.0.0-+',
  '١.0.0', '1.0.0-a b', 'a.b.c', '-1.0.0', '1.-1.0', '1.0.0+b\u3000',
];

/** Accepted by Elixir, refused here: numbers past 2^53-1 and strings over 256 characters (node-semver's limits). */
const BEYOND_LIMITS = ['9007199254740992.0.0', '1.99999999999999999999.0', '1.0.0-9007199254740991', '1.0.0-123456789012345678901', `1.0.0-${'a'.repeat(251)}`];

const MAX_SAFE = 2n ** 53n - 1n;

/** Whether an Elixir-valid `v` is past node-semver's limits (docs/versions.md, Hex). */
function beyondLimits(v: string): boolean {
  if (v.length > 256) return true;
  const [main = '', pre] = v.split('+', 1)[0]?.split(/-(.*)/s) ?? [];
  if (main.split('.').some((n) => BigInt(n) > MAX_SAFE)) return true;
  return (pre ?? '').split('.').some((id) => /^[0-9]+$/.test(id) && BigInt(id) >= MAX_SAFE);
}

function num(d: Dice): string {
  const roll = d.next();
  if (roll < 0.03) return '9007199254740' + d.digits(3, 3);
  if (roll < 0.25) return '0';
  if (roll < 0.8) return String(1 + d.int(12));
  return String(1 + d.int(9)) + d.digits(1, 4);
}

function identifier(d: Dice): string {
  return d.chance(0.45) ? num(d) : d.pick(WORDS) + (d.chance(0.2) ? d.pick(['', '1', '0', '-', '.1']) : '');
}

function buildId(d: Dice): string {
  return d.pick(['build', '01', '001', '0', '1', 'sha', 'a-b', '-', 'exp', 'x', 'B', d.digits(1, 6)]);
}

function randomVersion(d: Dice): string {
  let s = `${num(d)}.${num(d)}.${num(d)}`;
  if (d.chance(0.55)) {
    const n = 1 + d.int(3);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push(identifier(d));
    s += '-' + ids.join('.');
  }
  if (d.chance(0.25)) s += '+' + [buildId(d), ...(d.chance(0.4) ? [buildId(d)] : [])].join('.');
  return s;
}

/** One small edit of `v`, mostly keeping it valid. */
function mutate(d: Dice, v: string): string {
  const roll = d.int(9);
  if (roll === 0) return v.replace(/^[^-+]*/, (main) => main.replace(/\d+/g, (m) => (d.chance(0.4) ? String(Number(m.slice(-6)) + 1) : m)));
  if (roll === 1) return v.includes('-') ? v.replace(/-[^+]*/, '') : v.replace(/^[^+]*/, (m) => `${m}-${identifier(d)}`);
  if (roll === 2) return v.replace(/^([^+]*)/, (m) => `${m}${v.includes('-') ? '.' : '-'}${identifier(d)}`);
  if (roll === 3) return v.includes('+') ? v.replace(/\+.*/s, d.chance(0.5) ? '' : `+${buildId(d)}`) : `${v}+${buildId(d)}`;
  if (roll === 4) return d.chance(0.5) ? v.toUpperCase() : v.toLowerCase();
  if (roll === 5) return v.replace(/-[^.+]+/, () => `-${identifier(d)}`);
  if (roll === 6) return v.replace(/\.[^.+]+(?=[^.]*$)/, '');
  if (roll === 7) return v.replace(/(?<=[-.])\d+(?=[.+]|$)/, (m) => d.pick([String(Number(m.slice(-6)) + 1), `${m}a`, 'a', '0']));
  return randomVersion(d);
}

/** Random damage: most results are invalid, some stay valid. */
function damage(d: Dice, v: string): string {
  const at = d.int(v.length + 1);
  const roll = d.int(4);
  if (roll === 0) return v.slice(0, at) + d.pick(['..', '-', '.', '_', '+', ' ', 'x', '0', '01', 'é', '\t', '.-', '-.', '+-', '=', 'v']) + v.slice(at);
  if (roll === 1) return shorten(d, v);
  if (roll === 2) return d.pick(['v', ' ', '=', '0', '\n', '']) + v + d.pick(['', ' ', '\n', '.0', '-', '+', '.']);
  return v.slice(0, at) + v.slice(at + 1);
}

function oracleMissing(): string | undefined {
  return programOracleMissing(ELIXIR, ['-e', 'if Version.compare("1.0.0-rc.1", "1.0.0") != :lt, do: System.halt(1)'], INSTALL);
}

function ask(requests: readonly string[]): string[] {
  return askProgramLines(ELIXIR, ['-e', ORACLE], requests);
}

describe('hex scheme against Elixir (Version)', () => {
  it('accepts and rejects strings exactly as Version.parse does, node-semver\'s limits aside', ({ skip }) => {
    requireOracle(oracleMissing(), skip);
    const d = new Dice(seededRandom(0x4e7a));
    const strings = [...CORNERS, ...INVALID, ...BEYOND_LIMITS];
    for (let i = 0; i < 4000; i++) strings.push(damage(d, d.chance(0.6) ? randomVersion(d) : d.pick(CORNERS)));
    const answers = ask(strings.map((s) => `valid ${hexEncode(s)}`));
    const wrong: string[] = [];
    strings.forEach((s, i) => {
      const elixir = answers[i] === 'true';
      const expected = elixir && !beyondLimits(s);
      if (parses(hexScheme, s) !== expected) wrong.push(`  ${JSON.stringify(s)}: elixir ${String(elixir)}, ours ${String(!expected)}`);
    });
    expect(wrong, firstDisagreements(wrong, strings.length)).toEqual([]);
    // The exceptions are real: Elixir accepts every one of them.
    expect(BEYOND_LIMITS.map((s) => answers[strings.indexOf(s)])).toEqual(BEYOND_LIMITS.map(() => 'true'));
    expect(strings.filter((_, i) => answers[i] === 'false').length).toBeGreaterThan(1500);
    expect(strings.filter((_, i) => answers[i] === 'true').length).toBeGreaterThan(1000);
  });

  it('orders at least 10,000 seeded pairs exactly as Version.compare does', ({ skip }) => {
    requireOracle(oracleMissing(), skip);
    const d = new Dice(seededRandom(0x4e7b));
    const pool = [...CORNERS];
    for (let i = 0; i < 3000; i++) pool.push(randomVersion(d));
    const valid = (v: string) => parses(hexScheme, v);
    const pairs = buildPairs(d, pool.filter(valid), (v) => mutate(d, v), 14_000).filter(([a, b]) => valid(a) && valid(b));
    for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);
    expect(pairs.filter(([a, b]) => a !== b).length).toBeGreaterThanOrEqual(10_000);
    const answers = ask(pairs.map(([a, b]) => `cmp ${hexEncode(a)} ${hexEncode(b)}`)).map(Number);
    const wrong = orderDisagreements(hexScheme, pairs, answers, 'elixir', JSON.stringify);
    expect(wrong, firstDisagreements(wrong, pairs.length)).toEqual([]);
    // Every answer occurs: the pairs are not all equal or all one way.
    expect(new Set(answers)).toEqual(new Set([-1, 0, 1]));
  });
});
