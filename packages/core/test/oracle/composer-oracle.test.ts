/**
 * Composer ordering against Composer itself: `VersionParser::normalize` and `Comparator` of
 * composer/semver 3 (Debian's php-composer-semver) on PHP 8 (php-cli), asked through one `php -r`
 * process that reads JSON lines on stdin (no version ever reaches a command line). Seeded strings
 * come from normalize's grammar and its corners: `v`, five-digit majors, dates, stability words in
 * every case and spelling, numbers after them, `-dev`, numeric branches, build metadata.
 */
import { describe, expect, it } from 'vitest';
import { composerScheme, type ComposerVersion } from '../../src/versions/composer.js';
import { Dice, askProgram, buildPairs, firstDisagreements, orderDisagreements, parses, programOracleMissing, requireOracle, seededRandom } from './oracle-support.js';

const PHP = '/usr/bin/php';
const AUTOLOAD = '/usr/share/php/Composer/Semver/autoload.php';
const INSTALL = 'apt-get install php-cli php-composer-semver';

/**
 * Answers ["normalize", s] with the normalised string or null, and ["cmp", a, b] with -1/0/1
 * from Comparator on the normalised strings ("inconsistent" if lessThan, equalTo and greaterThan
 * do not give exactly one true).
 */
const ORACLE = `
require '${AUTOLOAD}';
use Composer\\Semver\\Comparator;
$parser = new Composer\\Semver\\VersionParser();
$out = [];
while (($line = fgets(STDIN)) !== false) {
  $r = json_decode($line, true);
  if ($r[0] === 'normalize') {
    try { $out[] = json_encode($parser->normalize($r[1])); } catch (UnexpectedValueException $e) { $out[] = 'null'; }
    continue;
  }
  $a = $parser->normalize($r[1]);
  $b = $parser->normalize($r[2]);
  $lt = Comparator::lessThan($a, $b);
  $eq = Comparator::equalTo($a, $b);
  $gt = Comparator::greaterThan($a, $b);
  $out[] = ((int) $lt + (int) $eq + (int) $gt) !== 1 ? '"inconsistent"' : ($lt ? '-1' : ($eq ? '0' : '1'));
}
echo implode("\\n", $out), "\\n";
`;

const STABILITIES = ['stable', 'STABLE', 'Stable', 'beta', 'b', 'B', 'BETA', 'RC', 'rc', 'Rc', 'alpha', 'a', 'A', 'Alpha', 'patch', 'PATCH', 'pl', 'p', 'PL', 'P'];
const SEPS = ['', '.', '-', '_'];

/** Strings where normalize's rules meet. */
const CORNERS = [
  '1', '1.0', '1.0.0', '1.0.0.0', 'v1.0.0', 'V1.0', '01', '1.00', '1.0.0-beta2', '1.0.0-RC1', '1.0.0-rc1', '1.0.0-beta2-dev',
  '1.0.0-dev', '1.0.0.dev', '1.0.0dev', '1.0-alpha', '1.0-a1', '1.0a1', '1.0-b', '1.0beta', '1.0-pl1', '1.0-p1', '1.0-patch1',
  '1.0.0.patch', '1.0-stable', '1.0-stable1', '1.0-STABLE', '1.0-STABLE1', '1.0-Stable-dev', '1.0-stable-dev', '1.0.', '1.0-',
  '1.0_', '1.0-RC-1', '1.0-beta.1', '1.0-beta1.2', '1.0-beta1-2', '1.0-beta1.2-dev', '99999', '99999.1', '100000', '123456.1',
  '2010-01-02', '2010.01.02', '20100102', '20100102203040', '2010-01-02-10-20-30', '2010-01-02.5', '2010:01:02', '2010.01.02.123',
  '2010-01-02-beta', '201001', '20100', '1.x-dev', '1.X-dev', '1.*-dev', '1.0.x-dev', '1.0.*.x-dev', 'v2.x-dev', '1.x.dev',
  '1.xdev', '1-dev', '1.2.3.4-dev', '12345678901234567890-dev', '1.0+build', '1.0+build.1', '1.0++', '1.0-beta1+meta',
  '1.x-dev+meta', '1.0.0.0-patch', '1.0.0.0-p', '0.0.0.0', '0', '0.1', '0.1-dev', '3.4.47', '5.4.1', '8.2.0-RC2', '2.4.0-beta.1',
];

