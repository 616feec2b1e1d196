/**
 * The Assessor's enrichment under NVD deltas: applyNvd and forgetNvd update it in place (only the
 * CVEs of the delta), and must leave exactly what a rebuild from the held documents and records
 * gives, name exactly the CVEs whose enrichment changed, and make findings read the new values.
 * No database: the Assessor is the in-memory half of continuous assessment.
 */
import { describe, expect, it } from 'vitest';
import { EMPTY_ATTRIBUTES, parseInventory, parseNvd, type NvdRecord } from '@patchwise/core';
import { Assessor } from '../src/assessor.js';
import { almaAdvisory, almaInventory, kevCatalog, nvdPage } from './support/fixtures.js';

const HIGH = 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H';
const LOW = 'CVSS:3.1/AV:N/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N';
const nvd = (id: string, modified: string, vector: string, score: number): NvdRecord => {
  const record = parseNvd(nvdPage([{ id, modified, vector, score }]), 'test page').get(id);
  if (!record) throw new Error(`no record for ${id}`);
  return record;
};

const OPENSSL_CVE = 'CVE-2026-4001';
const CURL_CVE = 'CVE-2026-4002';
const OTHER_CVE = 'CVE-2026-4003';
const NEW_CVE = 'CVE-2026-4004';
const NEVER_HELD = 'CVE-2026-4005';
const documents = [{ kind: 'kev', content: JSON.stringify(kevCatalog([OPENSSL_CVE])) }];
const host = parseInventory(
  JSON.stringify(
    almaInventory([
      { name: 'openssl', version: '1:3.0.7-16.el9_2' },
      { name: 'curl', version: '7.76.1-29.el9' },
    ]),
  ),
  'web-01',
).inventories[0];
if (!host) throw new Error('inventory fixture changed');

/** An Assessor holding the KEV catalog, these NVD records and two advisories without their own CVSS. */
function assessorWith(records: readonly NvdRecord[]): Assessor {
  const assessor = new Assessor();
  assessor.loadEnrichment(documents, records);
  assessor.loadRecords([
    { id: 'ALSA-2026:0401', record: almaAdvisory('ALSA-2026:0401', 'openssl', '1:3.0.7-18.el9_2', { cve: OPENSSL_CVE }) },
    { id: 'ALSA-2026:0402', record: almaAdvisory('ALSA-2026:0402', 'curl', '7.76.1-30.el9', { cve: CURL_CVE }) },
  ]);
  return assessor;
}
const cvssOf = (assessor: Assessor) =>
  Object.fromEntries(assessor.assess(host, EMPTY_ATTRIBUTES).map((f) => [f.package, { cvss: f.cvss, kev: f.kev }]));
/** Every CVE the test touches reads as it would after a rebuild from what is now held. */
function expectAsRebuilt(assessor: Assessor, held: readonly NvdRecord[]): void {
  const rebuilt = new Assessor();
  rebuilt.loadEnrichment(documents, held);
  for (const id of [OPENSSL_CVE, CURL_CVE, OTHER_CVE, NEW_CVE, NEVER_HELD]) expect(assessor.lookup(id), id).toEqual(rebuilt.lookup(id));
}

