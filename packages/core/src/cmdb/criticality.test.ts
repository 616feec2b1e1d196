import { describe, expect, it } from 'vitest';
import { isExpectedStatus, statusVocabulary } from './asset-status.js';
import { parseCriticality, parseTierColumn } from './criticality.js';

describe('criticality → tier', () => {
  it.each([
    ['1 - most critical', 0],
    ['2 - somewhat critical', 1],
    ['3 - less critical', 2],
    ['4 - not critical', 3],
    ['Mission-Critical', 0],
    ['CRITICAL', 0],
    ['High', 1],
    ['medium', 2],
    ['Moderate', 2],
    ['low', 3],
    ['Tier 2', 2],
    ['T3', 3],
  ] as const)('%s → %i', (value, tier) => {
    expect(parseCriticality(value, 'Criticality')).toBe(tier);
  });

  it('a bare number is refused in a criticality column but is a tier in a tier column', () => {
    expect(() => parseCriticality('1', 'busines_criticality')).toThrow(/busines_criticality: "1" is not a criticality: a bare number is ambiguous/);
    expect(parseTierColumn('1', 'Tier')).toBe(1);
    expect(parseTierColumn(2, 'Tier')).toBe(2);
    expect(parseTierColumn('high', 'Tier')).toBe(1);
    expect(() => parseTierColumn('4', 'Tier')).toThrow('Tier: must be 0–3, got "4"');
  });
});

describe('status → expected', () => {
  it('ServiceNow columns read stored numbers and labels; a generic Status column only labels', () => {
    expect(isExpectedStatus('install_status', '1', 'install_status')).toBe(true);
    expect(isExpectedStatus('install_status', 'Retired', 'install_status')).toBe(false);
    expect(isExpectedStatus('operational_status', '2', 'operational_status')).toBe(false);
    expect(isExpectedStatus('operational_status', 'Non-Operational', 'operational_status')).toBe(false);
    expect(isExpectedStatus('operational_status', 'DR Standby', 'operational_status')).toBe(true);
    expect(isExpectedStatus('status', 'Active', 'Status')).toBe(true);
    expect(isExpectedStatus('status', 'decommissioning', 'Status')).toBe(false);
    expect(() => isExpectedStatus('status', '1', 'Status')).toThrow('Status: "1" is not a known status');
  });

  it('the generic vocabulary has one verdict per word across ServiceNow and NetBox', () => {
    const install = statusVocabulary('install_status');
    const operational = statusVocabulary('operational_status');
    for (const [word, expected] of statusVocabulary('status')) {
      for (const v of [install, operational]) if (v.has(word)) expect(v.get(word), word).toBe(expected);
    }
  });
});
