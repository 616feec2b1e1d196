/**
 * dpkg ordering and validity against the real thing: APT's `apt_pkg.version_compare` (python3-apt)
 * on seeded pairs, and the dpkg binary itself on valid and invalid strings.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { dpkgScheme } from '../../src/versions/dpkg.js';
import {
  Dice,
  askPython,
  buildPairs,
  editNumbers,
  firstDisagreements,
  orderDisagreements,
  parses,
  requireOracle,
  requirePython,
  seededRandom,
  shorten,
  swapFirstCase,
  validEdit,
} from './oracle-support.js';

const WORDS = ['a', 'b', 'rc', 'beta', 'dfsg', 'git', 'svn', 'A', 'Z', 'nmu', 'deb', 'ubuntu', 'bpo', 'ds', 'really', 'build', 'z'];

/** Versions where dpkg's rules meet: tildes, ends, letters vs other characters, zeros, epochs. */
const CORNERS = [
  '0', '00', '0~', '0~~', '0~a', '0a', '0A', '0+', '0.', '0-0', '0-00', '0-~', '0-0~', '0:0', '00:0', '1:0',
  '1', '1.', '1.0', '1.00', '1.0.0', '1a', '1A', '1~', '1~~', '1~a', '1~~a', '1a~', '1+', '1+b1', '1.0~rc1',
  '1.0~rc1-1', '1.0-1~bpo1', '1.0-1', '1.0-1.1', '1.0-a', '1.0-A', '1.0-+', '1.0+dfsg-1', '1.0-1+b1',
  '1.0a', '1.0+', '1.0.', '1.0~', '1:1.0:1-1', '1:1.0:1', '2:0', '1.0-1-1', '1.0-0', '1.0-00', '1.0-0.0',
  '99999999999999999999', '100000000000000000000', '000000000000000000000001', '1.99999999999999999999',
  '1.100000000000000000000', '2147483647:1', '1:1~', '1:1', '0:1', '1.2.3-4ubuntu0.1', '1.2.3-4ubuntu0.1~22.04',
];

function randomWord(d: Dice): string {
  return d.pick(WORDS) + (d.chance(0.5) ? d.digits(1, 2) : '');
}

function randomNumber(d: Dice): string {
  const roll = d.next();
  if (roll < 0.05) return d.digits(15, 40); // beyond Number precision
  if (roll < 0.15) return '0' + d.digits(1, 3); // leading zeros
  return d.digits(1, 3);
}

function randomDpkg(d: Dice): string {
  const epoch = d.chance(0.2) ? d.pick(['0', '1', '2', '3', '10', '01', '00']) : '';
  let upstream = randomNumber(d);
  const pieces = d.int(6);
  for (let i = 0; i < pieces; i++) {
    const roll = d.int(10);
    if (roll < 3) upstream += '.' + randomNumber(d);
    else if (roll === 3) upstream += '~' + (d.chance(0.7) ? randomWord(d) : '');
    else if (roll === 4) upstream += '+' + (d.chance(0.8) ? randomWord(d) : '');
    else if (roll === 5) upstream += randomWord(d);
    else if (roll === 6) upstream += d.pick(['~', '~~', '.', '+', '-']) + randomNumber(d);
    else if (roll === 7 && epoch !== '') upstream += ':' + randomNumber(d);
    else upstream += d.pick(['', '.']) + randomNumber(d);
  }
  // A '-' in the upstream part is only valid when a revision follows it.
  const needsRevision = upstream.includes('-');
  let revision = '';
  if (needsRevision || d.chance(0.7)) {
    revision = d.chance(0.8) ? randomNumber(d) : d.pick(['~', 'a', 'A', '+b1', '.1', '0', '00']);
    const more = d.int(3);
    for (let i = 0; i < more; i++) {
      revision += d.pick(['.', '+', '~', '', 'ubuntu', 'build', '+deb12u', '~bpo']) + (d.chance(0.6) ? randomNumber(d) : randomWord(d));
    }
  }
  return (epoch ? epoch + ':' : '') + upstream + (revision ? '-' + revision : '');
}

const isValid = (v: string): boolean => parses(dpkgScheme, v);

/** One random edit of `v`, valid or not. */
function edit(d: Dice, v: string): string {
  const roll = d.int(8);
  if (roll === 0) return v + d.pick(['~', '~~', '~rc1', '+b1', '.1', '.0', 'a', 'A', '+', '.']);
  if (roll === 1) return shorten(d, v);
  if (roll === 2) return editNumbers(d, v);
  if (roll === 3) return v.replace(/[.+~]/, () => d.pick(['.', '+', '~', '']));
  if (roll === 4) return (d.chance(0.5) ? d.pick(['1:', '0:', '2:']) : '') + v.replace(/^\d+:/, '');
  if (roll === 5) return v.includes('-') ? v.replace(/-[^-]*$/, (m) => m + d.pick(['~', '.1', '+b1', '0', 'a'])) : v + '-' + d.pick(['0', '1', '~', 'a']);
  if (roll === 6) return swapFirstCase(v);
  return randomDpkg(d);
}

