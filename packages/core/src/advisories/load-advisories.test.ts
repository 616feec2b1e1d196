import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/shared-data.js';
import { loadAdvisories } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-adv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadAdvisories', () => {
  it('reads the complete real AlmaLinux feed from its .tar.gz', async () => {
    const result = await loadAdvisories([sharedData('osv/almalinux-osv-database.tar.gz')]);
    expect(result.problems).toEqual([]);
    expect(result.advisories).toHaveLength(5680);
    const byType = { security: 0, bugfix: 0, enhancement: 0 };
    for (const a of result.advisories) byType[a.type]++;
    expect(byType).toEqual({ security: 4480, bugfix: 978, enhancement: 222 });
    expect(result.advisories.reduce((n, a) => n + a.affected.length, 0)).toBe(71329);
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
});
