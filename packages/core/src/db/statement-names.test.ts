import { describe, expect, it } from 'vitest';
import { StatementNames } from './statement-names.js';

describe('StatementNames', () => {
  it('names a text once it came back the given number of times, and keeps that name', () => {
    const names = new StatementNames(10, 3);
    const text = 'select * from t where id = $1';
    expect(names.nameOf(text)).toBeUndefined();
    expect(names.nameOf(text)).toBeUndefined();
    const name = names.nameOf(text);
    expect(name).toMatch(/^pw_\d+$/);
    expect(names.nameOf(`select * from t where id = ${'$1'}`)).toBe(name);
    expect(names.size).toBe(1);
  });

  it('gives different texts different names', () => {
    const names = new StatementNames(10, 1);
    const a = names.nameOf('select $1');
    const b = names.nameOf('select $1, $2');
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(a).not.toBe(b);
  });

  it('names no more than its limit, and never very long texts', () => {
    const names = new StatementNames(2, 1);
    expect(names.nameOf('select 1 + $1')).toBeDefined();
    expect(names.nameOf('select 2 + $1')).toBeDefined();
    expect(names.nameOf('select 3 + $1')).toBeUndefined();
    expect(names.nameOf('select 1 + $1')).toBeDefined();
    const long = `select ${Array.from({ length: 3000 }, (_, i) => `$${i + 1}`).join(', ')}`;
    const fresh = new StatementNames(10, 1);
    expect(fresh.nameOf(long)).toBeUndefined();
    expect(fresh.size).toBe(0);
  });
});
