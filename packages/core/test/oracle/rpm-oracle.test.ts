/**
 * rpm ordering against rpm 4.18 itself (python3-rpm): the string is split by rpm's own EVR parser
 * (`rpm.ver`) and the parts are ordered by `rpm.labelCompare`, on seeded synthetic pairs and on
 * real AlmaLinux OSV versions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rpmScheme } from '../../src/versions/rpm.js';
import { sharedData } from '../support/shared-data.js';
import {
  Dice,
  askPython,
  buildPairs,
  compareSign,
  editNumbers,
  firstDisagreements,
  parses,
  requireOracle,
  requirePython,
  seededRandom,
  shorten,
  swapFirstCase,
  validEdit,
} from './oracle-support.js';

const ALMALINUX_FEED = sharedData('osv', 'almalinux-osv-database.tar.gz');

const WORDS = ['el', 'el8', 'el8_3', 'module_el', 'fc', 'git', 'svn', 'rc', 'alpha', 'beta', 'a', 'b', 'A', 'Z', 'p', 'pre', 'final', 'SP'];

/** Versions where rpmvercmp's rules meet: ~ and ^ against ends, alpha vs numeric, separators, zeros. */
const CORNERS = [
  '0', '00', '1', '1.', '1.0', '1.00', '1_0', '1+0', '1.0.0', '1a', '1A', '1.a', 'a', 'A', 'a1', '1~', '1~~', '1~a',
  '1^', '1^^', '1^a', '1~^', '1^~', '1.0~rc1', '1.0^git1', '1.0~rc1^git1', '1.0^git1~pre', '1.0-1', '1.0-1~',
  '1.0-1^', '1.0-0', '1.0-00', '1.0-a', '1:1.0', '0:1.0', '00:1.0', '2:0', '1:1.0-1', '1.0+', '+', '_', '.', '~',
  '^', '1.0-+', '1.0-~', '99999999999999999999', '100000000000000000000', '1.099999999999999999999', 'xyz.4',
  '1.0-1.el8', '1.0-1.el8_3', '1.0-1.module_el8.9.0+3627+db8ec155', '2:1.0.1-38.module_el8.9.0+3627+db8ec155',
];

function randomPart(d: Dice): string {
  const roll = d.next();
  if (roll < 0.05) return d.digits(15, 40);
  if (roll < 0.12) return '0' + d.digits(1, 3);
  if (roll < 0.7) return d.digits(1, 3);
  return d.pick(WORDS) + (d.chance(0.4) ? d.digits(1, 2) : '');
}

function randomField(d: Dice): string {
  let s = randomPart(d);
  const n = d.int(6);
  for (let i = 0; i < n; i++) s += d.pick(['.', '.', '.', '_', '+', '~', '^', '', '~~', '^^', '.~', '+^']) + (d.chance(0.9) ? randomPart(d) : '');
  // rpmbuild refuses '..'; keep the generator on valid strings.
  return s.replace(/\.{2,}/g, '.');
}

function randomRpm(d: Dice): string {
  const epoch = d.chance(0.25) ? d.pick(['0', '1', '2', '3', '10', '00', '01', '4294967295']) + ':' : '';
  return epoch + randomField(d) + (d.chance(0.8) ? '-' + randomField(d) : '');
}

const isValid = (v: string): boolean => parses(rpmScheme, v);

/** One random edit of `v`, valid or not. */
function edit(d: Dice, v: string): string {
  const roll = d.int(8);
  if (roll === 0) return v + d.pick(['~', '^', '~rc1', '^git1', '.1', '.0', 'a', 'A', '+', '_', '.el8']);
  if (roll === 1) return shorten(d, v);
  if (roll === 2) return editNumbers(d, v);
  if (roll === 3) return v.replace(/[._+~^]/, () => d.pick(['.', '_', '+', '~', '^', '']));
  if (roll === 4) return (d.chance(0.6) ? d.pick(['1:', '0:', '2:']) : '') + v.replace(/^\d+:/, '');
  if (roll === 5) return v.includes('-') ? (d.chance(0.3) ? v.replace(/-[^-]*$/, '') : v + d.pick(['.1', '~', '^1', '_1'])) : v + '-' + d.pick(['0', '1', '1.el8', '~', 'a']);
  if (roll === 6) return swapFirstCase(v);
  return randomRpm(d);
}

