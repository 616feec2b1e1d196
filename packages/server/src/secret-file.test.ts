import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSecretFile } from './secret-file.js';

describe('writeSecretFile', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'pw-secret-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('writes the whole content with mode 0600 and leaves no temporary file', () => {
    const d = dir();
    writeSecretFile(join(d, 'key'), 'secret\n');
    expect(readFileSync(join(d, 'key'), 'utf8')).toBe('secret\n');
    expect(statSync(join(d, 'key')).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(['key']);
  });

  it('never overwrites an existing file unless asked to replace it', () => {
    const d = dir();
    writeFileSync(join(d, 'key'), 'first');
    expect(() => writeSecretFile(join(d, 'key'), 'second')).toThrow(/EEXIST/);
    expect(readFileSync(join(d, 'key'), 'utf8')).toBe('first');
    writeSecretFile(join(d, 'key'), 'second', { replace: true });
    expect(readFileSync(join(d, 'key'), 'utf8')).toBe('second');
    expect(readdirSync(d)).toEqual(['key']);
  });
});
