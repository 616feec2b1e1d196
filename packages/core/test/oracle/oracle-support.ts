/**
 * Shared plumbing of the oracle tests: a seeded PRNG (reproducible pairs) and the edits made with
 * it, one-process batch calls to the reference implementations, the comparison of a scheme with
 * their answers, and the missing-oracle policy (fail in CI, skip with a reason elsewhere).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { VersionScheme } from '../../src/versions/version-scheme.js';

/** Debian's python, which carries apt_pkg, rpm and packaging (see ../shared/data/README.md). */
export const PYTHON = '/usr/bin/python3';

export { seededRandom } from '../../../../test/support/seeded-random.js';

/** Helpers over a PRNG. */
export class Dice {
  constructor(readonly next: () => number) {}
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }
  digits(min: number, max: number): string {
    const n = min + this.int(max - min + 1);
    let s = '';
    for (let i = 0; i < n; i++) s += String(this.int(10));
    return s;
  }
}

/**
 * Checks that `/usr/bin/python3 -c <probe>` works. Returns undefined when it does, else the
 * reason the oracle is missing.
 */
export function pythonOracleMissing(probe: string): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  const r = spawnSync(PYTHON, ['-c', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `${PYTHON} -c '${probe}' failed: ${(r.stderr || String(r.error)).trim().split('\n').pop() ?? ''}`;
  return undefined;
}

/**
 * Applies the missing-oracle policy: in CI (`CI=true`) a missing oracle is a failure, because a
 * silently skipped proof is no proof; on a developer machine the test is skipped with the reason.
 * `what` names the kind of thing missing (an oracle, a vector file) in both messages.
 */
export function requireOracle(missing: string | undefined, skip: (note: string) => never, what = 'oracle'): void {
  if (missing === undefined) return;
  if (process.env.CI === 'true') throw new Error(`${what} missing in CI: ${missing}`);
  skip(`${what} missing: ${missing}`);
}

/** The missing-oracle policy for the python oracle that `probe` checks (see pythonOracleMissing). */
export function requirePython(probe: string, skip: (note: string) => never): void {
  requireOracle(pythonOracleMissing(probe), skip);
}

/**
 * Runs `/usr/bin/python3 -c script` once, writing one JSON value per line to its stdin and
 * reading one JSON value per line back. No shell is involved.
 */
export function askPython(script: string, requests: readonly unknown[]): unknown[] {
  return askProgram(PYTHON, ['-c', script], requests);
}

/**
 * Checks that `program args...` runs and exits 0 (a probe of an oracle that is not python).
 * Returns undefined when it does, else the reason the oracle is missing, naming `install`.
 */
export function programOracleMissing(program: string, args: readonly string[], install: string): string | undefined {
  if (!existsSync(program)) return `${program} is not installed (${install})`;
  const r = spawnSync(program, args, { encoding: 'utf8' });
  if (r.status !== 0) return `${program} probe failed (${install}): ${(r.stderr || String(r.error)).trim().split('\n').pop() ?? ''}`;
  return undefined;
}

/**
 * Runs `program args...` once (execFile-style, no shell), writing one JSON value per line to its
 * stdin and reading one JSON value per line back: versions never appear on a command line.
 */
export function askProgram(program: string, args: readonly string[], requests: readonly unknown[]): unknown[] {
  const input = requests.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const r = spawnSync(program, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`oracle failed (${String(r.status)}): ${r.stderr || String(r.error)}`);
  const lines = r.stdout.split('\n').filter((l) => l !== '');
  if (lines.length !== requests.length) {
    throw new Error(`oracle answered ${lines.length} lines for ${requests.length} requests: ${r.stderr}`);
  }
  return lines.map((l) => JSON.parse(l) as unknown);
}

/**
 * Runs `program args...` once (no shell), writing `lines` to its stdin and returning its stdout
 * lines, for oracles that have no JSON reader (Elixir 1.14): each line must carry its versions
 * encoded (`hexEncode`) so that no version can break the line format.
 */
export function askProgramLines(program: string, args: readonly string[], lines: readonly string[]): string[] {
  if (lines.some((l) => l.includes('\n'))) throw new Error('a request line contains a newline');
  const r = spawnSync(program, args, { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`oracle failed (${String(r.status)}): ${r.stderr || String(r.error)}`);
  const out = r.stdout.split('\n').filter((l) => l !== '');
  if (out.length !== lines.length) throw new Error(`oracle answered ${out.length} lines for ${lines.length} requests: ${r.stderr}`);
  return out;
}

/** The UTF-8 bytes of `text` as lower-case hexadecimal: nothing a line protocol could misread. */
export function hexEncode(text: string): string {
  return Buffer.from(text, 'utf8').toString('hex');
}

/** Formats the first disagreements for a failure message. */
export function firstDisagreements(lines: readonly string[], total: number, limit = 20): string {
  if (lines.length === 0) return '';
  return `${lines.length} of ${total} disagree; first ${Math.min(limit, lines.length)}:\n${lines.slice(0, limit).join('\n')}`;
}

/** The sign of a comparison result, for comparing with an oracle's -1/0/1. */
export function sign(n: number): -1 | 0 | 1 {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** How `scheme` orders two strings, as -1/0/1. */
export function compareSign<V>(scheme: VersionScheme<V>, a: string, b: string): -1 | 0 | 1 {
  return sign(scheme.compare(scheme.parse(a), scheme.parse(b)));
}

/** Whether `scheme` accepts `text`. */
export function parses<V>(scheme: VersionScheme<V>, text: string): boolean {
  try {
    scheme.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The first of up to eight results of `edit` that `scheme` accepts, or `v` itself when none is. */
export function validEdit<V>(scheme: VersionScheme<V>, v: string, edit: () => string): string {
  for (let attempt = 0; attempt < 8; attempt++) {
    const out = edit();
    if (parses(scheme, out)) return out;
  }
  return v;
}

/** `v` without its last one to three characters (never empty). */
export function shorten(dice: Dice, v: string): string {
  return v.slice(0, Math.max(1, v.length - 1 - dice.int(3)));
}

/** `v` with some of its digit runs incremented, zero-padded, extended or cut. */
export function editNumbers(dice: Dice, v: string): string {
  return v.replace(/\d+/g, (m) => (dice.chance(0.3) ? dice.pick([String(Number(m.slice(-6)) + 1), '0' + m, m + '0', m.slice(1) || '0']) : m));
}

/** `v` with the case of its first letter swapped. */
export function swapFirstCase(v: string): string {
  return v.replace(/[a-z]/i, (c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()));
}

/**
 * The pairs `scheme` orders otherwise than an oracle's -1/0/1 `answers`, one line each, naming
 * the oracle; `show` writes a version in the line.
 */
export function orderDisagreements<V>(
  scheme: VersionScheme<V>,
  pairs: ReadonlyArray<readonly [string, string]>,
  answers: readonly unknown[],
  oracle: string,
  show: (v: string) => string = (v) => v,
): string[] {
  const wrong: string[] = [];
  pairs.forEach(([a, b], i) => {
    const ours = compareSign(scheme, a, b);
    if (ours !== answers[i]) wrong.push(`  ${show(a)} vs ${show(b)}: ${oracle} ${String(answers[i])}, ours ${ours}`);
  });
  return wrong;
}

/**
 * Builds `count` pairs from a pool: half are a version and a mutation of it (the pairs where
 * ordering bugs hide), a quarter are two pool members, a quarter a member and itself mutated twice.
 */
export function buildPairs(
  dice: Dice,
  pool: readonly string[],
  mutate: (v: string) => string,
  count: number,
): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  while (pairs.length < count) {
    const a = dice.pick(pool);
    const roll = dice.next();
    const b = roll < 0.5 ? mutate(a) : roll < 0.75 ? dice.pick(pool) : mutate(mutate(a));
    pairs.push(dice.chance(0.5) ? [a, b] : [b, a]);
  }
  return pairs;
}
