import { describe, expect, it } from 'vitest';
import { expectRejections } from '../../test/support/version-rejections.js';
import { semverScheme } from './semver.js';

const cmp = (a: string, b: string): number => Math.sign(semverScheme.compare(semverScheme.parse(a), semverScheme.parse(b)));

describe('semverScheme', () => {
  it('orders by SemVer 2 precedence and ignores build metadata', () => {
    const ascending = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.0.1', '1.1.0', '2.0.0'];
    for (let i = 1; i < ascending.length; i++) expect(cmp(ascending[i - 1]!, ascending[i]!), `${ascending[i - 1]} < ${ascending[i]}`).toBe(-1);
    expect(cmp('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
    expect(cmp('1.0.0-rc.1+a', '1.0.0-rc.1')).toBe(0);
  });

  it("accepts node-semver's strict spellings: a leading v and surrounding spaces", () => {
    expect(cmp('v1.2.3', '1.2.3')).toBe(0);
    expect(semverScheme.parse(' 1.2.3 ').version).toBe('1.2.3');
  });

  it('rejects loose and partial spellings, naming the string', () => {
    const cases: Array<[string, string]> = [
      ['', 'version string is empty'],
      ['1.2', 'not MAJOR.MINOR.PATCH'],
      ['=1.2.3', 'not MAJOR.MINOR.PATCH'],
      ['01.2.3', 'not MAJOR.MINOR.PATCH'],
      ['1.2.3beta', 'not MAJOR.MINOR.PATCH'],
      ['9007199254740992.0.0', 'Invalid major version'],
      ['1.0.0-9007199254740993', 'numeric prerelease identifier'],
      ['1.0.0-' + 'a'.repeat(300), 'longer than 256 characters'],
    ];
    expectRejections(semverScheme, cases);
  });
});