describe('Assessor NVD deltas, updated in place', () => {
  const opensslLow = nvd(OPENSSL_CVE, '2026-11-01T08:00:00.000', LOW, 2.6);
  const curlHigh = nvd(CURL_CVE, '2026-11-01T08:00:00.000', HIGH, 9.8);
  const other = nvd(OTHER_CVE, '2026-11-01T08:00:00.000', LOW, 2.6);

  it('applyNvd: the changed CVEs, a rebuild\'s enrichment, and findings that read it', () => {
    const assessor = assessorWith([opensslLow, curlHigh, other]);
    expect(cvssOf(assessor)).toEqual({ openssl: { cvss: 2.6, kev: true }, curl: { cvss: 9.8, kev: false } });

    const opensslHigh = nvd(OPENSSL_CVE, '2026-11-02T08:00:00.000', HIGH, 9.8);
    const added = nvd(NEW_CVE, '2026-11-02T08:00:00.000', LOW, 2.6);
    // curl's copy again, with the same content: not a change.
    const changed = assessor.applyNvd([opensslHigh, { ...curlHigh }, added]);
    expect(new Set(changed)).toEqual(new Set([OPENSSL_CVE, NEW_CVE]));
    expect(changed).toHaveLength(2);
    expectAsRebuilt(assessor, [opensslHigh, curlHigh, other, added]);
    // The KEV entry stays; the reporter reads the new score, not its cached risk.
    expect(cvssOf(assessor)).toEqual({ openssl: { cvss: 9.8, kev: true }, curl: { cvss: 9.8, kev: false } });

    // The store may hold a copy modified earlier than the one in memory (the later one was
    // forgotten): it is held as given, as a rebuild would hold it.
    const earlier = nvd(OPENSSL_CVE, '2026-10-15T08:00:00.000', LOW, 3.1);
    expect(assessor.applyNvd([earlier])).toEqual([OPENSSL_CVE]);
    expectAsRebuilt(assessor, [earlier, curlHigh, other, added]);
    expect(cvssOf(assessor).openssl).toEqual({ cvss: 3.1, kev: true });
    expect(assessor.applyNvd([])).toEqual([]);
  });

  it('forgetNvd: the CVEs that lost their record, a rebuild\'s enrichment, and findings without the score', () => {
    const assessor = assessorWith([opensslLow, curlHigh, other]);
    expect(cvssOf(assessor).curl).toEqual({ cvss: 9.8, kev: false });
    // A CVE never held changes nothing.
    expect(assessor.forgetNvd([CURL_CVE, NEVER_HELD])).toEqual([CURL_CVE]);
    expectAsRebuilt(assessor, [opensslLow, other]);
    expect(cvssOf(assessor)).toEqual({ openssl: { cvss: 2.6, kev: true }, curl: { cvss: null, kev: false } });
    // Held again later (imported after its removal): back as before.
    expect(assessor.applyNvd([curlHigh])).toEqual([CURL_CVE]);
    expectAsRebuilt(assessor, [opensslLow, curlHigh, other]);
    expect(cvssOf(assessor).curl).toEqual({ cvss: 9.8, kev: false });
  });

  it('loadDocuments after in-place deltas still rebuilds from every record held', () => {
    const assessor = assessorWith([opensslLow]);
    assessor.applyNvd([curlHigh]);
    assessor.forgetNvd([OPENSSL_CVE]);
    // A new KEV catalog listing curl: only the CVEs whose KEV entry moved change.
    expect(new Set(assessor.loadDocuments([{ kind: 'kev', content: JSON.stringify(kevCatalog([CURL_CVE], '2026-11-21T15:00:00.000Z')) }]))).toEqual(new Set([OPENSSL_CVE, CURL_CVE]));
    expect(assessor.lookup(CURL_CVE).nvd).toBe(curlHigh);
    expect(assessor.lookup(OPENSSL_CVE)).toEqual({});
    expect(cvssOf(assessor)).toEqual({ openssl: { cvss: null, kev: false }, curl: { cvss: 9.8, kev: true } });
  });
});

describe('Assessor advisory revisions', () => {
  it('reads a stored record an earlier release kept without `modified`', () => {
    const assessor = new Assessor();
    const { modified: _, ...unmodified } = almaAdvisory('ALSA-2026:0402', 'curl', '7.76.1-30.el9', { cve: CURL_CVE });
    expect(assessor.loadRecords([{ id: 'ALSA-2026:0402', record: unmodified }])).toEqual([]);
    expect(assessor.assess(host, EMPTY_ATTRIBUTES).map((f) => f.advisory)).toEqual(['ALSA-2026:0402']);
  });

  it('reads a revised advisory afresh: a CVE it now names brings KEV and the alias, though its id is the same', () => {
    const assessor = assessorWith([]);
    const before = assessor.assess(host, EMPTY_ATTRIBUTES).find((f) => f.package === 'curl');
    expect(before).toMatchObject({ advisory: 'ALSA-2026:0402', kev: false, aliases: [CURL_CVE] });
    // The same id, revised to name the CVE KEV lists (the openssl one).
    assessor.applyRecords([{ id: 'ALSA-2026:0402', record: { ...almaAdvisory('ALSA-2026:0402', 'curl', '7.76.1-30.el9', { cve: OPENSSL_CVE }), modified: '2026-11-02T00:00:00Z' } }]);
    const after = assessor.assess(host, EMPTY_ATTRIBUTES).find((f) => f.package === 'curl');
    expect(after).toMatchObject({ advisory: 'ALSA-2026:0402', kev: true, aliases: [OPENSSL_CVE] });
  });
});
