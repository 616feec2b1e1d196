import { createRequire } from 'node:module';
import type * as AeCvss from 'ae-cvss-calculator';
import { assertNever } from '../errors/index.js';
import type { CvssVersion } from './cvss-metrics.js';
import { parseCvssVector } from './cvss-vector.js';
import type { ParsedCvssVector } from './cvss-vector.js';

/** Qualitative severity rating, lower-cased. */
export type CvssSeverity = 'none' | 'low' | 'medium' | 'high' | 'critical';

/** The base score of one CVSS vector. */
export interface CvssScore {
  readonly version: CvssVersion;
  /** The vector in canonical form (see {@link ParsedCvssVector.vector}). */
  readonly vector: string;
  /** Base score, 0.0–10.0 with one decimal (for v4.0: CVSS-B, from the base metrics only). */
  readonly baseScore: number;
  readonly severity: CvssSeverity;
}

// ae-cvss-calculator ships a UMD bundle: Node's ESM loader cannot see its named exports (a named
// import type-checks but is undefined at run time), so it is loaded through require. The type
// import keeps the call sites checked. See docs/adr/0002-cvss.md. Loaded on first use: a scan
// of advisories without vectors never needs it, and every run pays its start-up (issue 2).
let library: typeof AeCvss | undefined;
const aeCvss = (): typeof AeCvss => (library ??= createRequire(import.meta.url)('ae-cvss-calculator') as typeof AeCvss);

/**
 * Scores by version and canonical base vector. The base score depends only on the base metrics,
 * whose combinations are few (729 for v2, 2,592 for v3.x, 104,976 for v4.0), while a v4.0 score
 * costs the library about 0.4 ms; a full NVD import repeats the same vectors many times. Bounded
 * by those counts, and pure, so sharing it across callers is safe.
 */
const scoreCache = new Map<string, number>();

/** The part of the library's calculators used here, the same for every version. */
interface BaseScorer {
  isBaseFullyDefined(): boolean;
  calculateScores(): { readonly base: number | undefined };
}

function libraryBaseScore(parsed: ParsedCvssVector): number {
  const key = `${parsed.version}|${parsed.baseVector}`;
  const cached = scoreCache.get(key);
  if (cached !== undefined) return cached;

  const ae = aeCvss();
  let calculator: BaseScorer;
  switch (parsed.version) {
    case '2.0':
      calculator = new ae.Cvss2(parsed.baseVector);
      break;
    case '3.0':
      calculator = new ae.Cvss3P0(parsed.baseVector);
      break;
    case '3.1':
      calculator = new ae.Cvss3P1(parsed.baseVector);
      break;
    case '4.0':
      calculator = new ae.Cvss4P0(parsed.baseVector);
      break;
    default:
      return assertNever(parsed.version, 'CVSS version');
  }
  // The vector was validated already; these guard against the library misreading it, since it
  // scores an incomplete vector as 0 instead of failing.
  const base = calculator.isBaseFullyDefined() ? calculator.calculateScores().base : undefined;
  if (base === undefined || !Number.isFinite(base) || base < 0 || base > 10) {
    throw new Error(`CVSS library returned no base score for ${parsed.baseVector}`);
  }
  scoreCache.set(key, base);
  return base;
}

/**
 * The qualitative severity of a base score. v3.x and v4.0 use FIRST's rating scale (0 none,
 * 0.1–3.9 low, 4.0–6.9 medium, 7.0–8.9 high, 9.0–10 critical); v2 has no official scale, so
 * NVD's is used (0–3.9 low, 4.0–6.9 medium, 7.0–10 high).
 */
export function cvssSeverity(version: CvssVersion, baseScore: number): CvssSeverity {
  if (version === '2.0') {
    if (baseScore < 4) return 'low';
    return baseScore < 7 ? 'medium' : 'high';
  }
  if (baseScore === 0) return 'none';
  if (baseScore < 4) return 'low';
  if (baseScore < 7) return 'medium';
  return baseScore < 9 ? 'high' : 'critical';
}

/**
 * Compute the base score and severity of a CVSS v2.0, v3.0, v3.1 or v4.0 vector string.
 * Threat, temporal, environmental and supplemental metrics are validated but do not change the
 * base score.
 *
 * @example cvssFromVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H') // baseScore 9.8, 'critical'
 * @throws PatchwiseError `PW_INPUT_INVALID` naming the vector when it is malformed: unknown version,
 *   metric or value, a duplicate metric, or a missing base metric.
 */
export function cvssFromVector(vector: string): CvssScore {
  const parsed = parseCvssVector(vector);
  const baseScore = libraryBaseScore(parsed);
  return {
    version: parsed.version,
    vector: parsed.vector,
    baseScore,
    severity: cvssSeverity(parsed.version, baseScore),
  };
}

const VERSION_RANK: Readonly<Record<CvssVersion, number>> = { '2.0': 0, '3.0': 1, '3.1': 2, '4.0': 3 };

/**
 * Order two scores from least to most severe: by base score, then (for equal scores) by CVSS
 * version, so that the newer standard's assessment is the one reported.
 */
export function compareCvss(a: CvssScore, b: CvssScore): number {
  return a.baseScore - b.baseScore || VERSION_RANK[a.version] - VERSION_RANK[b.version];
}

/**
 * The most severe of several scores (highest base score; on a tie the newer CVSS version, then
 * the first given), or `undefined` when there are none.
 */
export function worstCvss(scores: Iterable<CvssScore>): CvssScore | undefined {
  let worst: CvssScore | undefined;
  for (const score of scores) {
    if (worst === undefined || compareCvss(score, worst) > 0) worst = score;
  }
  return worst;
}
