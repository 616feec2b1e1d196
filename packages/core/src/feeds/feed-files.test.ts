import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { isFeedDocumentName, listFeedFiles, readFeedBatch } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-feed-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tree(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(dir, 't-'));
  for (const [rel, body] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), body);
  }
  return root;
}

const record = (id: string) => JSON.stringify({ id, modified: '2026-01-01T00:00:00Z', affected: [] });

describe('listFeedFiles', () => {
  it('walks subfolders and keeps what readFeedBatch reads, leaving README and LICENSE out', async () => {
    const root = tree({
      'README.md': '# feed\n',
      LICENSE: 'MIT\n',
      '.git/config': '[core]\n',
      'a/DSA-1.json': record('DSA-1'),
      'a/b/PYSEC-1.yaml': `id: PYSEC-1\nmodified: '2026-01-01T00:00:00Z'\n`,
      'epss.csv.gz': gzipSync('#model_version:v2023.03.01,score_date:2026-01-01T00:00:00+0000\ncve,epss,percentile\nCVE-2026-0001,0.5,0.9\n'),
    });
    const listed = listFeedFiles([root, join(root, 'missing')]);
    expect(listed.files.map((f) => f.path.slice(root.length + 1))).toEqual(['a/DSA-1.json', 'a/b/PYSEC-1.yaml', 'epss.csv.gz']);
    expect(listed.skipped.map((p) => p.slice(root.length + 1))).toEqual(['LICENSE', 'README.md']);
    expect(listed.problems.map((p) => p.code)).toEqual(['PW_INPUT_UNREADABLE']);
    // The same rule as the server's reader: the directory read whole gives what the files give one by one.
    const whole = await readFeedBatch([root]);
    expect(whole.records.map((r) => r.id)).toEqual(['DSA-1', 'PYSEC-1']);
    expect(whole.documents.map((d) => d.kind)).toEqual(['epss']);
    expect(whole.problems).toEqual([]);
  });

  it('keeps a file named directly whatever its name', () => {
    const root = tree({ 'kev-catalog': '{}' });
    expect(listFeedFiles([join(root, 'kev-catalog')]).files).toEqual([{ path: join(root, 'kev-catalog'), root: join(root, 'kev-catalog') }]);
  });

  it('knows feed document names, gzipped or not', () => {
    expect(['a.json', 'a.YAML', 'a.yml', 'a.csv', 'a.json.gz'].every(isFeedDocumentName)).toBe(true);
    expect(['README.md', 'LICENSE', 'a.txt', 'a.gz'].some(isFeedDocumentName)).toBe(false);
  });
});
