/**
 * `patchwise feeds import` (the real binary) against a real server (PGlite, in this process):
 * directories walked as the server reads them, each file imported on its own, failures named by
 * the user's path.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { REPO, SAMPLES, runCliAsync } from './run-cli.js';
import { templateWorkDir } from './support/template-work-dir.js';

let work: string;
let data: string;
let server: RunningServer | undefined;

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** A Debian security record in OSV. */
function dsa(id: string, modified: string, fixed = '3.0.15-1~deb12u1'): string {
  return JSON.stringify({
    schema_version: '1.6.0',
    id,
    modified,
    published: '2026-11-30T00:00:00Z',
    summary: 'openssl security update',
    affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }],
  });
}

beforeAll(async () => {
  ({ work, data } = templateWorkDir('patchwise-cli-feeds-'));
  server = await startServer(parseServerConfig({ data, listen: '127.0.0.1:0', env: {} }));
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('patchwise feeds import', () => {
  const cli = (...args: string[]) => runCliAsync([...args, '--data', data]);

  it('walks subfolders, leaves out non-feed files, and goes on past a bad file, naming it by its path', async () => {
    const feed = join(work, 'feed');
    writeTree(feed, {
      'README.md': '# Debian advisories\n',
      LICENSE: 'Public domain.\n',
      'advisories/a-truncated.json': dsa('DSA-9002-1', '2026-11-30T00:00:00Z').slice(0, 40),
      'advisories/debian/DSA-9001-1.json': dsa('DSA-9001-1', '2026-11-30T00:00:00Z'),
      'advisories/z/DSA-9003-1.json': dsa('DSA-9003-1', '2026-11-30T00:00:00Z'),
    });
    const r = await cli('feeds', 'import', feed);
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean)).toEqual([
      `${feed}/advisories/debian/DSA-9001-1.json: 1 new, 0 updated, 0 unchanged records; 0 hosts re-assessed`,
      `${feed}/advisories/z/DSA-9003-1.json: 1 new, 0 updated, 0 unchanged records; 0 hosts re-assessed`,
    ]);
    expect(r.stderr).toContain(`patchwise: note: 2 files left out, not feed files: ${feed}/LICENSE, ${feed}/README.md\n`);
    expect(r.stderr).toMatch(new RegExp(`^patchwise: ${feed}/advisories/a-truncated\\.json: not valid JSON`, 'm'));
    expect(r.stderr).not.toContain('uploads');
    expect(r.stderr).toContain('patchwise: 1 of 3 files not imported whole\n');
  }, 60_000);

  it('refuses a record without modified, naming the file, and imports the rest of the file', async () => {
    const list = join(work, 'list.json');
    const good = JSON.parse(dsa('DSA-9020-1', '2026-11-30T00:00:00Z')) as object;
    writeFileSync(list, JSON.stringify([good, { id: 'DSA-9021-1' }]));
    const r = await cli('feeds', 'import', list);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^${list}: 1 new, 0 updated, 0 unchanged records`));
    expect(r.stderr).toContain(`${list}[1] (DSA-9021-1): field "modified": missing; OSV 1.6 requires it (when the record was last changed)`);
  }, 60_000);

  it('says when a record was older than the copy held, and keeps the held one', async () => {
    const newer = join(work, 'DSA-9010-1.json');
    const older = join(work, 'old', 'DSA-9010-1.json');
    writeTree(work, { 'DSA-9010-1.json': dsa('DSA-9010-1', '2026-12-01T00:00:00Z', '3.0.16-1~deb12u1'), 'old/DSA-9010-1.json': dsa('DSA-9010-1', '2026-11-01T00:00:00Z') });
    expect((await cli('feeds', 'import', newer)).stdout).toBe(`${newer}: 1 new, 0 updated, 0 unchanged records; 0 hosts re-assessed\n`);
    const again = await cli('feeds', 'import', older);
    expect(again.status).toBe(0);
    expect(again.stdout).toBe(`${older}: 0 new, 0 updated, 0 unchanged records, 1 older than the copy held (kept the held one); 0 hosts re-assessed\n`);
  }, 60_000);

  it('keeps the held KEV catalog when the shipped 5-entry excerpt of the same release is imported after it', async () => {
    // The full catalog of that release: the excerpt's entries and 20 more, same version and date.
    const excerpt = join(REPO, SAMPLES.kev);
    const catalog = JSON.parse(readFileSync(excerpt, 'utf8')) as { count: number; vulnerabilities: { cveID: string }[] };
    const first = catalog.vulnerabilities[0];
    const more = Array.from({ length: 20 }, (_, i) => ({ ...first, cveID: `CVE-2025-9${String(i).padStart(4, '0')}` }));
    const full = join(work, 'kev-full', 'known_exploited_vulnerabilities.json');
    writeTree(work, { 'kev-full/known_exploited_vulnerabilities.json': JSON.stringify({ ...catalog, count: 25, vulnerabilities: [...catalog.vulnerabilities, ...more] }) });
    expect((await cli('feeds', 'import', full)).stdout).toBe(`${full}: 0 new, 0 updated, 0 unchanged records; enrichment kev updated; 0 hosts re-assessed\n`);

    const r = await cli('feeds', 'import', excerpt);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(
      `${excerpt}: 0 new, 0 updated, 0 unchanged records; enrichment kev kept out (kept the held one); 0 hosts re-assessed\n` +
        `  ${excerpt}: kept out: KEV catalog 2025.08.25 (5 entries, released 2025-08-25T17:04:19.979Z) is the edition held, ` +
        'KEV catalog 2025.08.25 (25 entries, released 2025-08-25T17:04:19.979Z), with other content (an excerpt or an edited copy); the held one stays\n',
    );
    const status = await cli('feeds', 'status', '--json');
    expect(JSON.parse(status.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'kev', records: 25 })]));
  }, 60_000);

  it('holds the CVEs of real NVD pages once each, however often a page is imported', async () => {
    // NVD CVE API 2.0 pages (vunnel test fixtures; see ../shared/data/README.md): 38 CVEs, and 1.
    const page = resolve(REPO, '../shared/data/nvd/vunnel-nvd-api2-full-page.json');
    const single = resolve(REPO, '../shared/data/nvd/vunnel-nvd-api2-single-entry.json');
    expect((await cli('feeds', 'import', page)).stdout).toBe(`${page}: 0 new, 0 updated, 0 unchanged records; NVD 38 CVE records stored, 0 unchanged; 0 hosts re-assessed\n`);
    expect((await cli('feeds', 'import', page)).stdout).toBe(`${page}: 0 new, 0 updated, 0 unchanged records; NVD 0 CVE records stored, 38 unchanged; 0 hosts re-assessed\n`);
    expect((await cli('feeds', 'import', single)).stdout).toBe(`${single}: 0 new, 0 updated, 0 unchanged records; NVD 1 CVE records stored, 0 unchanged; 0 hosts re-assessed\n`);
    const status = JSON.parse((await cli('feeds', 'status', '--json')).stdout) as { name: string; kind: string; records: number }[];
    expect(status.filter((f) => f.kind === 'nvd')).toEqual([expect.objectContaining({ name: 'nvd', records: 39 })]);
  }, 60_000);
});

describe('patchwise feeds sync', () => {
  it('says that no sources are configured and how to configure them, and exits 2, on a server started without --feeds', async () => {
    const r = await runCliAsync(['feeds', 'sync', '--data', data]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^patchwise: POST \/api\/v1\/feeds\/sync: no feed sources are configured: start the server with --feeds FILE, a YAML or JSON list of \{ name, kind: osv\|kev\|epss\|nvd, url, sha256Url\?, interval\? \} \(docs\/feeds\.md\)/);
  }, 60_000);
});
