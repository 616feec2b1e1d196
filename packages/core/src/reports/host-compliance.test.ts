import { describe, expect, it } from 'vitest';
import { complianceSummary, hostCompliance, type HostComplianceInput } from './host-compliance.js';

const clean: HostComplianceInput = {
  assessed: true,
  release: { status: 'supported', reason: 'Debian 12 is supported until 2026-06-10' },
  packages: [],
  openSecurity: { P1: 0, P2: 0, P3: 4, P4: 9 },
};

describe('hostCompliance', () => {
  it('passes a supported host whose open security findings are all below the threshold', () => {
    expect(hostCompliance(clean)).toEqual({ status: 'compliant', reasons: [] });
  });

  it('fails an end-of-life release with its reason, and packages whose support ended', () => {
    const r = hostCompliance({
      ...clean,
      release: { status: 'eol', reason: 'Debian 10 reached end of life on 2024-06-30' },
      packages: [
        { sourceName: 'openjdk-11', status: 'ended' },
        { sourceName: 'chromium', status: 'limited' },
        { sourceName: 'openjdk-11', status: 'ended' },
        { sourceName: 'mariadb', status: 'ending' },
      ],
    });
    expect(r).toEqual({ status: 'non-compliant', reasons: ['Debian 10 reached end of life on 2024-06-30', 'security support ended for openjdk-11'] });
  });

  it('judges a host whose distribution packages could not be assessed unknown, not compliant; a failure still fails', () => {
    const blind = { ...clean, unassessed: 'no advisories held for Debian:12: import or sync its feed' };
    expect(hostCompliance(blind)).toEqual({ status: 'unknown', reasons: ['no advisories held for Debian:12: import or sync its feed'] });
    expect(hostCompliance({ ...blind, release: { status: 'eol', reason: 'Debian 10 reached end of life on 2024-06-30' } })).toEqual({
      status: 'non-compliant',
      reasons: ['Debian 10 reached end of life on 2024-06-30', 'no advisories held for Debian:12: import or sync its feed'],
    });
  });

  it('counts an extended-support release as supported', () => {
    expect(hostCompliance({ ...clean, release: { status: 'extended', reason: 'in LTS until 2028-06-30' } }).status).toBe('compliant');
  });

  it('fails open security findings at or above the threshold, naming the counts', () => {
    const open = { P1: 1, P2: 3, P3: 4, P4: 0 };
    expect(hostCompliance({ ...clean, openSecurity: open }).reasons).toEqual(['open security findings: P1 1, P2 3']);
    expect(hostCompliance({ ...clean, openSecurity: open }, { failAt: 'P1' }).reasons).toEqual(['open security findings: P1 1']);
    expect(hostCompliance({ ...clean, openSecurity: open }, { failAt: 'P3' }).reasons).toEqual(['open security findings: P1 1, P2 3, P3 4']);
  });

  it('says unknown for a host that never sent an inventory', () => {
    expect(hostCompliance({ ...clean, assessed: false, release: { status: 'eol', reason: 'x' } })).toEqual({ status: 'unknown', reasons: ['no inventory received yet'] });
  });
});

describe('complianceSummary', () => {
  it('counts each status; unknown hosts count against the rate', () => {
    const judged = [hostCompliance(clean), hostCompliance(clean), hostCompliance({ ...clean, openSecurity: { P1: 1, P2: 0, P3: 0, P4: 0 } }), hostCompliance({ ...clean, assessed: false })];
    expect(complianceSummary(judged)).toEqual({ hosts: 4, compliant: 2, nonCompliant: 1, unknown: 1, rate: 0.5 });
    expect(complianceSummary([]).rate).toBeNull();
  });
});

describe('hostCompliance against a baseline', () => {
  it('requires only the fixes the baseline approved, at any priority, and ignores failAt', () => {
    const withBaseline = { ...clean, openSecurity: { P1: 2, P2: 0, P3: 0, P4: 0 }, baseline: { name: 'prod-web', approved: { P1: 0, P2: 0, P3: 0, P4: 3 } } };
    // Two P1 findings the baseline did not approve (held, pending…) do not fail it; three approved P4 fixes do.
    expect(hostCompliance(withBaseline)).toEqual({ status: 'non-compliant', reasons: ['fixes approved by baseline prod-web not applied: P4 3'] });
    expect(hostCompliance({ ...withBaseline, baseline: { name: 'prod-web', approved: { P1: 0, P2: 0, P3: 0, P4: 0 } } }, { failAt: 'P4' })).toEqual({ status: 'compliant', reasons: [] });
  });
});