/** Strings Composer refuses, next to accepted shapes. */
const INVALID = [
  '', ' ', 'a', 'x', '.1', '1..0', '1.0.0.0.0', '1.0-gamma', '1.0-beta-gamma', '1.0-dev1', '1.0-dev-beta', '1.0+', '+1.0',
  '1,0', '1.0+a,b', 'Master', 'TRUNK', '1.x', 'x.1-dev', '1.2.3.4.5-dev', '1.0-stable.x', 'vv1.0', '1.0\f', '\f1.0',
  'é1.0', '1.0é', '1.0.-1', '1.0..dev', '1.0-beta..1', '1.x-dev-dev', 'dev', '-dev', '.dev',
];

/** Surrounding characters PHP's trim() drops, beside ones it keeps. */
const SPACED = [' 1.0', '1.0 ', '\t1.0\n', '\r\n1.0\r\n', '\v1.0\v', '\u00001.0\u0000', '  1.0-beta1  '];

/**
 * Strings normalize accepts that this scheme refuses on purpose (docs/versions.md): branches,
 * composer.json constraint syntax, whitespace or other characters outside printable ASCII inside.
 */
const DELIBERATELY_REJECTED = [
  'dev-main', 'dev-master', 'DEV-feature/x', 'dev-1.x', 'master', 'trunk', 'default', '1.0 as 2.0', 'dev-x as 1.0',
  '1.0@dev', '1.0@beta', '1.0@STABLE', '1.x -dev', '1.0+é', '1.0+a\u00a0b',
];

/** Whether Patchwise refuses a string normalize accepts, by the rules of docs/versions.md. */
function refusedOnPurpose(s: string, normalized: string): boolean {
  const trimmed = s.replace(/^[ \t\n\r\0\v]+|[ \t\n\r\0\v]+$/g, '');
  return normalized.startsWith('dev-') || trimmed.includes('@') || /[^\x21-\x7e]/.test(trimmed);
}

function number(d: Dice, max = 3): string {
  const roll = d.next();
  if (roll < 0.03) return d.digits(10, 18);
  if (roll < 0.12) return '0' + d.digits(0, 1);
  return d.digits(1, max);
}

function date(d: Dice): string {
  let s = d.pick(['2010', '1999', '2024', '0001']);
  const groups = 1 + d.int(6);
  for (let i = 0; i < groups; i++) s += d.pick(['', '', '.', '-', ':']) + d.digits(2, 2);
  if (d.chance(0.3)) s += d.pick(['', '.', '-', ':']) + d.digits(1, 3);
  return s;
}

function modifier(d: Dice): string {
  let s = '';
  if (d.chance(0.55)) {
    s += d.pick(SEPS) + d.pick(STABILITIES);
    const n = d.pick([0, 1, 1, 1, 2]);
    for (let i = 0; i < n; i++) s += d.pick(['', '', '.', '-']) + number(d, 2);
  }
  if (d.chance(0.2)) s += d.pick(['-dev', '.dev', 'dev', '-DEV', '.Dev']);
  return s;
}

function randomComposer(d: Dice): string {
  const roll = d.next();
  const v = d.chance(0.1) ? d.pick(['v', 'V']) : '';
  if (roll < 0.12) return v + date(d) + modifier(d);
  if (roll < 0.22) {
    let s = v + number(d);
    const parts = d.int(4);
    for (let i = 0; i < parts; i++) s += '.' + d.pick([number(d), 'x', 'X', '*']);
    return s + d.pick(['-dev', '.dev', 'dev', '-DEV', '']);
  }
  let s = v + (d.chance(0.08) ? d.digits(5, 7) : number(d));
  const parts = d.int(4);
  for (let i = 0; i < parts; i++) s += '.' + number(d);
  s += modifier(d);
  if (d.chance(0.08)) s += '+' + d.pick(['build', '1', 'sha.abc', '+', 'x-y']);
  if (d.chance(0.04)) s += d.pick(SEPS);
  return s;
}

/** One small edit of `v`, mostly keeping it valid. */
function mutate(d: Dice, v: string): string {
  const roll = d.int(8);
  if (roll === 0) return v + d.pick(['.0', '-dev', '-beta', '-RC1', '-alpha2', '-patch1', '-p', '.1', '-stable', '+b', '-pl2', '-STABLE']);
  if (roll === 1) return v.replace(/\d+(?=\D*$)/, (m) => d.pick([String(Number(m.slice(-6)) + 1), '0' + m, m + '0', m.length > 1 ? m.slice(1) : '0']));
  if (roll === 2) return v.replace(/[._-]/, () => d.pick(SEPS));
  if (roll === 3) return d.chance(0.5) ? v.toUpperCase() : v.toLowerCase();
  if (roll === 4) return v.replace(/[a-z]+/i, () => d.pick(STABILITIES));
  if (roll === 5) return v.replace(/[.-][^.-]*$/, '') || v;
  if (roll === 6) return v.replace(/(\.0)+(?=\D|$)/, '');
  return randomComposer(d);
}

