import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeArchive } from '../../test/support/make-archive.js';
import { fromWireError } from '../errors/index.js';
import { InventoryDecoder, InventoryFileReader, PackageCache, readInventoryFile, type HostInventory } from './index.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/inventory');
const dir = mkdtempSync(join(tmpdir(), 'pw-file-reader-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What reading a file in this thread gives: hosts, or the skipped input's code and message. */
async function inThread(path: string, ecosystem?: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const e of readInventoryFile(path, dir, { inventory: { packageCache: new PackageCache(), ecosystem } })) {
    out.push(e.kind === 'skipped' ? [e.error.code, e.error.message] : [e.result.format, e.result.inventories, e.result.skipped]);
  }
  return out;
}

describe('InventoryFileReader', () => {
  const files = readdirSync(FIXTURES).filter((f) => f !== 'README.md');

  it.each(files)('reads %s as a scan in one thread does (hosts, left-out counts, errors)', async (name) => {
    const reader = new InventoryFileReader({ ecosystem: 'AlmaLinux:9' });
    const decoder = new InventoryDecoder(new PackageCache());
    const r = structuredClone(reader.read(join(FIXTURES, name), FIXTURES));
    const got =
      r.kind === 'skipped'
        ? [[r.error.code, fromWireError(r.error).message]]
        : r.kind === 'parsed'
          ? [[r.format, r.hosts.map((h): HostInventory => decoder.decode(h)), r.skipped]]
          : ['archive'];
    const want: unknown[] = [];
    for await (const e of readInventoryFile(join(FIXTURES, name), FIXTURES, { inventory: { packageCache: new PackageCache(), ecosystem: 'AlmaLinux:9' } })) {
      want.push(e.kind === 'skipped' ? [e.error.code, e.error.message] : [e.result.format, e.result.inventories, e.result.skipped]);
    }
    expect(got).toEqual(want);
  });

  it('names a file it cannot read, a malformed one, and one of no known format', async () => {
    const reader = new InventoryFileReader();
    writeFileSync(join(dir, 'bad.json'), '{"bomFormat": "CycloneDX", "specVersion": "1.5",\n "components": [}');
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    for (const name of ['missing.json', 'bad.json', 'notes.txt']) {
      const r = reader.read(join(dir, name), dir);
      expect(r.kind).toBe('skipped');
      if (r.kind !== 'skipped') continue;
      const [code, message] = (await inThread(join(dir, name)))[0] as [string, string];
      expect([r.error.code, fromWireError(r.error).message]).toEqual([code, message]);
      expect(r.error.input).toBe(join(dir, name));
    }
  });

  it('leaves archives to the reading side', () => {
    const path = join(dir, 'hosts.tar.gz');
    makeArchive('tar.gz', path, [{ name: 'a.json', data: '{}' }]);
    expect(new InventoryFileReader().read(path, dir)).toEqual({ kind: 'archive' });
  });
});
