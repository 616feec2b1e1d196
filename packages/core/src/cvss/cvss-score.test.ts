import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/shared-data.js';
import { cvssFromVector, cvssSeverity, worstCvss } from './index.js';
import type { CvssScore } from './index.js';

const NVD_FILES = ['vunnel-nvd-api2-full-page.json', 'vunnel-nvd-api2-single-entry.json'];

interface NvdMetricSample {
  readonly file: string;
  readonly cve: string;
  readonly vector: string;
  readonly score: number;
  readonly severity: string;
}

/** Every CVSS metric in the NVD pages, whatever its source (Primary and Secondary). */
function nvdMetrics(): NvdMetricSample[] {
  const samples: NvdMetricSample[] = [];
  for (const file of NVD_FILES) {
    const page = JSON.parse(readFileSync(sharedData('nvd', file), 'utf8')) as {
      vulnerabilities: { cve: { id: string; metrics?: Record<string, Record<string, unknown>[]> } }[];
    };
    for (const { cve } of page.vulnerabilities) {
      for (const metrics of Object.values(cve.metrics ?? {})) {
        for (const metric of metrics) {
          const data = metric['cvssData'] as { vectorString: string; baseScore: number; baseSeverity?: string };
          // NVD puts v2's severity beside cvssData, v3's and v4's inside it.
          const severity = data.baseSeverity ?? (metric['baseSeverity'] as string);
          samples.push({ file, cve: cve.id, vector: data.vectorString, score: data.baseScore, severity });
        }
      }
    }
  }
  return samples;
}

describe('cvssFromVector against NVD-provided scores (shared/data/nvd)', () => {
  const samples = nvdMetrics();

  it('finds the metrics (v2 and v3.1, Primary and Secondary)', () => {
    expect(samples.length).toBe(50);
    expect(samples.some((s) => !s.vector.startsWith('CVSS:'))).toBe(true);
  });

  it('agrees with every NVD base score and severity', () => {
    const disagreements = samples.filter((s) => {
      const computed = cvssFromVector(s.vector);
      return computed.baseScore !== s.score || computed.severity !== s.severity.toLowerCase();
    });
    expect(disagreements).toEqual([]);
  });
});

describe('cvssFromVector: CVSS v4.0', () => {
  // FIRST's CVSS v4.0 specification and examples; the scores below were also recomputed by hand
  // with the specification's MacroVector algorithm and lookup table.
  it.each([
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'critical'],
    // MacroVector 100200 (8.7) less a mean distance of 0.2125.
    ['CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5, 'high'],
    // The highest vector of MacroVector 000100, whose lookup value is 10.
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H', 10, 'critical'],
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:L/VI:L/VA:L/SC:N/SI:N/SA:N', 6.9, 'medium'],
    // No impact at all is 0 by rule, whatever the exploitability.
    ['CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N', 0, 'none'],
    // Reported as 5.9 in RedHatProductSecurity/cvss-v4-calculator#53; that was a regression of
    // the calculator, the specification's algorithm gives 6.1 - 0.0375 = 6.0625 → 6.1.
    ['CVSS:4.0/AV:A/AC:L/AT:P/PR:N/UI:N/VC:H/VI:L/VA:L/SC:N/SI:N/SA:N', 6.1, 'medium'],
  ] as const)('%s = %d', (vector, score, severity) => {
    expect(cvssFromVector(vector)).toEqual({ version: '4.0', vector, baseScore: score, severity });
  });

  it('rounds an exact x.x5 half up, as FIRST\'s reference calculator does since its 2024-11 fix', () => {
    // 8.6 - 0.05 = 8.55 exactly; binary floating point lands on 8.549999… and naive rounding gives
    // 8.5 (RedHatProductSecurity/cvss-v4-calculator#66, fixed by #67).
    expect(cvssFromVector('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:H/VI:L/VA:N/SC:H/SI:H/SA:H').baseScore).toBe(8.6);
  });

  it('scores the base metrics only (CVSS-B): threat and environmental metrics leave it unchanged', () => {
    const base = 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N';
    const withThreat = cvssFromVector(`${base}/E:U/CR:L/MAV:P`);
    expect(withThreat.baseScore).toBe(9.3);
    expect(withThreat.vector).toBe(`${base}/E:U/CR:L/MAV:P`);
  });
});

