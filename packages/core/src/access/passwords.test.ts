import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './passwords.js';

describe('passwords', () => {
  it('hashes with a fresh salt each time and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery staple');
    const b = await hashPassword('correct horse battery staple');
    expect(a).toMatch(/^scrypt\$32768\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true);
    expect(await verifyPassword('correct horse battery stapl', a)).toBe(false);
    expect(await verifyPassword('x'.repeat(2000), a)).toBe(false);
  });

  it('refuses passwords shorter than 12 characters, naming the rule', async () => {
    await expect(hashPassword('short')).rejects.toThrow(/at least 12 characters/);
  });

  it('refuses a stored hash of an unknown format instead of guessing', async () => {
    await expect(verifyPassword('whatever password', 'bcrypt$...')).rejects.toMatchObject({ code: 'PW_INTERNAL' });
  });
});
