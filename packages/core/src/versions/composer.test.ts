import { describe, expect, it } from 'vitest';
import { isPatchwiseError } from '../errors/index.js';
import { composerScheme } from './composer.js';
import { schemeFor } from './ecosystems.js';

const cmp = (a: string, b: string) => Math.sign(composerScheme.compare(composerScheme.parse(a), composerScheme.parse(b)));

describe('composer scheme (composer/semver)', () => {
  it('normalises as VersionParser::normalize does', () => {
    const cases: Array<[string, string]> = [
      ['1.0', '1.0.0.0'],
      ['v1.0.0-beta2', '1.0.0.0-beta2'],
      ['1.0.0-rc1', '1.0.0.0-RC1'],
      ['1.0-pl3', '1.0.0.0-patch3'],
      ['1.0-b.1-2-dev', '1.0.0.0-beta1-2-dev'],
      ['1.0-stable', '1.0.0.0'],
      ['1.0+build.7', '1.0.0.0'],
      ['2010-01-02', '2010.01.02'],
      ['1.x-dev', '1.9999999.9999999.9999999-dev'],
      [' 1.2.3\n', '1.2.3.0'],
    ];
    for (const [input, normalized] of cases) expect(composerScheme.parse(input).normalized, input).toBe(normalized);
  });

  it('orders dev < alpha < beta < RC < release < patch, and a -dev before what it develops', () => {
    const ascending = ['1.0.0-dev', '1.0.0-alpha1', '1.0.0-beta1-dev', '1.0.0-beta1', '1.0.0-beta2', '1.0.0-RC1', '1.0.0', '1.0.0-p1', '1.0.0-patch2', '1.0.1', '1.x-dev', '2.0'];
    for (let i = 0; i + 1 < ascending.length; i++) expect(cmp(ascending[i] as string, ascending[i + 1] as string), `${ascending[i]} < ${ascending[i + 1]}`).toBe(-1);
    expect(cmp('v1.0', '1.0.0.0')).toBe(0);
    expect(cmp('1.0-RC1', '1.0.0-rc.1')).toBe(0);
    expect(cmp('1.0.0.0-STABLE1', '1.0.0-dev')).toBe(-1); // PHP ranks the unknown word `stable` lowest
  });

  it('refuses branches, constraint syntax and what normalize refuses, naming the string', () => {
    for (const bad of ['', 'dev-main', 'master', '1.0 as 2.0', '1.0@beta', '1.0.0.0.0', '1.0-gamma', 'x.1-dev', '1.0+']) {
      let error: unknown;
      try {
        composerScheme.parse(bad);
      } catch (err) {
        error = err;
      }
      expect(isPatchwiseError(error) && error.code === 'PW_VERSION_INVALID' && error.input === bad, JSON.stringify(bad)).toBe(true);
    }
  });

  it("is the scheme of OSV's Packagist ecosystem", () => {
    expect(schemeFor('Packagist')).toBe(composerScheme);
  });
});