/** A small edit of `v` that stays a valid rpm version (rpmbuild refuses '..'). */
const mutate = (d: Dice, v: string): string => validEdit(rpmScheme, v, () => edit(d, v).replace(/\.{2,}/g, '.'));

/** Every fixed/introduced/last_affected string of the AlmaLinux OSV feed, or [] without the file. */
function almaLinuxVersions(): string[] {
  if (!existsSync(ALMALINUX_FEED)) return [];
  const r = spawnSync('tar', ['-xzOf', ALMALINUX_FEED, '--wildcards', '*.json'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) return [];
  const found = new Set<string>();
  for (const m of r.stdout.matchAll(/"(?:introduced|fixed|last_affected)"\s*:\s*"([^"]+)"/g)) {
    if (m[1] !== undefined) found.add(m[1]);
  }
  return [...found].sort();
}

const RPM_SCRIPT = `
import sys, json, rpm
def evr(s):
    v = rpm.ver(s)
    return (v.e, v.v, v.r)
out = []
for line in sys.stdin:
    a, b = json.loads(line)
    ea, eb = evr(a), evr(b)
    c = rpm.labelCompare(ea, eb)
    out.append(json.dumps([1 if c > 0 else -1 if c < 0 else 0, ea, eb]))
sys.stdout.write('\\n'.join(out) + '\\n')
`;

function checkAgainstRpm(pairs: ReadonlyArray<readonly [string, string]>): string[] {
  const answers = askPython(RPM_SCRIPT, pairs) as Array<[number, [string | null, string, string | null], unknown]>;
  const wrong: string[] = [];
  pairs.forEach(([a, b], i) => {
    const [expected, splitA] = answers[i] ?? [NaN, [null, '', null]];
    const pa = rpmScheme.parse(a);
    const ours = compareSign(rpmScheme, a, b);
    if (ours !== expected) wrong.push(`  ${a} vs ${b}: rpm ${String(expected)}, ours ${ours}`);
    // The split must be rpm's too: (epoch or none, version, release or none).
    const [e, v, r] = splitA;
    if ((e ?? '') !== pa.epoch || v !== pa.version || (r ?? undefined) !== pa.release) {
      wrong.push(`  ${a}: rpm splits it as ${JSON.stringify(splitA)}, ours ${JSON.stringify([pa.epoch, pa.version, pa.release])}`);
    }
  });
  return wrong;
}

describe('rpm scheme against rpm 4.18 (rpm.ver + rpm.labelCompare)', () => {
  it('orders at least 10,000 seeded synthetic pairs exactly as rpm does', ({ skip }) => {
    requirePython('import rpm; rpm.ver("1"); rpm.labelCompare', skip);
    const d = new Dice(seededRandom(0x59a1));
    const pool = [...CORNERS];
    for (let i = 0; i < 3000; i++) pool.push(randomRpm(d));
    for (const v of pool) expect(isValid(v), `generator produced an invalid version: ${v}`).toBe(true);
    const pairs = buildPairs(d, pool, (v) => mutate(d, v), 12_000);
    for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);
    // At least 10,000 pairs of two different strings: identical pairs prove little.
    expect(pairs.filter(([a, b]) => a !== b).length).toBeGreaterThanOrEqual(10_000);
    const wrong = checkAgainstRpm(pairs);
    expect(wrong, firstDisagreements(wrong, pairs.length)).toEqual([]);
  });

  it('orders real AlmaLinux OSV versions (and edits of them) exactly as rpm does', ({ skip }) => {
    requirePython('import rpm; rpm.ver("1"); rpm.labelCompare', skip);
    const real = almaLinuxVersions();
    requireOracle(real.length > 0 ? undefined : `the AlmaLinux feed ${ALMALINUX_FEED} is not readable`, skip);
    const rejected = real.filter((v) => !isValid(v));
    expect(rejected, 'real AlmaLinux versions must all parse').toEqual([]);
    const d = new Dice(seededRandom(0xa1a1));
    const pairs = buildPairs(d, real, (v) => mutate(d, v), 10_000);
    const wrong = checkAgainstRpm(pairs);
    expect(wrong, firstDisagreements(wrong, pairs.length)).toEqual([]);
  });
});
