import { describe, expect, it } from 'vitest';
import { parsePythonMetadata } from './parse-python-metadata.js';

describe('parsePythonMetadata', () => {
  it('reads Name and Version from the header block, case-insensitively, first occurrence winning', () => {
    const text = [
      'Metadata-Version: 2.1',
      'name:  Jinja2 ',
      'VERSION: 3.1.2',
      'Summary: A very fast and expressive template engine.',
      'Classifier: Name: not this',
      'Version: 9.9.9',
      '',
      'Name: body-is-not-headers',
    ].join('\n');
    expect(parsePythonMetadata(text)).toEqual({ name: 'Jinja2', version: '3.1.2' });
  });

  it('stops at the blank line, so a Version in the description is not taken', () => {
    expect(parsePythonMetadata('Metadata-Version: 2.1\nName: foo\n\nVersion: 1.0\n')).toEqual({ name: 'foo', version: undefined });
  });

  it('unfolds continuation lines and accepts CRLF and a byte-order mark', () => {
    expect(parsePythonMetadata('\uFEFFName: zope.interface\r\nLicense: ZPL\r\n  continued\r\nVersion:\r\n 5.5.2\r\n')).toEqual({
      name: 'zope.interface',
      version: '5.5.2',
    });
  });

  it('treats empty values as absent', () => {
    expect(parsePythonMetadata('Name: x\nVersion:   \n')).toEqual({ name: 'x', version: undefined });
    expect(parsePythonMetadata('')).toEqual({ name: undefined, version: undefined });
  });
});
