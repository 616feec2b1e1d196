import { describe, expect, it } from 'vitest';
import { Grants } from './grants.js';

const custom = new Map([['host-reader', ['hosts.read', 'audit.read']]]);

describe('Grants.resolve', () => {
  it('unions the scopes of several bindings of one permission, and lets a fleet-wide one win', () => {
    const g = Grants.resolve(
      [
        { role: 'viewer', scope: { groups: ['web'], environments: [] } },
        { role: 'operator', scope: { groups: [], environments: ['prod'] } },
      ],
      custom,
    );
    expect(g.get('hosts.read')).toEqual({ kind: 'scoped', groups: new Set(['web']), environments: new Set(['prod']) });
    expect(g.get('hosts.write')).toEqual({ kind: 'scoped', groups: new Set(), environments: new Set(['prod']) });
    const wider = Grants.resolve([{ role: 'viewer', scope: { groups: ['web'], environments: [] } }, { role: 'viewer', scope: null }], custom);
    expect(wider.get('hosts.read')).toEqual({ kind: 'all' });
  });

  it('never grants a platform-wide permission through a scoped binding', () => {
    const g = Grants.resolve([{ role: 'admin', scope: { groups: ['web'], environments: [] } }], custom);
    expect(g.get('hosts.write').kind).toBe('scoped');
    for (const p of ['users.manage', 'audit.read', 'feeds.write', 'groups.write', 'tokens.own'] as const) expect(g.get(p).kind, p).toBe('none');
  });

  it('resolves custom roles, ignores unknown roles and permissions, and narrows to a token’s list', () => {
    const g = Grants.resolve([{ role: 'host-reader', scope: null }, { role: 'deleted-role', scope: null }], custom);
    expect(g.list().map((x) => x.permission).sort()).toEqual(['audit.read', 'hosts.read']);
    const narrowed = Grants.resolve([{ role: 'admin', scope: null }], custom, ['findings.read', 'not.a.permission']);
    expect(narrowed.list()).toEqual([{ permission: 'findings.read', grant: { kind: 'all' } }]);
    expect(Grants.resolve([], custom).list()).toEqual([]);
  });
});
