import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { parseApkInstalled } from './apk-installed.js';

const fixture = readFileSync(new URL('../../test/fixtures/inventory/apk-installed-alpine318', import.meta.url), 'utf8');

function malformedMessage(text: string): string {
  const { code, message } = caught(() => parseApkInstalled(text, 'installed'));
  expect(code).toBe('PW_INPUT_MALFORMED');
  return message;
}

describe('parseApkInstalled', () => {
  it('reads an Alpine 3.18 installed database', () => {
    const { packages, skipped } = parseApkInstalled(fixture, 'installed');
    expect(packages).toHaveLength(15);
    expect(skipped).toEqual([]);
    const byName = new Map(packages.map((p) => [p.name, p]));
    expect(byName.get('libcrypto3')).toEqual({
      name: 'libcrypto3', version: '3.1.4-r1', sourceName: 'openssl', sourceVersion: '3.1.4-r1', arch: 'x86_64',
    });
    expect(byName.get('scanelf')?.sourceName).toBe('pax-utils');
    expect(byName.get('musl')?.sourceName).toBe('musl');
  });

  it('treats a package without o: as its own origin, and accepts CRLF and no trailing blank line', () => {
    const { packages } = parseApkInstalled('\ufeffP:foo\r\nV:1.0-r0\r\n\r\nP:bar\r\nV:2.0-r1\r\nA:aarch64\r\no:baz', 'x');
    expect(packages).toEqual([
      { name: 'foo', version: '1.0-r0', sourceName: 'foo', sourceVersion: '1.0-r0', arch: undefined },
      { name: 'bar', version: '2.0-r1', sourceName: 'baz', sourceVersion: '2.0-r1', arch: 'aarch64' },
    ]);
  });

  it('returns nothing for an empty database', () => {
    expect(parseApkInstalled('', 'x').packages).toEqual([]);
  });

  it('rejects malformed input naming the line', () => {
    expect(malformedMessage('P:foo\nV:1\nnot a field\n')).toBe('installed: line 3: expected a one-letter field such as "P:name"');
    expect(malformedMessage('P:foo\nV:1\n\nC:abc\nV:2\n')).toContain('line 4: package has no P: (name) line');
    expect(malformedMessage('P:foo\nA:x86_64\n')).toContain('line 1: package foo has no V: (version) line');
    expect(malformedMessage(' P:foo\n')).toContain('line 1');
  });
});
