import { describe, expect, it } from 'vitest';
import { baselineForHost } from './baseline-for-host.js';
import type { HostGroup, SelectableHost } from './host-group.js';
import { parsePatchBaseline } from './patch-baseline.js';

const host = (tier: number, environment: string): SelectableHost => ({ id: `h-${tier}-${environment}`, name: 'x', os: null, attributes: { tier, environment, tags: [], cluster: null, internetFacing: null } });
const groups = new Map<string, HostGroup>([
  ['prod', { name: 'prod', description: '', selector: { environment: ['prod'] } }],
  ['tier0', { name: 'tier0', description: '', selector: { tier: [0] } }],
]);
const b = (name: string, extra: Record<string, unknown>) => parsePatchBaseline({ name, ...extra }, name);

describe('baselineForHost', () => {
  const crown = b('crown', { group: 'tier0', precedence: 1 });
  const prod = b('prod', { group: 'prod', precedence: 5 });
  const fallback = b('fallback', {});

  it('picks the lowest precedence among the baselines whose group selects the host, in any list order', () => {
    expect(baselineForHost([prod, crown, fallback], groups, host(0, 'prod'))?.name).toBe('crown');
    expect(baselineForHost([fallback, crown, prod], groups, host(0, 'prod'))?.name).toBe('crown');
    expect(baselineForHost([prod, crown], groups, host(2, 'prod'))?.name).toBe('prod');
  });

  it('falls back to the default baseline, then to none', () => {
    expect(baselineForHost([prod, crown, fallback], groups, host(2, 'test'))?.name).toBe('fallback');
    expect(baselineForHost([prod, crown], groups, host(2, 'test'))).toBeUndefined();
  });

  it('treats a baseline whose group is gone as selecting nobody', () => {
    expect(baselineForHost([b('orphan', { group: 'gone', precedence: 0 }), prod], groups, host(2, 'prod'))?.name).toBe('prod');
  });
});
