import { describe, expect, it } from 'vitest';
import { baselineDecision, type DecidableFinding } from './baseline-decision.js';
import { builtInBaseline, parsePatchBaseline } from './patch-baseline.js';

const now = new Date('2026-12-01T00:00:00Z');
const finding = (over: Partial<DecidableFinding> = {}): DecidableFinding => ({
  advisory: 'DSA-9001-1',
  aliases: ['CVE-2026-0001'],
  type: 'security',
  ecosystem: 'Debian:12',
  package: 'openssl',
  fixed: '3.0.15-1~deb12u1',
  severity: 'high',
  priority: 'P2',
  kev: false,
  published: new Date('2026-11-25T00:00:00Z'),
  firstSeen: new Date('2026-11-28T00:00:00Z'),
  ...over,
});

const baseline = parsePatchBaseline(
  {
    name: 'prod-web',
    group: 'prod-web',
    precedence: 10,
    rules: [
      { types: ['security'], minSeverity: 'critical', afterDays: 0 },
      { types: ['security'], minSeverity: 'medium', afterDays: 14 },
      { types: ['bugfix'], minPriority: 'P4', afterDays: 30 },
    ],
    approve: ['ALSA-2026:0042'],
    reject: ['CVE-2026-0666'],
    holds: [{ package: 'postgresql-15', version: '15.8-0+deb12u1', reason: 'certified with the ERP' }],
  },
  'baseline.yaml',
);

describe('baselineDecision', () => {
  it('approves N days after publication, and says when a pending fix will be approved', () => {
    const pending = baselineDecision(baseline, finding(), now);
    expect(pending).toMatchObject({ state: 'pending', approvesAt: new Date('2026-12-09T00:00:00Z') });
    expect(pending.reason).toMatch(/^approved on 2026-12-09 by rule 2 of baseline prod-web \(security, severity ≥ medium, after 14 days\), 14 days after its publication on 2026-11-25$/);
    expect(baselineDecision(baseline, finding(), new Date('2026-12-09T00:00:00Z')).state).toBe('approved');
  });

  it('takes the earliest date of the rules that match', () => {
    const critical = baselineDecision(baseline, finding({ severity: 'critical' }), now);
    expect(critical).toMatchObject({ state: 'approved', approvesAt: new Date('2026-11-25T00:00:00Z') });
    expect(critical.reason).toBe('approved by rule 1 of baseline prod-web (security, severity ≥ critical, at once), from its publication on 2026-11-25');
  });

  it('counts from first seen when the advisory has no publication date', () => {
    const d = baselineDecision(baseline, finding({ published: null }), now);
    expect(d).toMatchObject({ state: 'pending', approvesAt: new Date('2026-12-12T00:00:00Z') });
    expect(d.reason).toMatch(/first seen on 2026-11-28 \(no publication date\)/);
  });

  it('leaves unapproved what no rule covers (type, severity or priority below the rule)', () => {
    expect(baselineDecision(baseline, finding({ severity: 'low' }), now).state).toBe('unapproved');
    expect(baselineDecision(baseline, finding({ type: 'enhancement', severity: null }), now).state).toBe('unapproved');
    expect(baselineDecision(baseline, finding({ type: 'bugfix', severity: null, priority: 'P4' }), now)).toMatchObject({ state: 'pending', approvesAt: new Date('2026-12-25T00:00:00Z') });
    // Unknown severity counts as medium, as in the priority formula.
    expect(baselineDecision(baseline, finding({ severity: null }), now).state).toBe('pending');
  });

  it('approves KEV at once, unless the baseline says otherwise', () => {
    expect(baselineDecision(baseline, finding({ kev: true, severity: 'low' }), now)).toMatchObject({ state: 'approved', reason: expect.stringMatching(/CISA KEV/) });
    const noKev = { ...baseline, approveKevAtOnce: false };
    expect(baselineDecision(noKev, finding({ kev: true, severity: 'low' }), now).state).toBe('unapproved');
  });

  it('approves and rejects by advisory id or CVE; rejection wins over KEV', () => {
    expect(baselineDecision(baseline, finding({ advisory: 'ALSA-2026:0042', type: 'enhancement' }), now)).toMatchObject({ state: 'approved', reason: 'ALSA-2026:0042 is on the approve list of baseline prod-web' });
    expect(baselineDecision(baseline, finding({ aliases: ['CVE-2026-0666'], kev: true }), now)).toMatchObject({ state: 'rejected', reason: 'CVE-2026-0666 is on the reject list of baseline prod-web' });
  });

  it('holds a fix beyond the pinned version, compared in the ecosystem, but not one at or below it', () => {
    const pg = (fixed: string | null) => finding({ package: 'postgresql-15', fixed, severity: 'critical', kev: true });
    expect(baselineDecision(baseline, pg('15.10-0+deb12u1'), now)).toMatchObject({ state: 'held', reason: expect.stringMatching(/postgresql-15 is held at 15\.8-0\+deb12u1 \(certified with the ERP\); the fix 15\.10-0\+deb12u1 is beyond it/) });
    // 15.8-0+deb12u1 sorts above 15.8-0 in dpkg order, so a fix at 15.8-0 passes the hold.
    expect(baselineDecision(baseline, pg('15.8-0'), now).state).toBe('approved');
    expect(baselineDecision(baseline, pg('15.8-0+deb12u1'), now).state).toBe('approved');
    expect(baselineDecision(baseline, pg(null), now).state).toBe('held');
    expect(baselineDecision(baseline, { ...pg('15.10-0+deb12u1'), package: 'postgresql-16' }, now).state).toBe('approved');
  });

  it('limits a hold to its ecosystem, by release or for every release', () => {
    const held = (ecosystem: string) => parsePatchBaseline({ name: 'b', holds: [{ package: 'openssl', version: '3.0.11-1~deb12u2', ecosystem, reason: 'r' }], rules: [{ types: ['security'], afterDays: 0 }] }, 'b');
    expect(baselineDecision(held('Debian'), finding(), now).state).toBe('held');
    expect(baselineDecision(held('Debian:12'), finding(), now).state).toBe('held');
    expect(baselineDecision(held('Debian:11'), finding(), now).state).toBe('approved');
  });

  it('keeps a hold it cannot compare', () => {
    const b = parsePatchBaseline({ name: 'b', holds: [{ package: 'openssl', version: '3.0..x', reason: 'r' }], rules: [{ types: ['security'], afterDays: 0 }] }, 'b');
    expect(baselineDecision(b, finding({ ecosystem: 'PyPI' }), now)).toMatchObject({ state: 'held', reason: expect.stringMatching(/so the hold is kept$/) });
  });

  it('expresses the built-in compliance rule: security fixes at failAt or above, at once', () => {
    const b = builtInBaseline('P2');
    expect(baselineDecision(b, finding({ priority: 'P2' }), now).state).toBe('approved');
    expect(baselineDecision(b, finding({ priority: 'P3' }), now).state).toBe('unapproved');
    expect(baselineDecision(b, finding({ priority: 'P3', kev: true }), now).state).toBe('unapproved');
    expect(baselineDecision(b, finding({ priority: 'P1', type: 'bugfix' }), now).state).toBe('unapproved');
  });
});

