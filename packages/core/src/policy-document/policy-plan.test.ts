import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA_POLICY } from '../policy/index.js';
import { parsePolicyDocument, policyDocumentData } from './policy-document.js';
import { describeChange, planPolicy } from './policy-plan.js';

const current = parsePolicyDocument(
  {
    version: 1,
    groups: [
      { name: 'web', selector: { tags: ['web'] } },
      { name: 'old', selector: { environment: ['legacy'] } },
    ],
    baselines: [{ name: 'old-baseline', group: 'old', precedence: 5, rules: [{ types: ['security'], afterDays: 0 }] }],
    approvalPolicies: [{ environment: 'prod', approvals: 2 }],
    roles: [{ name: 'cab', permissions: ['changes.read', 'changes.approve'] }],
    windows: [{ name: 'old-window', rrule: 'FREQ=WEEKLY;BYDAY=SA', start: '02:00', durationMinutes: 240, groups: ['old'] }],
    freezes: [{ name: 'year-end', start: '2026-12-24', end: '2026-12-31', groups: ['web'], reason: 'holidays' }],
    sla: JSON.parse(JSON.stringify(DEFAULT_SLA_POLICY)) as unknown,
  },
  'current',
) as Required<ReturnType<typeof parsePolicyDocument>>;

describe('policy documents', () => {
  it('round-trips through plain data with no changes planned', () => {
    const again = parsePolicyDocument(JSON.parse(JSON.stringify(policyDocumentData(current))), 'exported');
    expect(planPolicy(current, again)).toEqual([]);
  });

  it('plans creates and updates before deletes, keeping references whole, and leaves absent sections alone', () => {
    const desired = parsePolicyDocument(
      {
        version: 1,
        groups: [
          { name: 'web', selector: { tags: ['web', 'edge'] } },
          { name: 'db', selector: { tags: ['db'] } },
        ],
        baselines: [{ name: 'db-baseline', group: 'db', precedence: 1, rules: [{ types: ['security'], afterDays: 3 }] }],
        roles: [{ name: 'cab', permissions: ['changes.read', 'changes.approve', 'findings.read'] }],
        windows: [{ name: 'db-nights', rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 4, start: '22:00', durationMinutes: 240, groups: ['db'] }],
      },
      'desired',
    );
    expect(planPolicy(current, desired).map(describeChange)).toEqual([
      '~ group web (selector)',
      '+ group db',
      '~ role cab (permissions)',
      '+ baseline db-baseline',
      '+ window db-nights',
      '- window old-window',
      '- baseline old-baseline',
      '- group old',
    ]);
    const laterFreeze = parsePolicyDocument({ version: 1, freezes: [{ name: 'year-end', start: '2026-12-24', end: '2027-01-02', groups: ['web'], reason: 'holidays' }] }, 'desired');
    expect(planPolicy(current, laterFreeze).map(describeChange)).toEqual(['~ freeze year-end (end)']);
  });

  it('names the entry and field of a bad document', () => {
    expect(() => parsePolicyDocument({ version: 1, roles: [{ name: 'viewer', permissions: ['hosts.read'] }] }, 'p.yaml')).toThrow(/roles\[0\]: name: viewer is a built-in role/);
    expect(() => parsePolicyDocument({ version: 1, roles: [{ name: 'x', permissions: ['hosts.raed'] }] }, 'p.yaml')).toThrow(/permissions: unknown hosts\.raed/);
    expect(() => parsePolicyDocument({ version: 1, groups: [{ name: 'a', selector: { tier: [0] } }, { name: 'a', selector: { tier: [1] } }] }, 'p.yaml')).toThrow(/groups\[1\]: a appears twice/);
    expect(() => parsePolicyDocument({ version: 2 }, 'p.yaml')).toThrow(/version: expected 1/);
    expect(() => parsePolicyDocument({ version: 1, rings: [] }, 'p.yaml')).toThrow(/rings: unknown section/);
    expect(() => parsePolicyDocument({ version: 1, windows: [{ name: 'w', rrule: 'FREQ=DAILY', start: '25:00', durationMinutes: 60 }] }, 'p.yaml')).toThrow(/windows\[0\]\.start: expected a local time HH:MM/);
    expect(() => parsePolicyDocument({ version: 1, freezes: [{ name: 'f', start: '2026-12-24', end: '2026-12-23', reason: 'r' }] }, 'p.yaml')).toThrow(/freezes\[0\]\.end: the last day comes before the first/);
    expect(() => parsePolicyDocument({ version: 1, approvalPolicies: [{ environment: 'prod', approvals: 9 }] }, 'p.yaml')).toThrow(/approvals: a whole number from 1 to 5/);
  });
});
