import { describe, expect, it } from 'vitest';
import { generateSshClientKey, sshPublicKeyOf } from './ssh-client-key.js';

describe('generateSshClientKey', () => {
  it('only ever gives keys that read back, with the public key it reports', () => {
    // ssh2 alone writes about one unreadable key in 250: 2,000 draws meet one with near certainty.
    for (let i = 0; i < 2000; i++) {
      const key = generateSshClientKey('patchwise@test');
      expect(sshPublicKeyOf(key.privateKey, `key ${i}`)).toBe(key.publicKey.trim());
    }
  });
});
