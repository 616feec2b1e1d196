import { describe, expect, it } from 'vitest';
import { isPatchwiseError } from '../errors/index.js';
import { schemeFor } from './ecosystems.js';
import { rubyGemsScheme } from './rubygems.js';

const cmp = (a: string, b: string) => Math.sign(rubyGemsScheme.compare(rubyGemsScheme.parse(a), rubyGemsScheme.parse(b)));

describe('rubygems scheme (Gem::Version)', () => {
  it('orders words before numbers, so a word makes a pre-release', () => {
    const ascending = ['1.0.0.a', '1.0.0.alpha', '1.0.0.b', '1.0.0-rc1', '1.0.0.pre', '1.0.0.rc1', '1.0.0.rc2', '1.0.0', '1.0.0.1', '1.0.1', '1.1.a', '1.1', '10'];
    for (let i = 0; i + 1 < ascending.length; i++) expect(cmp(ascending[i] as string, ascending[i + 1] as string), `${ascending[i]} < ${ascending[i + 1]}`).toBe(-1);
  });

  it('drops trailing zeros before the first word and at the end, and reads - as .pre.', () => {
    for (const same of ['1', '1.0', '1.0.0', '01', ' 1.0\n']) expect(cmp('1', same), same).toBe(0);
    expect(cmp('1.0.a', '1.a')).toBe(0);
    expect(cmp('1.a.0', '1.a')).toBe(0);
    expect(cmp('1.0a1', '1.0.a.1')).toBe(0);
    expect(cmp('1.0-rc1', '1.0.pre.rc1')).toBe(0);
    expect(cmp('1.0-rc1', '1.0.pre')).toBe(-1); // "1.0.pre.rc.1": after "pre", a word against the end
    expect(cmp('1.a.0.0.b', '1.a')).toBe(-1); // the end reads as 0, and a word is older than 0
    expect(cmp('1.a.0.1', '1.a')).toBe(1);
    expect(cmp('1.0.RC1', '1.0.rc1')).toBe(-1); // words compare byte-wise, upper case first
    expect(cmp('1.99999999999999999999', '1.100000000000000000000')).toBe(-1);
  });

  it('refuses what Gem::Version refuses, and a blank string, naming it', () => {
    for (const bad of ['', ' ', 'v1.0', '1.0-', '1..0', '1_0', 'a1', '1.0 0']) {
      let error: unknown;
      try {
        rubyGemsScheme.parse(bad);
      } catch (err) {
        error = err;
      }
      expect(isPatchwiseError(error) && error.code === 'PW_VERSION_INVALID' && error.input === bad, JSON.stringify(bad)).toBe(true);
    }
  });

  it('is the scheme of OSV\'s RubyGems ecosystem', () => {
    expect(schemeFor('RubyGems')).toBe(rubyGemsScheme);
  });
});
