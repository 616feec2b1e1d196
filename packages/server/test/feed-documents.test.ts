/**
 * Enrichment documents (KEV catalog, EPSS scores) are replaced only by a newer edition: an older
 * one, or the same edition with other content (an excerpt such as samples/kev), is kept out and
 * named in the reply, and the held document stays whole.
 */
import { describe, expect, it } from 'vitest';
import { kevCatalog } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { admin, eachTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

interface ImportReply {
  documents: string[];
  keptOut: { kind: string; source: string; reason: string; incoming: { version: string; entries: number }; held: { version: string; entries: number }; message: string }[];
  hostsReassessed: number;
}

const cves = (n: number, from = 1000) => Array.from({ length: n }, (_, i) => `CVE-2026-${from + i}`);
const epss = (date: string, rows: string[]) => `#model_version:v2023.03.01,score_date:${date}T00:00:00+0000\ncve,epss,percentile\n${rows.join('\n')}\n`;

describe.each(kinds)('enrichment document editions on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  async function importFile(filename: string, text: string): Promise<ImportReply> {
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/feeds/import?filename=${filename}`,
      headers: { ...admin(t), 'content-type': 'application/octet-stream' },
      payload: Buffer.from(text),
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<ImportReply>();
  }

  async function records(name: string): Promise<number | undefined> {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/feeds', headers: admin(t) });
    return res.json<{ feeds: { name: string; records: number }[] }>().feeds.find((f) => f.name === name)?.records;
  }

  it('keeps out an excerpt of the held KEV catalog, naming the file, both versions and counts', async () => {
    const full = JSON.stringify(kevCatalog(cves(40)));
    expect((await importFile('known_exploited_vulnerabilities.json', full)).documents).toEqual(['kev']);
    const excerpt = await importFile('excerpt.json', JSON.stringify(kevCatalog(cves(5))));
    expect(excerpt.documents).toEqual([]);
    expect(excerpt.keptOut).toEqual([
      {
        kind: 'kev',
        source: 'excerpt.json',
        reason: 'same-edition',
        incoming: { version: '2026.11.20', entries: 5 },
        held: { version: '2026.11.20', entries: 40 },
        message:
          'excerpt.json: kept out: KEV catalog 2026.11.20 (5 entries, released 2026-11-20T15:00:00.000Z) is the edition held, ' +
          'KEV catalog 2026.11.20 (40 entries, released 2026-11-20T15:00:00.000Z), with other content (an excerpt or an edited copy); the held one stays',
      },
    ]);
    expect(await records('kev')).toBe(40);
    // The same file again is unchanged, neither stored nor kept out.
    expect(await importFile('known_exploited_vulnerabilities.json', full)).toMatchObject({ documents: [], keptOut: [] });
  });

  it('keeps out an older KEV catalog and lets a newer one replace the held one, even a smaller one', async () => {
    await importFile('kev.json', JSON.stringify(kevCatalog(cves(10), '2026-11-20T15:00:00.000Z')));
    const older = await importFile('old-kev.json', JSON.stringify(kevCatalog(cves(12), '2026-11-19T15:00:00.000Z')));
    expect(older.keptOut).toMatchObject([{ kind: 'kev', reason: 'older', incoming: { version: '2026.11.19', entries: 12 }, held: { version: '2026.11.20', entries: 10 } }]);
    expect(older.keptOut[0]?.message).toMatch(/^old-kev\.json: kept out: KEV catalog 2026\.11\.19 .* is older than the held KEV catalog 2026\.11\.20 \(10 entries.*; the held one stays$/);
    expect(await records('kev')).toBe(10);
    // CISA removes entries now and then: a newer release replaces whatever its size.
    const newer = await importFile('kev.json', JSON.stringify(kevCatalog(cves(9), '2026-11-21T15:00:00.000Z')));
    expect(newer).toMatchObject({ documents: ['kev'], keptOut: [] });
    expect(await records('kev')).toBe(9);
  });

  it('keeps out EPSS scores of an earlier day, or other scores of the same day', async () => {
    await importFile('epss.csv', epss('2026-11-20', ['CVE-2026-1000,0.5,0.9', 'CVE-2026-1001,0.1,0.2']));
    const older = await importFile('epss-old.csv', epss('2026-11-19', ['CVE-2026-1000,0.4,0.8', 'CVE-2026-1001,0.1,0.2', 'CVE-2026-1002,0.1,0.2']));
    expect(older.keptOut).toMatchObject([{ kind: 'epss', reason: 'older', incoming: { version: '2026-11-19', entries: 3 }, held: { version: '2026-11-20', entries: 2 } }]);
    expect(older.keptOut[0]?.message).toMatch(/^epss-old\.csv: kept out: EPSS scores of 2026-11-19 \(3 entries.* is older than the held EPSS scores of 2026-11-20 \(2 entries.*; the held one stays$/);
    const cut = await importFile('epss-cut.csv', epss('2026-11-20', ['CVE-2026-1000,0.5,0.9']));
    expect(cut.keptOut).toMatchObject([{ reason: 'same-edition' }]);
    expect(await records('epss')).toBe(2);
    expect(await importFile('epss.csv', epss('2026-11-21', ['CVE-2026-1000,0.6,0.9']))).toMatchObject({ documents: ['epss'], keptOut: [] });
    expect(await records('epss')).toBe(1);
  });
});
