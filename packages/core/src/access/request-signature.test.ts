import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bodyDigest, generateAgentKeyPair, newEd25519PrivateKey, parsePublicKey, publicKeyOf, signRequest, verifyRequestSignature } from './request-signature.js';

describe('newEd25519PrivateKey', () => {
  it('makes working Ed25519 keys, a different one each time', () => {
    const keys = Array.from({ length: 200 }, () => newEd25519PrivateKey());
    const publics = new Set(keys.map((k) => createPublicKey(k).export({ format: 'jwk' }).x));
    expect(publics.size).toBe(200);
    for (const key of keys.slice(0, 20)) {
      expect(key.asymmetricKeyType).toBe('ed25519');
      const signature = sign(null, Buffer.from('hello'), key);
      expect(verify(null, Buffer.from('hello'), createPublicKey(key), signature)).toBe(true);
      expect(verify(null, Buffer.from('hellO'), createPublicKey(key), signature)).toBe(false);
    }
  });

  it('gives a key that survives PEM and matches the public half named for it', () => {
    const pair = generateAgentKeyPair();
    expect(publicKeyOf(pair.privateKeyPem)).toBe(pair.publicKey);
    expect(createPrivateKey(pair.privateKeyPem).export({ format: 'jwk' }).d).toBe(pair.privateKey.export({ format: 'jwk' }).d);
    const parts = { method: 'POST', path: '/api/v1/agent/checkin', bodyDigest: bodyDigest('{}'), timestamp: '1700000000000', nonce: 'bm9uY2Utbm9uY2Utbm9uY2U', host: 'host-1' };
    const signature = signRequest(pair.privateKey, parts);
    expect(verifyRequestSignature(parsePublicKey(pair.publicKey), parts, signature)).toBe(true);
    expect(verifyRequestSignature(parsePublicKey(generateAgentKeyPair().publicKey), parts, signature)).toBe(false);
  });
});