describe('parsePatchBaseline', () => {
  it('fills in the defaults', () => {
    expect(parsePatchBaseline({ name: 'fallback' }, 'b')).toEqual({ name: 'fallback', description: '', rules: [], approveKevAtOnce: true, approve: [], reject: [], holds: [] });
  });

  it.each([
    [{ name: 'Web' }, /name: expected 1-64 lower-case/],
    [{ name: 'built-in' }, /name: "built-in" names the compliance report's own rule/],
    [{ name: 'b', group: 'web' }, /precedence: required with a group/],
    [{ name: 'b', precedence: 3 }, /precedence: only a baseline with a group/],
    [{ name: 'b', rules: [{ types: ['security'] }] }, /rules\[0\]\.afterDays: expected whole days/],
    [{ name: 'b', rules: [{ types: ['feature'], afterDays: 1 }] }, /rules\[0\]\.types: expected a non-empty list of security, bugfix, enhancement/],
    [{ name: 'b', rules: [{ types: ['security'], minSeverity: 'urgent', afterDays: 1 }] }, /rules\[0\]\.minSeverity/],
    [{ name: 'b', rules: [{ types: ['security'], minPriority: 'P0', afterDays: 1 }] }, /rules\[0\]\.minPriority/],
    [{ name: 'b', rules: [{ types: ['security'], afterDays: 1, when: 'x' }] }, /rules\[0\]\.when: unknown field/],
    [{ name: 'b', approve: ['CVE-1'], reject: ['CVE-1'] }, /CVE-1 is in both lists/],
    [{ name: 'b', holds: [{ package: 'openssl', version: '1.0' }] }, /holds\[0\]\.reason: expected text/],
    [{ name: 'b', holds: [{ package: 'openssl', version: '1.0-', ecosystem: 'Debian:12', reason: 'r' }] }, /holds\[0\]\.version: /],
    [{ name: 'b', holds: [{ package: 'openssl', version: '1.0', ecosystem: 'Nowhere', reason: 'r' }] }, /holds\[0\]\.ecosystem: /],
    [{ name: 'b', kev: true }, /kev: unknown field/],
    ['name: b', /expected an object/],
  ])('refuses %j', (value, message) => {
    expect(() => parsePatchBaseline(value, 'baseline.yaml')).toThrow(message);
  });
});
