import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/shared-data.js';
import { loadAdvisories } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-adv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadAdvisories', () => {
  it('reads the complete real AlmaLinux feed from its .tar.gz, one record per id', async () => {
    const result = await loadAdvisories([sharedData('osv/almalinux-osv-database.tar.gz')]);
    expect(result.problems).toEqual([]);
    // 5,680 files; 37 advisories covering two or three releases are filed once per release
    // directory (43 extra copies, identical), and each is kept once.
    expect(result.advisories).toHaveLength(5637);
    expect(result.duplicates).toEqual({ identical: 43, differing: 0 });
    expect(result.warnings).toEqual([]);
    expect(new Set(result.advisories.map((a) => a.id)).size).toBe(5637);
    const byType = { security: 0, bugfix: 0, enhancement: 0 };
    for (const a of result.advisories) byType[a.type]++;
    expect(byType).toEqual({ security: 4437, bugfix: 978, enhancement: 222 });
    expect(result.advisories.reduce((n, a) => n + a.affected.length, 0)).toBe(69160);
    const glibc = result.advisories.find((a) => a.id === 'ALSA-2023:5453');
    expect(glibc?.cves).toContain('CVE-2023-4911');
    expect(glibc?.vendorSeverity?.label).toBe('Important');
  });

  it('reads the real PyPA feed (YAML) and names the GIT-only parts it cannot use', async () => {
    const result = await loadAdvisories([sharedData('osv/pypa-advisory-database.tar.gz')]);
    expect(result.problems).toEqual([]);
    expect(result.advisories.length + result.withdrawn).toBe(2661);
    expect(result.advisories.every((a) => a.affected.every((p) => p.ecosystem === 'PyPI'))).toBe(true);
  });

  it('reads JSON lists, skips bad documents with their names, and ignores non-advisory files in directories', async () => {
    const feed = join(dir, 'feed');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(feed);
    writeFileSync(join(feed, 'README.md'), '# not an advisory');
    const modified = '2024-01-01T00:00:00Z';
    writeFileSync(join(feed, 'list.json'), JSON.stringify([{ id: 'A-1', modified }, { id: 'A-2', modified, withdrawn: modified }, { nope: 1 }, { id: 'A-3' }]));
    writeFileSync(join(feed, 'broken.json'), '{"id": ');
    writeFileSync(join(feed, 'deep.json'), `${'['.repeat(5000)}${']'.repeat(5000)}`);
    const result = await loadAdvisories([feed]);
    expect(result.advisories.map((a) => a.id)).toEqual(['A-1']);
    expect(result.withdrawn).toBe(1);
    expect(result.problems.map((p) => [p.code, p.message.split(':')[0]])).toEqual([
      ['PW_INPUT_MALFORMED', join(feed, 'broken.json')],
      ['PW_INPUT_TOO_DEEP', join(feed, 'deep.json')],
      ['PW_INPUT_INVALID', `${join(feed, 'list.json')}[2]`],
      ['PW_INPUT_INVALID', `${join(feed, 'list.json')}[3] (A-3)`],
    ]);
    expect(result.problems[3]?.message).toBe(`${join(feed, 'list.json')}[3] (A-3): field "modified": missing; OSV 1.6 requires it (when the record was last changed)`);
  });

  it('keeps one copy per id: the later modified, or the one read last; differing copies are named', async () => {
    const feed = join(dir, 'revisions');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(feed);
    const record = (id: string, modified: string, fixed: string, extra: object = {}) => ({
      id,
      modified,
      affected: [{ package: { ecosystem: 'PyPI', name: 'pkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
      ...extra,
    });
    // Files are read in name order: a-… first.
    writeFileSync(join(feed, 'a-newer.json'), JSON.stringify(record('R-1', '2024-06-01T00:00:00Z', '2.0')));
    writeFileSync(join(feed, 'b-older.json'), JSON.stringify(record('R-1', '2024-01-01T00:00:00Z', '1.5')));
    writeFileSync(join(feed, 'c-same-time.json'), JSON.stringify(record('R-2', '2024-01-01T00:00:00Z', '1.0')));
    writeFileSync(join(feed, 'd-same-time.json'), JSON.stringify(record('R-2', '2024-01-01T00:00:00Z', '1.1')));
    writeFileSync(join(feed, 'e-copy.json'), JSON.stringify(record('R-2', '2024-01-01T00:00:00Z', '1.1')));
    writeFileSync(join(feed, 'f-active.json'), JSON.stringify(record('R-3', '2024-01-01T00:00:00Z', '1.0')));
    writeFileSync(join(feed, 'g-withdrawn.json'), JSON.stringify(record('R-3', '2024-02-01T00:00:00Z', '1.0', { withdrawn: '2024-02-01T00:00:00Z' })));
    const result = await loadAdvisories([feed]);
    expect(result.problems).toEqual([]);
    const fixes = result.advisories.map((a) => [a.id, a.affected[0]?.ranges[0]?.events[1]?.fixed, a.source.slice(feed.length + 1)]);
    expect(fixes).toEqual([
      ['R-1', '2.0', 'a-newer.json'],
      ['R-2', '1.1', 'e-copy.json'],
    ]);
    // The later revision of R-3 withdrew it: withdrawn, not matched.
    expect(result.withdrawn).toBe(1);
    expect(result.duplicates).toEqual({ identical: 1, differing: 3 });
    expect(result.warnings).toEqual([
      `R-1: read twice with different content; kept ${join(feed, 'a-newer.json')} (modified 2024-06-01T00:00:00Z), left out ${join(feed, 'b-older.json')} (modified 2024-01-01T00:00:00Z)`,
      `R-2: read twice with different content; kept ${join(feed, 'd-same-time.json')} (modified 2024-01-01T00:00:00Z), left out ${join(feed, 'c-same-time.json')} (modified 2024-01-01T00:00:00Z)`,
      `R-3: read twice with different content; kept ${join(feed, 'g-withdrawn.json')} (modified 2024-02-01T00:00:00Z), left out ${join(feed, 'f-active.json')} (modified 2024-01-01T00:00:00Z)`,
    ]);
  });
});
