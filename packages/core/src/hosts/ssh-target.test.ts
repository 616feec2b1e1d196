import { describe, expect, it } from 'vitest';
import { parseHostKeySha256, parseSshTarget } from './ssh-target.js';

const KEY = 'SHA256:Pytt6IogXMjeblwDNDZMDdmJUjj5s2dU0yU7Lddk5hE';

describe('parseHostKeySha256', () => {
  it('takes the fingerprint alone or the whole ssh-keygen -lf line', () => {
    expect(parseHostKeySha256(KEY, 'x')).toBe(KEY);
    expect(parseHostKeySha256(`256 ${KEY} root@db-7 (ED25519)\n`, 'x')).toBe(KEY);
  });

  it('refuses anything else, naming the field', () => {
    for (const bad of ['', 'SHA256:', 'MD5:12:34', KEY.slice(0, -1), `${KEY}=`, `${KEY.slice(0, -1)}B`, KEY.replace('SHA256', 'sha256'), 42, null]) {
      expect(() => parseHostKeySha256(bad, 'registration'), String(bad)).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: expect.stringContaining('hostKeySha256') }));
    }
  });
});

describe('parseSshTarget', () => {
  it('accepts names and addresses, defaults the port to 22, unwraps [IPv6]', () => {
    expect(parseSshTarget({ address: 'db-7.example.org', user: 'root', hostKeySha256: KEY }, 'x')).toEqual({ address: 'db-7.example.org', port: 22, user: 'root', hostKeySha256: KEY });
    expect(parseSshTarget({ address: '[2001:db8::7]', port: 2222, user: 'patchwise', hostKeySha256: KEY }, 'x').address).toBe('2001:db8::7');
    expect(parseSshTarget({ address: 'fe80::1%eth0', user: 'svc_scan', hostKeySha256: KEY }, 'x').address).toBe('fe80::1%eth0');
  });

  it('refuses what ssh would read as an option or what is not a name, naming the field', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ address: '-oProxyCommand=x', user: 'root' }, 'address'],
      [{ address: 'a b', user: 'root' }, 'address'],
      [{ address: 'host;id', user: 'root' }, 'address'],
      [{ address: '', user: 'root' }, 'address'],
      [{ address: 'h', port: 0, user: 'root' }, 'port'],
      [{ address: 'h', port: 65536, user: 'root' }, 'port'],
      [{ address: 'h', port: '22', user: 'root' }, 'port'],
      [{ address: 'h', user: '-root' }, 'user'],
      [{ address: 'h', user: 'ro ot' }, 'user'],
      [{ address: 'h', user: 'a'.repeat(33) }, 'user'],
    ];
    for (const [value, field] of cases) {
      expect(() => parseSshTarget({ hostKeySha256: KEY, ...value }, 'registration'), JSON.stringify(value)).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID', message: expect.stringContaining(`${field}:`) }));
    }
  });
});
