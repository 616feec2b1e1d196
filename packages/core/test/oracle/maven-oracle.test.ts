/**
 * Maven ordering against Maven itself: `org.apache.maven.artifact.versioning.ComparableVersion`
 * from Debian's maven package (maven-artifact 3.8), driven by a small Java program compiled here
 * (javac from the JDK), on seeded synthetic pairs built from the specification's corners:
 * qualifiers and their aliases, single-letter forms, separators, digit/letter transitions,
 * zeros and trailing nulls, unknown words, huge numbers.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mavenScheme } from '../../src/versions/maven.js';
import { Dice, buildPairs, compareSign, firstDisagreements, requireOracle, seededRandom } from './oracle-support.js';

const MAVEN_ARTIFACT = '/usr/share/maven/lib/maven-artifact-3.x.jar';
const JAVAC = '/usr/bin/javac';
const JAVA = '/usr/bin/java';

const ORACLE = `
import java.io.*;
import org.apache.maven.artifact.versioning.ComparableVersion;
public class MavenOrder {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      int tab = line.indexOf('\\t');
      int c = new ComparableVersion(line.substring(0, tab)).compareTo(new ComparableVersion(line.substring(tab + 1)));
      out.append(c < 0 ? -1 : c > 0 ? 1 : 0).append('\\n');
    }
    System.out.print(out);
  }
}
`;

const work = mkdtempSync(join(tmpdir(), 'pw-maven-oracle-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function oracleMissing(): string | undefined {
  for (const f of [MAVEN_ARTIFACT, JAVAC, JAVA]) if (!existsSync(f)) return `${f} is not installed (apt-get install maven openjdk-17-jdk-headless)`;
  writeFileSync(join(work, 'MavenOrder.java'), ORACLE);
  const r = spawnSync(JAVAC, ['-cp', MAVEN_ARTIFACT, '-d', work, join(work, 'MavenOrder.java')], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `javac failed: ${r.stderr}`;
}

function askMaven(pairs: ReadonlyArray<readonly [string, string]>): number[] {
  const input = pairs.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n';
  const r = spawnSync(JAVA, ['-cp', `${MAVEN_ARTIFACT}:${work}`, 'MavenOrder'], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`oracle failed (${String(r.status)}): ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  if (lines.length !== pairs.length) throw new Error(`oracle answered ${lines.length} lines for ${pairs.length} pairs`);
  return lines.map(Number);
}

const WORDS = ['alpha', 'beta', 'milestone', 'rc', 'cr', 'snapshot', 'ga', 'final', 'release', 'sp', 'a', 'b', 'm', 'c', 'x', 'ALPHA', 'Final', 'RELEASE', 'jre', 'android', 'incubating', 'redhat', 'v', 'dev', 'pre', 'preview', 'ea'];

/** Versions where the specification's rules meet. */
const CORNERS = [
  '1', '1.0', '1.0.0', '1-0', '1.0-0', '1-', '1.', '1..1', '1--1', '.1', '-1', '0', '0.0', '00', '01', '1.01', '1.1',
  '1-alpha', '1-alpha1', '1-a1', '1a1', '1alpha', '1-beta-1', '1-b2', '1-m3', '1-milestone-3', '1-rc', '1-rc1', '1-cr1', '1.0-RC1',
  '1-snapshot', '1.0-SNAPSHOT', '1-ga', '1-final', '1.0.Final', '1-release', '1.RELEASE', '1-sp', '1-sp1', '1.0-sp.1', '1-abc', '1-xyz',
  '1-1', '1.0-1', '1-0.1', '1.0.0-0.0', '1-ga-1', '1-final-0', '1.0.0.0.0.1', '2', '1.0a', '1.0.a', '1.0-a', 'a', 'alpha', 'snapshot',
  '1.0.0.RELEASE', '1.0.0.BUILD-SNAPSHOT', '2.17.1', '2.0-beta9', '2.15.0-rc1', '4.1.68.Final', '31.1-jre', '31.1-android',
  '99999999999999999999', '100000000000000000000', '1.2147483648', '1.9223372036854775808', '1_2', '1+2', '1.0~1',
];

function randomPart(d: Dice): string {
  const roll = d.next();
  if (roll < 0.05) return d.digits(10, 25);
  if (roll < 0.12) return '0' + d.digits(0, 2);
  if (roll < 0.62) return d.digits(1, 3);
  return d.pick(WORDS) + (d.chance(0.4) ? d.digits(1, 2) : '');
}

function randomMaven(d: Dice): string {
  let s = randomPart(d);
  const n = d.int(6);
  for (let i = 0; i < n; i++) s += d.pick(['.', '.', '.', '-', '-', '', '_', '+']) + randomPart(d);
  return s;
}

/** One small edit of `v`. */
function mutate(d: Dice, v: string): string {
  const roll = d.int(7);
  if (roll === 0) return v + d.pick(['.0', '-0', '-ga', '.final', '-1', '-SNAPSHOT', 'a1', '-rc1', '.sp', '-', '.']);
  if (roll === 1) return v.replace(/\d+(?=\D*$)/, (m) => String(Number(m.slice(0, 15)) + d.pick([-1, 1])).replace('-', '0'));
  if (roll === 2) return v.replace(/[.-]/, () => d.pick(['.', '-', '']));
  if (roll === 3) return v.toUpperCase();
  if (roll === 4) return v.replace(/[a-z]+/i, () => d.pick(WORDS));
  if (roll === 5) return v.replace(/[.-][^.-]*$/, '') || v;
  return randomMaven(d);
}

describe('maven scheme against Maven 3.8 (ComparableVersion)', () => {
  it('orders at least 10,000 seeded synthetic pairs exactly as Maven does', ({ skip }) => {
    requireOracle(oracleMissing(), skip);
    const d = new Dice(seededRandom(0x3a7e));
    const pool = [...CORNERS];
    for (let i = 0; i < 3000; i++) pool.push(randomMaven(d));
    const pairs = buildPairs(d, pool, (v) => mutate(d, v), 12_000).filter(([a, b]) => a !== '' && b !== '');
    for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);
    expect(pairs.filter(([a, b]) => a !== b).length).toBeGreaterThanOrEqual(10_000);
    const expected = askMaven(pairs);
    const wrong: string[] = [];
    pairs.forEach(([a, b], i) => {
      const ours = compareSign(mavenScheme, a, b);
      if (ours !== expected[i]) wrong.push(`  ${a} vs ${b}: maven ${String(expected[i])}, ours ${ours}`);
    });
    expect(wrong, firstDisagreements(wrong, pairs.length)).toEqual([]);
  });
});
