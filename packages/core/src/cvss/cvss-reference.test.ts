/**
 * The whole base-metric space of CVSS v2 and v3.x, scored by the library and by the equations of
 * FIRST's specifications written out independently here (v2 guide §3.2.1, v3.1 §7.1 and
 * Appendix A). Both must agree on every vector: 729 for v2, 2,592 for each of v3.0 and v3.1.
 * v4.0 has no closed formula (a 270-entry MacroVector table); it was checked once against a
 * second implementation, see docs/adr/0002-cvss.md.
 */
import { describe, expect, it } from 'vitest';
import { cvssFromVector } from './index.js';

type Weights = Readonly<Record<string, number>>;

function* combinations(metrics: readonly (readonly [string, Weights])[]): Generator<Map<string, string>> {
  const [first, ...rest] = metrics;
  if (!first) {
    yield new Map();
    return;
  }
  for (const value of Object.keys(first[1])) {
    for (const tail of combinations(rest)) yield new Map([[first[0], value], ...tail]);
  }
}

const vectorOf = (values: Map<string, string>): string =>
  [...values].map(([metric, value]) => `${metric}:${value}`).join('/');

const w = (values: Map<string, string>, metric: string, table: Weights): number => {
  const weight = table[values.get(metric) ?? ''];
  if (weight === undefined) throw new Error(`no weight for ${metric}`);
  return weight;
};

// --- CVSS v3.1 §7.1 -------------------------------------------------------------------------
const AV3 = { N: 0.85, A: 0.62, L: 0.55, P: 0.2 };
const AC3 = { L: 0.77, H: 0.44 };
const PR3_UNCHANGED = { N: 0.85, L: 0.62, H: 0.27 };
const PR3_CHANGED = { N: 0.85, L: 0.68, H: 0.5 };
const UI3 = { N: 0.85, R: 0.62 };
const CIA3 = { H: 0.56, L: 0.22, N: 0 };
const SCOPE = { U: 0, C: 1 };

/** v3.1 Appendix A: the smallest one-decimal number ≥ x, computed on integers to dodge float error. */
function roundup(x: number): number {
  const int = Math.round(x * 100_000);
  return int % 10_000 === 0 ? int / 100_000 : (Math.floor(int / 10_000) + 1) / 10;
}

function v3BaseScore(v: Map<string, string>): number {
  const changed = v.get('S') === 'C';
  const iss = 1 - (1 - w(v, 'C', CIA3)) * (1 - w(v, 'I', CIA3)) * (1 - w(v, 'A', CIA3));
  const impact = changed ? 7.52 * (iss - 0.029) - 3.25 * Math.pow(iss - 0.02, 15) : 6.42 * iss;
  const exploitability =
    8.22 * w(v, 'AV', AV3) * w(v, 'AC', AC3) * w(v, 'PR', changed ? PR3_CHANGED : PR3_UNCHANGED) * w(v, 'UI', UI3);
  if (impact <= 0) return 0;
  return roundup(Math.min((changed ? 1.08 : 1) * (impact + exploitability), 10));
}

// --- CVSS v2 guide §3.2.1 ---------------------------------------------------------------------
const AV2 = { L: 0.395, A: 0.646, N: 1.0 };
const AC2 = { H: 0.35, M: 0.61, L: 0.71 };
const AU2 = { M: 0.45, S: 0.56, N: 0.704 };
const CIA2 = { N: 0, P: 0.275, C: 0.66 };

function v2BaseScore(v: Map<string, string>): number {
  const impact = 10.41 * (1 - (1 - w(v, 'C', CIA2)) * (1 - w(v, 'I', CIA2)) * (1 - w(v, 'A', CIA2)));
  const exploitability = 20 * w(v, 'AV', AV2) * w(v, 'AC', AC2) * w(v, 'Au', AU2);
  const f = impact === 0 ? 0 : 1.176;
  // round_to_1_decimal, half up; the small lift absorbs binary error on exact .x5 values.
  return Math.round((0.6 * impact + 0.4 * exploitability - 1.5) * f * 10 + 1e-9) / 10;
}

describe('reference equations (self-check)', () => {
  it('roundup follows the v3.1 specification examples', () => {
    expect(roundup(4.02)).toBe(4.1);
    expect(roundup(4.0)).toBe(4.0);
    expect(roundup(4.000000000000001)).toBe(4.0);
  });
});

describe('library and specification equations agree on the whole base space', () => {
  it('CVSS v2: all 729 vectors', () => {
    const space = [...combinations([['AV', AV2], ['AC', AC2], ['Au', AU2], ['C', CIA2], ['I', CIA2], ['A', CIA2]])];
    expect(space).toHaveLength(729);
    const wrong = space
      .map((v) => ({ vector: vectorOf(v), expected: v2BaseScore(v) }))
      .filter(({ vector, expected }) => cvssFromVector(vector).baseScore !== expected);
    expect(wrong).toEqual([]);
  });

  it.each(['3.0', '3.1'])('CVSS v%s: all 2,592 vectors', (version) => {
    const space = [
      ...combinations([
        ['AV', AV3], ['AC', AC3], ['PR', PR3_UNCHANGED], ['UI', UI3], ['S', SCOPE], ['C', CIA3], ['I', CIA3], ['A', CIA3],
      ]),
    ];
    expect(space).toHaveLength(2592);
    const wrong = space
      .map((v) => ({ vector: `CVSS:${version}/${vectorOf(v)}`, expected: v3BaseScore(v) }))
      .filter(({ vector, expected }) => cvssFromVector(vector).baseScore !== expected);
    expect(wrong).toEqual([]);
  });
});