/** Random damage: most results are invalid, some stay valid. */
function damage(d: Dice, v: string): string {
  const at = d.int(v.length + 1);
  const roll = d.int(3);
  if (roll === 0) return v.slice(0, at) + d.pick(['..', '-', '.', '_', '+', ' ', 'x', '--', ',', '@', ':', 'dev', 'v', '*']) + v.slice(at);
  if (roll === 1) return v.slice(0, at);
  return v.slice(0, at) + v.slice(at + 1);
}

function oracleMissing(): string | undefined {
  return programOracleMissing(PHP, ['-r', `require '${AUTOLOAD}'; exit(Composer\\Semver\\Comparator::lessThan('1.0.0.0-beta1', '1.0.0.0') ? 0 : 1);`], INSTALL);
}

function tryParse(s: string): ComposerVersion | undefined {
  try {
    return composerScheme.parse(s);
  } catch {
    return undefined;
  }
}

describe('composer scheme against composer/semver (VersionParser, Comparator)', () => {
  it('accepts, rejects and normalises strings exactly as VersionParser::normalize does, the documented refusals aside', ({ skip }) => {
    requireOracle(oracleMissing(), skip);
    const d = new Dice(seededRandom(0xc0a7));
    const strings = [...CORNERS, ...INVALID, ...SPACED, ...DELIBERATELY_REJECTED];
    for (let i = 0; i < 2000; i++) strings.push(randomComposer(d));
    for (let i = 0; i < 3000; i++) strings.push(damage(d, d.chance(0.5) ? randomComposer(d) : d.pick(CORNERS)));
    const answers = askProgram(PHP, ['-r', ORACLE], strings.map((s) => ['normalize', s]));
    const wrong: string[] = [];
    strings.forEach((s, i) => {
      const theirs = answers[i] as string | null;
      const expected = theirs === null || refusedOnPurpose(s, theirs) ? null : theirs;
      const ours = tryParse(s)?.normalized ?? null;
      if (ours !== expected) wrong.push(`  ${JSON.stringify(s)}: composer ${JSON.stringify(theirs)}, ours ${JSON.stringify(ours)}`);
    });
    expect(wrong, firstDisagreements(wrong, strings.length)).toEqual([]);
    // The refusals are real: Composer accepts every one of them.
    expect(DELIBERATELY_REJECTED.filter((s) => answers[strings.indexOf(s)] === null)).toEqual([]);
    expect(answers.filter((a) => a === null).length).toBeGreaterThan(1000);
  });

  it('orders at least 10,000 seeded pairs exactly as Comparator does', ({ skip }) => {
    requireOracle(oracleMissing(), skip);
    const d = new Dice(seededRandom(0xc0a8));
    const valid = (v: string) => parses(composerScheme, v);
    const pool = [...CORNERS, ...SPACED].filter(valid);
    for (let i = 0; i < 3000; i++) pool.push(randomComposer(d));
    const pairs = buildPairs(d, pool.filter(valid), (v) => mutate(d, v), 14_000).filter(([a, b]) => valid(a) && valid(b));
    for (const a of CORNERS) for (const b of CORNERS) if (valid(a) && valid(b)) pairs.push([a, b]);
    expect(pairs.filter(([a, b]) => a !== b).length).toBeGreaterThanOrEqual(10_000);
    const answers = askProgram(PHP, ['-r', ORACLE], pairs.map(([a, b]) => ['cmp', a, b]));
    const wrong = orderDisagreements(composerScheme, pairs, answers, 'composer', JSON.stringify);
    expect(wrong, firstDisagreements(wrong, pairs.length)).toEqual([]);
  });

  it('compares numbers past 2^63-1 exactly, where PHP clamps them (the one deliberate difference in order)', ({ skip }) => {
    requireOracle(oracleMissing(), skip);
    const pairs: Array<[string, string]> = [
      ['1.99999999999999999999', '1.99999999999999999998'],
      ['1.9223372036854775808', '1.9223372036854775807'],
    ];
    expect(askProgram(PHP, ['-r', ORACLE], pairs.map(([a, b]) => ['cmp', a, b]))).toEqual([0, 0]);
    expect(pairs.map(([a, b]) => Math.sign(composerScheme.compare(composerScheme.parse(a), composerScheme.parse(b))))).toEqual([1, 1]);
  });
});