describe('cvssFromVector: CVSS v3.x', () => {
  // FIRST CVSS v3.1 examples document (also valid for v3.0: the base equations did not change).
  it.each([
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'high'], // CVE-2014-0160 Heartbleed
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'], // CVE-2014-6271 Shellshock
    ['AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'medium'], // CVE-2013-1937 phpMyAdmin XSS
    ['AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H', 7.8, 'high'], // CVE-2009-0658 Adobe Reader
    ['AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H', 9.9, 'critical'], // CVE-2012-1516 VMware
    ['AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 6.8, 'medium'], // CVE-2014-2005 Sophos
    ['AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10, 'critical'], // capped at 10
    ['AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0, 'none'], // no impact
  ] as const)('%s = %d (3.1 and 3.0)', (metrics, score, severity) => {
    for (const version of ['3.1', '3.0'] as const) {
      const vector = `CVSS:${version}/${metrics}`;
      expect(cvssFromVector(vector)).toEqual({ version, vector, baseScore: score, severity });
    }
  });

  it('rounds up (Roundup), never to nearest', () => {
    // Raw 1.5335…: nearest would be 1.5. Exploitability 0.1211, impact 1.4124.
    expect(cvssFromVector('CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N').baseScore).toBe(1.6);
    // Raw 1.08 × 6.90738… = 7.4599…: an implementation without Roundup reports 7.46 or 7.4.
    expect(cvssFromVector('CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:C/C:H/I:H/A:N').baseScore).toBe(7.5);
    // Raw 9.760…
    expect(cvssFromVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H').baseScore).toBe(9.8);
  });

  it('ignores temporal and environmental metrics for the base score', () => {
    const score = cvssFromVector('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:U/CR:L/MAV:P/MC:N');
    expect(score.baseScore).toBe(9.8);
  });
});

describe('cvssFromVector: CVSS v2', () => {
  // FIRST CVSS v2 guide, section 3.3 examples, and NVD.
  it.each([
    ['AV:N/AC:L/Au:N/C:N/I:N/A:C', 7.8, 'high'], // CVE-2002-0392 Apache chunked encoding
    ['AV:N/AC:L/Au:N/C:C/I:C/A:C', 10, 'high'], // CVE-2003-0818 Microsoft ASN.1
    ['AV:L/AC:H/Au:N/C:C/I:C/A:C', 6.2, 'medium'], // CVE-2003-0062 NOD32
    ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 7.5, 'high'],
    ['AV:N/AC:M/Au:N/C:N/I:P/A:N', 4.3, 'medium'],
    ['AV:N/AC:L/Au:N/C:N/I:N/A:N', 0, 'low'], // NVD's v2 scale has no "none"
  ] as const)('%s = %d', (vector, score, severity) => {
    expect(cvssFromVector(vector)).toEqual({ version: '2.0', vector, baseScore: score, severity });
    expect(cvssFromVector(`(${vector})`).baseScore).toBe(score);
    expect(cvssFromVector(`CVSS:2.0/${vector}`).vector).toBe(vector);
  });
});

describe('cvssSeverity', () => {
  it('uses FIRST\'s scale for v3 and v4, boundaries included', () => {
    const at = (score: number): string => cvssSeverity('3.1', score);
    expect([0, 0.1, 3.9, 4, 6.9, 7, 8.9, 9, 10].map(at)).toEqual([
      'none', 'low', 'low', 'medium', 'medium', 'high', 'high', 'critical', 'critical',
    ]);
    expect(cvssSeverity('4.0', 9)).toBe('critical');
  });

  it('uses NVD\'s scale for v2: low below 4, medium below 7, high from 7', () => {
    const at = (score: number): string => cvssSeverity('2.0', score);
    expect([0, 3.9, 4, 6.9, 7, 10].map(at)).toEqual(['low', 'low', 'medium', 'medium', 'high', 'high']);
  });
});

describe('worstCvss', () => {
  const score = (version: CvssScore['version'], baseScore: number): CvssScore => ({
    version,
    vector: `${version}-${baseScore}`,
    baseScore,
    severity: cvssSeverity(version, baseScore),
  });

  it('returns undefined for no scores', () => {
    expect(worstCvss([])).toBeUndefined();
  });

  it('picks the highest base score, whatever the version', () => {
    const scores = [score('3.1', 7.5), score('2.0', 9.3), score('4.0', 8.7)];
    expect(worstCvss(scores)).toBe(scores[1]);
  });

  it('on a tie prefers the newer version, then the first given', () => {
    const scores = [score('2.0', 7.5), score('3.1', 7.5), score('3.0', 7.5), score('3.1', 7.5)];
    expect(worstCvss(scores)).toBe(scores[1]);
  });

  it('accepts any iterable, such as computed scores', () => {
    const vectors = ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'];
    expect(worstCvss(vectors.map(cvssFromVector))?.baseScore).toBe(9.8);
  });
});
