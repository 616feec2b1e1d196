import { describe, expect, it } from 'vitest';
import { attributePairsToObject, parseAttributePatch } from './host-attributes.js';

describe('parseAttributePatch', () => {
  it('reads exposure in words as internetFacing', () => {
    expect(parseAttributePatch(attributePairsToObject(['exposure=internet']), 'x')).toEqual({ internetFacing: true });
    expect(parseAttributePatch({ exposure: 'Internal' }, 'x')).toEqual({ internetFacing: false });
    expect(parseAttributePatch({ exposure: null }, 'x')).toEqual({ internetFacing: null });
    expect(() => parseAttributePatch({ exposure: 'dmz' }, 'agent config')).toThrow('exposure: must be one of internet, internet-facing, public, external, internal, private, none (it sets internetFacing)');
  });

  it('names the known attributes when a key is none of them', () => {
    expect(() => parseAttributePatch({ internetfacing: true }, 'x')).toThrow(/internetfacing: is not a host attribute \(known: tier, owner, environment, internetFacing, cluster, timezone, tags, exposure\)/);
    expect(() => parseAttributePatch({ tier: 9 }, 'x')).toThrow('tier: must be 0, 1, 2 or 3');
  });
});
