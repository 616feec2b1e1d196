import { describe, expect, it } from 'vitest';
import { isPatchwiseError } from '../errors/index.js';
import { mavenScheme } from './maven.js';

const cmp = (a: string, b: string) => Math.sign(mavenScheme.compare(mavenScheme.parse(a), mavenScheme.parse(b)));

describe('maven scheme (the POM reference\'s version order)', () => {
  it('orders qualifiers alpha < beta < milestone < rc < snapshot < release < sp < other words', () => {
    const ascending = ['1-alpha-1', '1-beta-1', '1-milestone-1', '1-rc-1', '1-snapshot', '1', '1-sp-1', '1-abc', '1-xyz', '1.0.1'];
    for (let i = 0; i + 1 < ascending.length; i++) expect(cmp(ascending[i] as string, ascending[i + 1] as string), `${ascending[i]} < ${ascending[i + 1]}`).toBe(-1);
  });

  it('treats the release aliases, trailing zeros and a closing word as Maven does', () => {
    for (const same of ['1', '1.0', '1.0.0', '1-ga', '1-final', '1.0.0.Final', '1.RELEASE', '1-0']) expect(cmp('1', same), same).toBe(0);
    expect(cmp('1-cr1', '1-rc1')).toBe(0);
    expect(cmp('1a1', '1-alpha-1')).toBe(0);
    expect(cmp('1.0.a', '1.0-a')).toBe(0); // a word at the end is a sub-list
    expect(cmp('1.a1.1', '1-a1.1')).toBe(0); // so is a word followed by a number
    expect(cmp('1.0.a.1', '1.0-a.1')).toBe(1); // but not a word in the middle
    expect(cmp('2.17.1', '2.17.0')).toBe(1);
    expect(cmp('2.15.0-rc1', '2.15.0')).toBe(-1);
    expect(cmp('99999999999999999999', '100000000000000000000')).toBe(-1);
  });

  it('refuses an empty version or one with whitespace, naming it', () => {
    for (const bad of ['', '1 0', '1\t0']) {
      let error: unknown;
      try {
        mavenScheme.parse(bad);
      } catch (err) {
        error = err;
      }
      expect(isPatchwiseError(error) && error.code === 'PW_VERSION_INVALID' && error.input === bad, JSON.stringify(bad)).toBe(true);
    }
  });
});
