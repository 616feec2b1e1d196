import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readFeedBatch } from './index.js';

// The CISA KEV catalog as CISA publishes it in CSV (cisagov/kev-data, CC0-1.0; see ../shared/data/README.md).
const KEV_CSV = fileURLToPath(new URL('../../../../../shared/data/kev/known_exploited_vulnerabilities.csv', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'pw-feed-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function problemsOf(name: string, text: string): Promise<{ code: string; message: string }[]> {
  const path = join(dir, name);
  writeFileSync(path, text);
  const batch = await readFeedBatch([path]);
  expect(batch.records).toEqual([]);
  return batch.problems.map((p) => ({ code: p.code, message: p.message }));
}

describe('readFeedBatch names what it cannot read', () => {
  it.skipIf(!existsSync(KEV_CSV))('says the KEV catalog is read as JSON, not that its CSV is bad YAML', async () => {
    const head = readFileSync(KEV_CSV, 'utf8').split('\n').slice(0, 5).join('\n');
    expect(await problemsOf('kev.csv', head)).toEqual([
      {
        code: 'PW_INPUT_FORMAT_UNKNOWN',
        message: `${join(dir, 'kev.csv')}: not a supported feed file: the CISA KEV catalog as CSV: import its JSON (known_exploited_vulnerabilities.json)`,
      },
    ]);
  });

  it('says other JSON is not an OSV record rather than a record missing its id', async () => {
    const other = 'not an OSV record, nor the CISA KEV catalog (JSON), FIRST EPSS scores (CSV) or an NVD CVE API 2.0 page';
    expect(await problemsOf('x.json', '{"hello": "world"}')).toEqual([{ code: 'PW_INPUT_FORMAT_UNKNOWN', message: `${join(dir, 'x.json')}: ${other}` }]);
    expect(await problemsOf('notes', 'just some words')).toEqual([{ code: 'PW_INPUT_FORMAT_UNKNOWN', message: `${join(dir, 'notes')}: ${other}` }]);
    // Something meant as an OSV record still gets the field that is wrong.
    expect((await problemsOf('r.json', '{"modified": "2026-01-01T00:00:00Z"}'))[0]?.message).toMatch(/field "id": missing or not a string$/);
  });

  it('keeps the YAML error for a file named .yaml, and names other text as unsupported', async () => {
    expect((await problemsOf('r.yaml', 'id: [unclosed'))[0]).toMatchObject({ code: 'PW_INPUT_MALFORMED' });
    expect((await problemsOf('r.txt', 'a: b: c'))[0]).toMatchObject({ code: 'PW_INPUT_FORMAT_UNKNOWN', message: expect.stringContaining('not a supported feed file') });
  });
});

// The PyPA advisory database (CC-BY-4.0; see ../shared/data/README.md) as a real, large .tar.gz.
const PYPA = fileURLToPath(new URL('../../../../../shared/data/osv/pypa-advisory-database.tar.gz', import.meta.url));

describe.skipIf(!existsSync(PYPA))('readFeedBatch takes an archive whole or not at all', () => {
  it('adds nothing from a truncated archive but the error that cut it short', async () => {
    const path = join(dir, 'pypa-truncated.tar.gz');
    writeFileSync(path, readFileSync(PYPA).subarray(0, 300_000));
    const batch = await readFeedBatch([path]);
    expect(batch.records).toEqual([]);
    expect(batch.documents).toEqual([]);
    expect(batch.problems.map((p) => ({ code: p.code, message: p.message }))).toEqual([
      { code: 'PW_INPUT_MALFORMED', message: `${path}: unreadable archive (unexpected end of file); nothing in it was imported` },
    ]);
  });

  it('still reads the other files given with a truncated archive', async () => {
    const path = join(dir, 'cut.tar.gz');
    writeFileSync(path, readFileSync(PYPA).subarray(0, 300_000));
    const record = join(dir, 'one.json');
    writeFileSync(record, JSON.stringify({ id: 'PYSEC-TEST-1', modified: '2026-01-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name: 'x' }, versions: ['1.0'] }] }));
    const batch = await readFeedBatch([path, record]);
    expect(batch.records.map((r) => r.id)).toEqual(['PYSEC-TEST-1']);
    expect(batch.problems).toHaveLength(1);
  });
});
