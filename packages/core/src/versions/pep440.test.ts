import { describe, expect, it } from 'vitest';
import { expectRejections } from '../../test/support/version-rejections.js';
import { pep440Scheme } from './pep440.js';

const cmp = (a: string, b: string): number => Math.sign(pep440Scheme.compare(pep440Scheme.parse(a), pep440Scheme.parse(b)));

describe('pep440Scheme', () => {
  it('normalises as packaging does', () => {
    const cases: Array<[string, string]> = [
      ['V1.0-1', '1.0.post1'],
      ['1.0ALPHA', '1.0a0'],
      ['1.0-preview_2', '1.0rc2'],
      ['1.0c1', '1.0rc1'],
      ['1.0.rev', '1.0.post0'],
      ['1.0-dev', '1.0.dev0'],
      ['0!01.002', '1.2'],
      ['1!1.0', '1!1.0'],
      ['1.0+Ubuntu-1_02', '1.0+ubuntu.1.2'],
      [' 1.0\n', '1.0'],
      ['1.0.99999999999999999999', '1.0.99999999999999999999'],
    ];
    for (const [text, normalized] of cases) expect(pep440Scheme.parse(text).normalized, text).toBe(normalized);
  });

  it("orders dev < pre < release < post, and local versions after their public version", () => {
    const ascending = ['1.0.dev0', '1.0a0', '1.0a1.post1', '1.0b1', '1.0rc1', '1.0', '1.0+abc', '1.0+1', '1.0.post1.dev1', '1.0.post1', '1.1'];
    for (let i = 1; i < ascending.length; i++) expect(cmp(ascending[i - 1]!, ascending[i]!), `${ascending[i - 1]} < ${ascending[i]}`).toBe(-1);
    expect(cmp('1.0', '1.0.0')).toBe(0);
    expect(cmp('1!0.1', '2.0')).toBe(1);
    expect(cmp('1.0.99999999999999999999', '1.0.100000000000000000000')).toBe(-1);
  });

  it('rejects what packaging rejects, and non-ASCII letters, naming the string', () => {
    const cases: Array<[string, string]> = [
      ['', 'version string is empty'],
      [' ', 'version string is empty'],
      ['1.0+', 'does not match the PEP 440 grammar'],
      ['1.0gamma', 'does not match'],
      ['a1', 'does not start with a release number'],
      ['1.0+a+b', "more than one '+'"],
      ['1.0 1', 'whitespace or a non-ASCII character'],
      ['1.0+\u017f', 'non-ASCII'],
    ];
    expectRejections(pep440Scheme, cases);
  });
});
