import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sharedData } from '../../test/support/shared-data.js';
import { Enrichment, changedCves, parseEpss, parseKev, parseNvd } from './index.js';
import type { KevCatalog, NvdRecord } from './index.js';

const read = (path: string): string => readFileSync(sharedData(path), 'utf8');

const kev = parseKev(read('kev/known_exploited_vulnerabilities.json'), 'kev/known_exploited_vulnerabilities.json');
const olderKev = parseKev(read('kev/vunnel-valid-catalog-1.json'), 'kev/vunnel-valid-catalog-1.json');
const epss = parseEpss(read('epss/vunnel-example-1.csv'), 'epss/vunnel-example-1.csv');
const nvdPage = parseNvd(read('nvd/vunnel-nvd-api2-full-page.json'), 'nvd/vunnel-nvd-api2-full-page.json');
const nvdSingle = parseNvd(read('nvd/vunnel-nvd-api2-single-entry.json'), 'nvd/vunnel-nvd-api2-single-entry.json');

const epssCsv = (date: string, rows: string): string =>
  `#model_version:v2023.03.01,score_date:${date}T00:00:00+0000\ncve,epss,percentile\n${rows}`;

describe('Enrichment over the real feeds', () => {
  const enrichment = new Enrichment().addKev(kev).addEpss(epss).addNvd(nvdPage).addNvd(nvdSingle);

  it('counts what each feed covers', () => {
    expect(enrichment.counts()).toEqual({ kev: 1404, epss: 5, nvd: 39 });
  });

  it('finds a KEV entry, with normalised ids', () => {
    for (const id of ['CVE-2025-48384', 'cve-2025-48384', '  CVE-2025-48384\n']) {
      expect(enrichment.lookup(id).kev?.dueDate).toBe('2025-09-15');
    }
  });

  it('finds EPSS values with their date and model', () => {
    expect(enrichment.lookup('cve-1999-0002')).toEqual({
      epss: { score: 0.01328, percentile: 0.85996, date: '2025-02-20', modelVersion: 'v2023.03.01' },
    });
  });

  it('finds NVD metrics and CWEs', () => {
    const { nvd } = enrichment.lookup('CVE-2022-1576');
    expect(nvd?.cvss.map((m) => m.baseScore)).toEqual([4.3, 6.5]);
    expect(nvd?.cwes).toEqual(['CWE-352']);
  });

  it('returns {} for an unknown CVE and for what is not a CVE id', () => {
    expect(enrichment.lookup('CVE-2000-99999')).toEqual({});
    expect(enrichment.lookup('GHSA-jfh8-c2jp-5v3q')).toEqual({});
    expect(enrichment.lookup('')).toEqual({});
  });
});

describe('Enrichment keeps the freshest data per CVE, in any order of adding', () => {
  it('KEV: the catalog released last wins', () => {
    // The sample catalog (2025.02.19) and the full one (2025.08.25) share CVE-2025-0108.
    const shared = 'CVE-2025-0108';
    const newer = kev.entries.get(shared);
    const older = olderKev.entries.get(shared);
    if (!newer || !older) throw new Error('fixtures changed');
    const olderChanged: KevCatalog = { ...olderKev, entries: new Map([[shared, { ...older, dueDate: '1999-01-01' }]]) };
    for (const order of [[kev, olderChanged], [olderChanged, kev]]) {
      const enrichment = new Enrichment();
      for (const catalog of order) enrichment.addKev(catalog);
      expect(enrichment.lookup(shared).kev).toBe(newer);
    }
  });

  it('EPSS: the latest score date wins; a CVE only in an older file keeps its older score', () => {
    const monday = parseEpss(epssCsv('2024-01-01', 'CVE-2024-0001,0.1,0.5\nCVE-2024-0002,0.2,0.6'), 'mon.csv');
    const tuesday = parseEpss(epssCsv('2024-01-02', 'CVE-2024-0001,0.3,0.7'), 'tue.csv');
    for (const order of [[monday, tuesday], [tuesday, monday]]) {
      const enrichment = new Enrichment();
      for (const file of order) enrichment.addEpss(file);
      expect(enrichment.lookup('CVE-2024-0001').epss).toMatchObject({ score: 0.3, date: '2024-01-02' });
      expect(enrichment.lookup('CVE-2024-0002').epss).toMatchObject({ score: 0.2, date: '2024-01-01' });
      expect(enrichment.counts().epss).toBe(2);
    }
  });

  it('NVD: the record modified last wins', () => {
    const current = nvdSingle.get('CVE-2022-1576');
    if (!current) throw new Error('fixture changed');
    const stale: NvdRecord = { ...current, lastModified: '2023-01-03T21:56:15.797', cwes: ['CWE-1'] };
    for (const order of [[nvdSingle, new Map([[stale.id, stale]])], [new Map([[stale.id, stale]]), nvdSingle]]) {
      const enrichment = new Enrichment();
      for (const records of order) enrichment.addNvd(records);
      expect(enrichment.lookup('CVE-2022-1576').nvd).toBe(current);
    }
  });
});

