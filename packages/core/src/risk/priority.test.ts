import { describe, expect, it } from 'vitest';
import { atOrAbove, prioritize, type RiskInput } from './index.js';

const base: RiskInput = { type: 'security' };

describe('prioritize', () => {
  it('puts a critical CVE in KEV with ransomware on a tier-0 internet-facing host at P1 and says why', () => {
    const v = prioritize({
      ...base,
      cvss: { score: 9.8, version: '3.1' },
      kev: { dateAdded: '2024-05-01', ransomware: true },
      epss: 0.94,
      tier: 0,
      internetFacing: true,
    });
    expect(v.priority).toBe('P1');
    expect(v.score).toBe(5 + 4 + 2 + 1 + 1);
    expect(v.reasons).toEqual([
      'CVSS 3.1 9.8 (critical)',
      'in CISA KEV since 2024-05-01, ransomware use known',
      'EPSS 0.94',
      'tier-0 internet-facing host',
    ]);
  });

  it('follows the documented thresholds', () => {
    expect(prioritize({ ...base, cvss: { score: 9.1, version: '3.1' } }).priority).toBe('P2'); // 5
    expect(prioritize({ ...base, cvss: { score: 9.1, version: '3.1' }, epss: 0.6 }).priority).toBe('P1'); // 7
    expect(prioritize({ ...base, cvss: { score: 7.5, version: '3.1' } }).priority).toBe('P3'); // 4
    expect(prioritize({ ...base, cvss: { score: 7.5, version: '3.1' }, internetFacing: true }).priority).toBe('P2'); // 5
    expect(prioritize({ ...base, cvss: { score: 5.0, version: '3.1' } }).priority).toBe('P3'); // 3
    expect(prioritize({ ...base, cvss: { score: 5.0, version: '3.1' }, tier: 3 }).priority).toBe('P4'); // 2
    expect(prioritize({ ...base, cvss: { score: 2.0, version: '3.1' } }).priority).toBe('P4'); // 1
    expect(prioritize({ ...base, cvss: { score: 7.5, version: '3.1' }, epss: 0.2 }).priority).toBe('P2'); // 5
  });

  it('keeps anything in KEV at P2 or above, even at low severity', () => {
    const v = prioritize({ ...base, cvss: { score: 3.1, version: '3.1' }, kev: { dateAdded: '2023-01-10', ransomware: false } });
    expect(v.score).toBe(4);
    expect(v.priority).toBe('P2');
  });

  it('uses the higher of CVSS and vendor severity, and names both', () => {
    const v = prioritize({ ...base, cvss: { score: 5.5, version: '3.1' }, vendorSeverity: { severity: 'high', label: 'Important' } });
    expect(v.score).toBe(4);
    expect(v.reasons).toEqual(['CVSS 3.1 5.5 (medium)', 'vendor severity Important (high)']);
    const lower = prioritize({ ...base, cvss: { score: 9.8, version: '3.1' }, vendorSeverity: { severity: 'medium', label: 'Moderate' } });
    expect(lower.score).toBe(5);
    expect(lower.reasons).toEqual(['CVSS 3.1 9.8 (critical)']);
  });

  it('counts unknown severity as medium and says so', () => {
    const v = prioritize(base);
    expect(v).toEqual({ priority: 'P3', score: 3, reasons: ['severity unknown, counted as medium'] });
  });

  it('puts bug-fix and enhancement advisories at P4 whatever else is known', () => {
    const v = prioritize({ type: 'bugfix', cvss: { score: 9.8, version: '3.1' }, kev: { dateAdded: '2024-01-01', ransomware: true } });
    expect(v).toEqual({ priority: 'P4', score: 0, reasons: ['bugfix advisory, not a security fix'] });
    expect(prioritize({ type: 'enhancement' }).priority).toBe('P4');
  });

  it('prints small EPSS values with two significant digits', () => {
    expect(prioritize({ ...base, epss: 0.00043 }).reasons).toContain('EPSS 0.00043');
  });
});

describe('atOrAbove', () => {
  it('orders P1 as the most urgent', () => {
    expect(atOrAbove('P1', 'P2')).toBe(true);
    expect(atOrAbove('P2', 'P2')).toBe(true);
    expect(atOrAbove('P3', 'P2')).toBe(false);
  });
});
