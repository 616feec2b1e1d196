import { describe, expect, it } from 'vitest';
import { DEFAULT_EMERGENCY_CRITERIA, findingLane, parseEmergencyCriteria } from './emergency-lane.js';

const f = (over: Partial<Parameters<typeof findingLane>[1]> = {}) => ({ type: 'security' as const, kev: false, cvss: 7.5, epss: 0.02, ...over });
const exposed = { internetFacing: true };
const inside = { internetFacing: false };

describe('findingLane', () => {
  it('puts KEV, CVSS ≥ 9.0 and high EPSS on an internet-facing host in the emergency lane, naming each', () => {
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ kev: true }), inside)).toEqual({ lane: 'emergency', reasons: ['in CISA KEV'] });
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ cvss: 9.0 }), inside)).toEqual({ lane: 'emergency', reasons: ['CVSS 9.0 ≥ 9.0'] });
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ epss: 0.62 }), exposed)).toEqual({ lane: 'emergency', reasons: ['EPSS 0.62 ≥ 0.5 on an internet-facing host'] });
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ kev: true, cvss: 9.8 }), inside).reasons).toEqual(['in CISA KEV', 'CVSS 9.8 ≥ 9.0']);
  });

  it('schedules everything else, and high EPSS on a host not known to face the internet', () => {
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ cvss: 8.9 }), exposed)).toEqual({ lane: 'scheduled', reasons: ['no emergency criterion met'] });
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ epss: 0.9 }), inside).lane).toBe('scheduled');
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ epss: 0.9 }), { internetFacing: null }).lane).toBe('scheduled');
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ cvss: null, epss: null }), exposed).lane).toBe('scheduled');
    expect(findingLane(DEFAULT_EMERGENCY_CRITERIA, f({ type: 'bugfix', kev: true }), exposed)).toEqual({ lane: 'scheduled', reasons: ['bugfix advisory, not a security fix'] });
  });

  it('follows its configuration', () => {
    const c = parseEmergencyCriteria({ kev: false, cvssAtLeast: null, epssAtLeast: 0.1, epssInternetFacingOnly: false }, 'sla.yaml');
    expect(findingLane(c, f({ kev: true, cvss: 10 }), exposed).lane).toBe('scheduled');
    expect(findingLane(c, f({ epss: 0.1 }), inside)).toEqual({ lane: 'emergency', reasons: ['EPSS 0.10 ≥ 0.1'] });
  });
});

describe('parseEmergencyCriteria', () => {
  it('keeps the defaults of fields left out', () => {
    expect(parseEmergencyCriteria({ cvssAtLeast: 9.5 }, 's')).toEqual({ ...DEFAULT_EMERGENCY_CRITERIA, cvssAtLeast: 9.5 });
  });

  it.each([
    [{ cvssAtLeast: 11 }, /emergency\.cvssAtLeast: expected a number above 0 and at most 10/],
    [{ epssAtLeast: 0 }, /emergency\.epssAtLeast/],
    [{ kev: 'yes' }, /emergency\.kev: expected true or false/],
    [{ ransomware: true }, /emergency\.ransomware: unknown field/],
    [[], /emergency: expected an object/],
  ])('refuses %j', (value, message) => {
    expect(() => parseEmergencyCriteria(value, 'sla.yaml')).toThrow(message);
  });
});