describe('Enrichment at scale', () => {
  it('looks up 100,000 CVEs among 300,000 EPSS scores in constant time each', () => {
    const rows: string[] = [];
    for (let i = 0; i < 300_000; i++) rows.push(`CVE-2020-${String(i).padStart(6, '0')},0.5,0.5`);
    const enrichment = new Enrichment().addEpss(parseEpss(epssCsv('2024-01-01', rows.join('\n')), 'big.csv')).addKev(kev);
    const start = performance.now();
    let found = 0;
    for (let i = 0; i < 100_000; i++) {
      if (enrichment.lookup(`cve-2020-${String(i * 3).padStart(6, '0')}`).epss) found++;
    }
    expect(found).toBe(100_000);
    // A hash lookup each: far below a millisecond per call even on a loaded machine.
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('changedCves', () => {
  it('names CVEs whose KEV entry, EPSS score or NVD record changed, not a new EPSS date alone', () => {
    const day1 = parseEpss(epssCsv('2026-12-01', 'CVE-2026-0001,0.10000,0.50000\nCVE-2026-0002,0.20000,0.60000\n'), 'day1.csv');
    const day2 = parseEpss(epssCsv('2026-12-02', 'CVE-2026-0001,0.10000,0.50000\nCVE-2026-0002,0.90000,0.99000\n'), 'day2.csv');
    const before = new Enrichment().addEpss(day1);
    expect(changedCves(before, new Enrichment().addEpss(day2))).toEqual(['CVE-2026-0002']);
    expect(changedCves(before, new Enrichment().addEpss(day1))).toEqual([]);
    const withKev = new Enrichment().addEpss(day1).addKev(olderKev);
    expect(new Set(changedCves(before, withKev))).toEqual(new Set(olderKev.entries.keys()));
    expect(changedCves(withKev, before).length).toBe(olderKev.entries.size); // leaving KEV is a change too
  });
});

describe('Enrichment.replaceNvd', () => {
  // The held NVD records before and after one delta, as the server's feed store decides them.
  const ids = [...nvdPage.keys()];
  const [revised, older, same, removed, removedAndBack, untouched] = ids;
  if (!revised || !older || !same || !removed || !removedAndBack || !untouched) throw new Error('fixture changed');
  const record = (id: string): NvdRecord => {
    const r = nvdPage.get(id);
    if (!r) throw new Error(`fixture lost ${id}`);
    return r;
  };
  const added: NvdRecord = { ...record(revised), id: 'CVE-2026-9999', description: 'new to NVD' };
  const delta: NvdRecord[] = [
    { ...record(revised), lastModified: '2030-01-01T00:00:00.000', cwes: ['CWE-787'] },
    // Modified earlier than the copy held: addNvd would keep the held one, but the store chose
    // this copy (the held one was forgotten), so it must be held.
    { ...record(older), lastModified: '2000-01-01T00:00:00.000', description: 'an older copy' },
    { ...record(same) },
    { ...record(removedAndBack), cwes: ['CWE-79'] },
    added,
  ];
  const gone = [removed, removedAndBack];
  // A touched CVE that KEV lists too, so the other feeds' fields are seen to survive.
  const kevEntry = kev.entries.values().next().value;
  if (!kevEntry) throw new Error('fixture changed');
  const kevWithTouched: KevCatalog = { ...kev, entries: new Map([...kev.entries, [revised, { ...kevEntry, cveId: revised }]]) };

  const heldBefore = new Map(nvdPage);
  const heldAfter = new Map(nvdPage);
  for (const id of gone) heldAfter.delete(id);
  for (const r of delta) heldAfter.set(r.id, r);
  const rebuild = (held: ReadonlyMap<string, NvdRecord>) => new Enrichment().addKev(kevWithTouched).addEpss(epss).addNvd(held);

  it('gives what a rebuild from the held records gives, for the touched CVEs and all others', () => {
    const inPlace = rebuild(heldBefore);
    inPlace.replaceNvd(delta, gone);
    const rebuilt = rebuild(heldAfter);
    expect(inPlace.counts()).toEqual(rebuilt.counts());
    const every = new Set([...inPlace.cveIds(), ...rebuilt.cveIds(), ...gone]);
    expect(every.size).toBeGreaterThan(1400);
    for (const id of every) expect(inPlace.lookup(id), id).toEqual(rebuilt.lookup(id));
    expect(inPlace.lookup(revised).kev?.cveId).toBe(revised);
    expect(inPlace.lookup(removed)).toEqual({});
    expect(inPlace.lookup(untouched).nvd).toBe(record(untouched));
  });

  it('returns the CVEs whose enrichment changed: those changedCves finds against the rebuild', () => {
    const inPlace = rebuild(heldBefore);
    const changed = inPlace.replaceNvd(delta, gone);
    expect(new Set(changed)).toEqual(new Set([revised, older, removed, removedAndBack, added.id]));
    expect(changed.length).toBe(5);
    expect(new Set(changed)).toEqual(new Set(changedCves(rebuild(heldBefore), rebuild(heldAfter))));
    // The same delta again changes nothing.
    expect(inPlace.replaceNvd(delta, [])).toEqual([]);
  });
});
