import { describe, expect, it } from 'vitest';
import { compareEditions, storedEdition } from './document-edition.js';

describe('enrichment document editions', () => {
  it('orders by release time, then by version label', () => {
    const at = (version: string, released: string) => ({ version, releasedAt: new Date(released) });
    expect(compareEditions(at('2025.08.24', '2025-08-24T17:00:00Z'), at('2025.08.25', '2025-08-25T17:00:00Z'))).toBeLessThan(0);
    expect(compareEditions(at('2025.08.25', '2025-08-25T18:00:00Z'), at('2025.08.25', '2025-08-25T17:00:00Z'))).toBeGreaterThan(0);
    expect(compareEditions(at('2025.08.25', '2025-08-25T17:00:00Z'), at('2025.08.25', '2025-08-25T17:00:00Z'))).toBe(0);
    expect(compareEditions(at('2025.08.25b', '2025-08-25T17:00:00Z'), at('2025.08.25', '2025-08-25T17:00:00Z'))).toBeGreaterThan(0);
  });

  it('reads a stored EPSS file by its first line only, and gives null for what it cannot read', () => {
    // Cut after the header, as FeedStore reads it: the rows are never parsed.
    expect(storedEdition('epss', '#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000\ncve,epss,perc')).toEqual({ version: '2025-02-20', releasedAt: new Date('2025-02-20') });
    expect(storedEdition('epss', 'cve,epss,percentile\n')).toBeNull();
    expect(storedEdition('kev', '{"catalogVersion":')).toBeNull();
    expect(storedEdition('nvd:0123456789abcdef', '{}')).toBeNull();
  });
});