/** A small edit of `v` that stays a valid dpkg version. */
const mutate = (d: Dice, v: string): string => validEdit(dpkgScheme, v, () => edit(d, v));

function installedVersions(): string[] {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}\n'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter((l) => l !== '') : [];
}

const APT_SCRIPT = `
import sys, json, apt_pkg
apt_pkg.init()
out = []
for line in sys.stdin:
    a, b = json.loads(line)
    c = apt_pkg.version_compare(a, b)
    out.append('1' if c > 0 else '-1' if c < 0 else '0')
sys.stdout.write('\\n'.join(out) + '\\n')
`;

/**
 * Strings dpkg accepts that this scheme rejects on purpose (docs/versions.md): dpkg reads the
 * epoch with strtol, so it takes a sign, but APT sees no epoch there and orders the string
 * differently, so the two tools disagree on what the version means.
 */
const DELIBERATELY_REJECTED = new Set(['+1:1.0']);

const DPKG_SCRIPT = `
import sys, json, subprocess
for line in sys.stdin:
    v = json.loads(line)
    r = subprocess.run(['dpkg', '--compare-versions', v, 'eq', v], capture_output=True, text=True)
    err = r.stderr
    kind = 'error' if 'error' in err else 'warning' if 'warning' in err else 'ok'
    print(json.dumps([kind, err.strip()]))
`;

describe('dpkg scheme against APT (apt_pkg.version_compare)', () => {
  it('orders at least 10,000 seeded pairs exactly as APT does', ({ skip }) => {
    requirePython('import apt_pkg', skip);
    const d = new Dice(seededRandom(0xdeb1a4));
    const real = installedVersions();
    const pool = [...CORNERS, ...real];
    for (let i = 0; i < 3000; i++) pool.push(randomDpkg(d));
    for (const v of pool) expect(isValid(v), `generator produced an invalid version: ${v}`).toBe(true);

    const pairs = buildPairs(d, pool, (v) => mutate(d, v), 12_000);
    for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);

    const wrong = orderDisagreements(dpkgScheme, pairs, askPython(APT_SCRIPT, pairs), 'apt');
    // At least 10,000 pairs of two different strings: identical pairs prove little.
    expect(pairs.filter(([a, b]) => a !== b).length).toBeGreaterThanOrEqual(10_000);
    expect(wrong, firstDisagreements(wrong, pairs.length)).toEqual([]);
  });
});

describe('dpkg scheme validity against the dpkg binary', () => {
  it('accepts what dpkg accepts and rejects what dpkg reports as an error or a warning', ({ skip }) => {
    requireOracle(spawnSync('dpkg', ['--version']).status === 0 ? undefined : 'dpkg is not installed', skip);
    requirePython('import subprocess', skip);
    const d = new Dice(seededRandom(0xd9c8));
    const strings = [
      ...CORNERS,
      ...['a1.0', '~1', '1.0_1', '1.0-1_2', '1:1.0-1:2', '1 0', ' 1.0', '1.0 ', '\t1.0', ':1.0', 'a:1.0', '+1:1.0'],
      ...['2147483648:1.0', '1:', '1.0-', '1.0-1-', '1.0-a-b', '1:2:3', '01:1', '1é', '1.0#1', '1.0,1', '1@', 'É1'],
      ...['1.0/1', '1.0=1', '1.0!', '1.0-1!', '1.0\n', '1.0\u00a0', '1.0-ü', '1:a', '1:-1', '1.0-1.', '1.0--1', '1:~'],
    ];
    // Seeded random edits that break or keep validity.
    for (let i = 0; i < 250; i++) {
      const v = randomDpkg(d);
      const at = d.int(v.length + 1);
      strings.push(v.slice(0, at) + d.pick(['_', '#', ':', '-', '~', ' ', 'é', '', '.', 'A', '!', '=']) + v.slice(at));
    }
    // dpkg reads a leading '-' as an option; those strings are covered by the unit tests.
    const asked = strings.filter((s) => !s.startsWith('-') && s !== '');
    const answers = askPython(DPKG_SCRIPT, asked) as Array<[string, string]>;
    const wrong: string[] = [];
    asked.forEach((v, i) => {
      const [kind, message] = answers[i] ?? ['?', ''];
      const ours = isValid(v);
      if (DELIBERATELY_REJECTED.has(v)) {
        if (kind !== 'ok' || ours) wrong.push(`  ${JSON.stringify(v)}: expected dpkg ok and ours invalid, got ${kind}, ${String(ours)}`);
        return;
      }
      if (ours !== (kind === 'ok')) wrong.push(`  ${JSON.stringify(v)}: dpkg ${kind} ${message}; ours ${ours ? 'valid' : 'invalid'}`);
    });
    expect(wrong, firstDisagreements(wrong, asked.length)).toEqual([]);
  });
});
