import { describe, expect, it } from 'vitest';
import { expectRejections } from '../../test/support/version-rejections.js';
import { schemeFor } from './ecosystems.js';
import { hexScheme } from './hex.js';

const cmp = (a: string, b: string): number => Math.sign(hexScheme.compare(hexScheme.parse(a), hexScheme.parse(b)));

describe('hex scheme (Elixir Version)', () => {
  it('orders by SemVer 2 precedence, as Version.compare does', () => {
    const ascending = ['0.9.0', '1.0.0-0', '1.0.0-1', '1.0.0-10', '1.0.0-0a', '1.0.0-A', '1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.9.0', '1.10.0', '2.0.0'];
    for (let i = 1; i < ascending.length; i++) expect(cmp(ascending[i - 1]!, ascending[i]!), `${ascending[i - 1]} < ${ascending[i]}`).toBe(-1);
  });

  it('ignores build metadata, which may have leading zeros', () => {
    expect(cmp('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
    expect(cmp('1.0.0-rc.1+01', '1.0.0-rc.1')).toBe(0);
  });

  it("refuses what Version.parse refuses, including node-semver's extra leniencies, naming the string", () => {
    expectRejections(hexScheme, [
      ['', 'version string is empty'],
      ['v1.0.0', "starts with 'v', not a digit"],
      [' 1.0.0', 'starts with a space'],
      ['1.0.0\n', 'ends with U+000A'],
      ['\u00a01.0.0', 'starts with U+00A0'],
      ['1.0', 'not MAJOR.MINOR.PATCH'],
      ['01.0.0', 'not MAJOR.MINOR.PATCH'],
      ['1.0.0-01', 'not MAJOR.MINOR.PATCH'],
      ['1.0.0-a_b', 'not MAJOR.MINOR.PATCH'],
      ['1.0.0+', "ends with '+'"],
      ['1.0.0-a..b', 'not MAJOR.MINOR.PATCH'],
    ]);
  });

  it("refuses numbers past 2^53-1 and strings over 256 characters (node-semver's limits; Elixir has none)", () => {
    expectRejections(hexScheme, [
      ['9007199254740992.0.0', 'Invalid major version'],
      ['1.0.0-9007199254740991', 'numeric prerelease identifier'],
      [`1.0.0-${'a'.repeat(251)}`, 'longer than 256 characters'],
    ]);
    expect(hexScheme.parse('9007199254740991.0.0').major).toBe(9007199254740991);
  });

  it("is the scheme of OSV's Hex ecosystem", () => {
    expect(schemeFor('Hex')).toBe(hexScheme);
  });
});
