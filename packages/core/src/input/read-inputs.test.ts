import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { makeArchive } from '../../test/support/make-archive.js';
import { DEFAULT_LIMITS, readInputs, type InputItem, type InputLimits } from './index.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pw-input-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(paths: string[], limits: InputLimits = DEFAULT_LIMITS): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for await (const item of readInputs(paths, limits)) items.push(item);
  return items;
}

function summary(items: InputItem[]): string[] {
  return items.map((i) => (i.kind === 'document' ? `doc ${i.name} ${i.text}` : `problem ${i.error.code} ${i.error.message}`));
}

describe('readInputs', () => {
  it('reads files and directories recursively in name order, skipping hidden entries', async () => {
    const root = join(dir, 'tree');
    mkdirSync(join(root, 'b'), { recursive: true });
    mkdirSync(join(root, '.git'));
    writeFileSync(join(root, 'a.json'), '{"a":1}');
    writeFileSync(join(root, 'b', 'c.json'), '\ufeff{"c":1}');
    writeFileSync(join(root, '.git', 'x'), 'hidden');
    const items = await collect([root]);
    expect(summary(items)).toEqual([`doc ${join(root, 'a.json')} {"a":1}`, `doc ${join(root, 'b', 'c.json')} {"c":1}`]);
    expect(items.every((i) => i.kind === 'document' && i.root === root)).toBe(true);
  });

  it('names a missing path and goes on with the next', async () => {
    writeFileSync(join(dir, 'ok.txt'), 'ok');
    const items = await collect([join(dir, 'missing.json'), join(dir, 'ok.txt')]);
    expect(summary(items)).toEqual([
      `problem PW_INPUT_UNREADABLE ${join(dir, 'missing.json')}: no such file or directory`,
      `doc ${join(dir, 'ok.txt')} ok`,
    ]);
  });

  it('does not follow directory symlinks (no loops)', async () => {
    const root = join(dir, 'loop');
    mkdirSync(root);
    writeFileSync(join(root, 'f.json'), '1');
    symlinkSync(root, join(root, 'self'));
    expect(summary(await collect([root]))).toEqual([`doc ${join(root, 'f.json')} 1`]);
  });

  it('reads zip, tar and tar.gz archives by content, whatever their names', async () => {
    const members = [{ name: 'x/one.json', data: '1' }, { name: 'x/', data: '' }, { name: 'two.yaml', data: 'b: 2' }];
    for (const kind of ['zip', 'tar', 'tar.gz'] as const) {
      const path = join(dir, `archive-${kind.replace('.', '-')}.bin`);
      makeArchive(kind, path, kind === 'zip' ? members.filter((m) => m.name !== 'x/') : members.filter((m) => m.name !== 'x/'));
      expect(summary(await collect([path]))).toEqual([`doc ${path}!x/one.json 1`, `doc ${path}!two.yaml b: 2`]);
    }
  });

  it('reads a single gzip-compressed document', async () => {
    const path = join(dir, 'doc.json.gz');
    writeFileSync(path, gzipSync('{"z":1}'));
    expect(summary(await collect([path]))).toEqual([`doc ${path} {"z":1}`]);
  });

  it('refuses archive entries that climb, are absolute or are links, and keeps the rest', async () => {
    for (const kind of ['zip', 'tar.gz'] as const) {
      const path = join(dir, `hostile.${kind}`);
      makeArchive(kind, path, [
        { name: '../evil.json', data: 'x' },
        { name: '/etc/passwd', data: 'x' },
        { name: 'a/../../b.json', data: 'x' },
        { name: 'link.json', link: '/etc/shadow' },
        { name: 'good.json', data: 'ok' },
      ]);
      expect(summary(await collect([path]))).toEqual([
        `problem PW_ARCHIVE_UNSAFE ${path}!../evil.json: entry path contains '..'`,
        `problem PW_ARCHIVE_UNSAFE ${path}!/etc/passwd: absolute entry path`,
        `problem PW_ARCHIVE_UNSAFE ${path}!a/../../b.json: entry path contains '..'`,
        kind === 'zip'
          ? `problem PW_ARCHIVE_UNSAFE ${path}!link.json: entry is a symbolic link or special file`
          : `problem PW_ARCHIVE_UNSAFE ${path}!link.json: entry is a symlink, not a regular file`,
        `doc ${path}!good.json ok`,
      ]);
    }
  });

  it('stops a compression bomb at the expansion limit', async () => {
    const big = '0'.repeat(4 * 1024 * 1024);
    const limits = { ...DEFAULT_LIMITS, maxDocumentBytes: 1024 * 1024, maxArchiveExpandedBytes: 3 * 1024 * 1024 };
    const tgz = join(dir, 'bomb.tar.gz');
    makeArchive('tar.gz', tgz, [{ name: 'big.json', data: big }]);
    const items = await collect([tgz], limits);
    expect(items).toHaveLength(1);
    expect(items[0]?.kind === 'problem' && items[0].error.code).toBe('PW_INPUT_TOO_LARGE');

    const gz = join(dir, 'bomb.json.gz');
    writeFileSync(gz, gzipSync(big));
    const gzItems = await collect([gz], limits);
    expect(summary(gzItems)).toEqual([`problem PW_ARCHIVE_UNSAFE ${gz}: gzip expands past 1.0 MiB (compression bomb?)`]);

    // Many entries each under the document limit, together past the archive limit.
    const many = join(dir, 'many.tar.gz');
    makeArchive('tar.gz', many, [0, 1, 2, 3].map((i) => ({ name: `p${i}.json`, data: '0'.repeat(1000 * 1024) })));
    const manyItems = await collect([many], limits);
    expect(manyItems.filter((i) => i.kind === 'document')).toHaveLength(3);
    const last = manyItems.at(-1);
    expect(last?.kind === 'problem' && last.error.code).toBe('PW_ARCHIVE_UNSAFE');
  });

  it('reports a truncated archive as malformed', async () => {
    const path = join(dir, 'trunc.tar.gz');
    makeArchive('tar.gz', path, [{ name: 'a.json', data: 'x'.repeat(100000) }]);
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const items = await collect([path]);
    const last = items.at(-1);
    expect(last?.kind).toBe('problem');
    expect(last?.kind === 'problem' && last.error.code).toBe('PW_INPUT_MALFORMED');
  });

  it('refuses a plain file over the document limit without reading it', async () => {
    const path = join(dir, 'large.json');
    writeFileSync(path, 'x'.repeat(2048));
    const items = await collect([path], { ...DEFAULT_LIMITS, maxDocumentBytes: 1024 });
    expect(summary(items)).toEqual([`problem PW_INPUT_TOO_LARGE ${path}: file is larger than 1.0 KiB`]);
  });
});
