import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../audit/index.js';
import { PatchwiseError } from '../errors/index.js';
import {
  MANIFEST_CLOCK_SKEW_MS,
  MANIFEST_REJECTIONS,
  ManifestRejectedError,
  claimJobManifest,
  jobSigningKeyId,
  signJobManifest,
  verifyJobManifest,
  type JobManifest,
  type ManifestRejection,
  type ReplayGuard,
  type SignedJobManifest,
  type VerifyJobManifestOptions,
} from './index.js';

const HOST = '7d3f6a52-0c1e-4b8a-9f57-2f1c9b1d0e11';
const NOW = new Date('2026-11-22T10:00:00.000Z');
const server = generateKeyPairSync('ed25519');
const stranger = generateKeyPairSync('ed25519');
const options: VerifyJobManifestOptions = { pinnedKey: server.publicKey, hostId: HOST, now: NOW };

function manifest(overrides: Partial<Record<keyof JobManifest, unknown>> = {}): JobManifest {
  return {
    v: 1,
    jobId: 'job-41-7d3f6a52',
    idempotencyKey: 'deployment-41/host-7d3f6a52/attempt-1',
    deploymentId: 41,
    hostId: HOST,
    action: 'install',
    manager: 'dnf',
    targets: [
      { name: 'openssl-libs', version: '1:3.0.7-27.el9_4' },
      { name: 'curl', version: '7.76.1-29.el9_4.1' },
    ],
    reboot: 'if-required',
    preSteps: [],
    postSteps: [],
    preChecks: [{ kind: 'service', unit: 'nginx.service' }],
    postChecks: [{ kind: 'http', url: 'http://127.0.0.1/health', expectStatus: 200 }],
    issuedAt: '2026-11-22T09:59:00.000Z',
    expiresAt: '2026-11-22T12:00:00.000Z',
    ...overrides,
  } as JobManifest;
}

/** Signs any text with a key, as a forger holding that key (or a buggy signer) would. */
function signText(payload: string, key: KeyObject = server.privateKey): SignedJobManifest {
  return { payload, signature: sign(null, Buffer.from(payload, 'utf8'), key).toString('base64'), keyId: jobSigningKeyId(key) };
}

function rejection(signed: unknown, opts: Partial<VerifyJobManifestOptions> = {}): ManifestRejection | 'accepted' {
  try {
    verifyJobManifest(signed, { ...options, ...opts });
    return 'accepted';
  } catch (err) {
    if (err instanceof ManifestRejectedError) {
      expect(err).toBeInstanceOf(PatchwiseError);
      expect(err.code).toBe('PW_MANIFEST_REJECTED');
      expect(err.message).toContain(`(${err.reason})`);
      return err.reason;
    }
    throw err;
  }
}

/** The signed manifest with its payload edited (and kept canonical), the signature untouched. */
function tampered(signed: SignedJobManifest, edit: (m: Record<string, unknown>) => void): SignedJobManifest {
  const m = JSON.parse(signed.payload) as Record<string, unknown>;
  edit(m);
  return { ...signed, payload: canonicalJson(m) };
}

describe('signJobManifest and verifyJobManifest', () => {
  it('round-trip: the manifest comes back as signed, from canonical JSON, under the key id of the raw public key', () => {
    const signed = signJobManifest(manifest(), server.privateKey);
    expect(verifyJobManifest(signed, options)).toEqual(manifest());
    expect(signed.payload).toBe(canonicalJson(manifest()));
    expect(signed.payload.startsWith('{"action":"install","deploymentId":41,')).toBe(true);
    expect(Buffer.from(signed.signature, 'base64')).toHaveLength(64);
    const raw = Buffer.from(createPublicKey(server.privateKey).export({ format: 'jwk' }).x as string, 'base64url');
    expect(signed.keyId).toBe(createHash('sha256').update(raw).digest('hex'));
    expect(jobSigningKeyId(server.publicKey)).toBe(signed.keyId);
  });

  it('signs the same bytes whatever the key order of the manifest object', () => {
    const m = manifest();
    const reordered = Object.fromEntries(Object.entries(m).reverse()) as unknown as JobManifest;
    expect(signJobManifest(reordered, server.privateKey).payload).toBe(signJobManifest(m, server.privateKey).payload);
  });

  it('survives a JSON round trip of the envelope (as it travels)', () => {
    const wire: unknown = JSON.parse(JSON.stringify(signJobManifest(manifest({ action: 'rollback', targets: [{ name: 'curl', version: null }] }), server.privateKey)));
    expect(verifyJobManifest(wire, options).targets).toEqual([{ name: 'curl', version: null }]);
  });

  it('refuses to sign an invalid manifest or with a key that is not an Ed25519 private key', () => {
    expect(() => signJobManifest(manifest({ targets: [] }), server.privateKey)).toThrow(/targets: must name at least one package/);
    expect(() => signJobManifest(manifest(), server.publicKey)).toThrow(/Ed25519 private key/);
    expect(() => signJobManifest(manifest(), generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey)).toThrow(/Ed25519 private key/);
  });

  it('lists every reason once', () => {
    expect(new Set(MANIFEST_REJECTIONS).size).toBe(MANIFEST_REJECTIONS.length);
  });
});

describe('verifyJobManifest rejections', () => {
  const good = signJobManifest(manifest(), server.privateKey);

  it('no-pinned-key: an agent enrolled before manifests were signed refuses everything, saying to re-enroll', () => {
    expect(rejection(good, { pinnedKey: null })).toBe('no-pinned-key');
    expect(() => verifyJobManifest(good, { ...options, pinnedKey: undefined })).toThrow(/re-enroll/);
  });

  it('unsigned: a bare manifest, or an envelope without a signature', () => {
    expect(rejection(manifest())).toBe('unsigned');
    expect(rejection({ payload: good.payload, keyId: good.keyId })).toBe('unsigned');
    expect(rejection({ ...good, signature: '' })).toBe('unsigned');
    expect(rejection({ ...good, signature: null })).toBe('unsigned');
  });

  it('malformed-envelope: not an object, or fields of the wrong type or encoding', () => {
    for (const bad of [null, 'text', 42, [good], { ...good, payload: 7 }, { ...good, payload: '' }, { ...good, keyId: good.keyId.toUpperCase() }, { ...good, keyId: undefined }]) {
      expect(rejection(bad)).toBe('malformed-envelope');
    }
    expect(rejection({ ...good, signature: Buffer.alloc(63).toString('base64') })).toBe('malformed-envelope');
    expect(rejection({ ...good, signature: Buffer.from(good.signature, 'base64').toString('base64url') })).toBe('malformed-envelope');
    expect(rejection({ ...good, signature: 123 })).toBe('malformed-envelope');
    // An unsigned field beside the payload could be read by mistake; everything must be signed.
    expect(rejection({ ...good, approvals: [] })).toBe('malformed-envelope');
  });

  it('unknown-key: re-signed by another key under that key id', () => {
    expect(rejection(signJobManifest(manifest(), stranger.privateKey))).toBe('unknown-key');
  });

  it('bad-signature: a target version, the host or the expiry edited after signing', () => {
    expect(rejection(tampered(good, (m) => ((m.targets as { version: string }[])[0]!.version = '1:3.0.7-28.el9_4')))).toBe('bad-signature');
    expect(rejection(tampered(good, (m) => (m.hostId = 'another-host')), { hostId: 'another-host' })).toBe('bad-signature');
    expect(rejection(tampered(good, (m) => (m.expiresAt = '2026-11-29T09:00:00.000Z')))).toBe('bad-signature');
  });

  it('bad-signature: another key claiming the pinned key id, or a flipped bit', () => {
    expect(rejection({ ...signJobManifest(manifest(), stranger.privateKey), keyId: good.keyId })).toBe('bad-signature');
    const sig = Buffer.from(good.signature, 'base64');
    sig[10] = sig[10]! ^ 1;
    expect(rejection({ ...good, signature: sig.toString('base64') })).toBe('bad-signature');
  });

  it('not-canonical: signed text with whitespace, unsorted keys, duplicate keys, or not JSON at all', () => {
    expect(rejection(signText(JSON.stringify(manifest(), null, 2)))).toBe('not-canonical');
    expect(rejection(signText(JSON.stringify(manifest())))).toBe('not-canonical');
    const dup = canonicalJson(manifest()).replace('{"action":"install",', '{"action":"rollback","action":"install",');
    expect(rejection(signText(dup))).toBe('not-canonical');
    expect(rejection(signText('not json'))).toBe('not-canonical');
    expect(rejection(signText('"\\ud800"'))).toBe('not-canonical');
  });

  it('schema-invalid: signed and canonical but of the wrong types or values', () => {
    const cases: [Partial<Record<keyof JobManifest, unknown>>, RegExp][] = [
      [{ v: 2 }, /v: must be 1/],
      [{ deploymentId: '41' }, /deploymentId/],
      [{ jobId: 41 }, /jobId/],
      [{ jobId: 'has space' }, /jobId/],
      [{ action: 'remove' }, /action: must be one of install, rollback/],
      [{ manager: 'brew' }, /manager/],
      [{ targets: 'openssl' }, /targets: must be an array/],
      [{ targets: [{ name: 'openssl' }] }, /targets\[0\]\.version/],
      [{ targets: [{ name: 'openssl', version: 3 }] }, /targets\[0\]\.version/],
      [{ targets: [{ name: 'openssl', version: null }] }, /targets\[0\]\.version/],
      [{ targets: [{ name: '-oDir::Etc=/tmp', version: '1' }] }, /must not start with "-"/],
      [{ targets: [{ name: 'curl', version: '1' }, { name: 'curl', version: '2' }] }, /listed twice/],
      [{ targets: [{ name: 'curl', version: '1', arch: 'x86_64' }] }, /unknown field "arch"/],
      [{ reboot: 'sometimes' }, /reboot/],
      [{ preChecks: [{ kind: 'shell', command: 'rm -rf /' }] }, /preChecks\[0\]\.kind/],
      [{ postChecks: [{ kind: 'http', url: 'file:///etc/passwd' }] }, /postChecks\[0\]\.url/],
      [{ postSteps: [{ name: 'restart', sha256: '0'.repeat(64), body: 'systemctl restart nginx' }] }, /not the SHA-256 of the body/],
      [{ issuedAt: '22/11/2026' }, /issuedAt: must be an ISO 8601/],
      [{ issuedAt: '2026-02-30T10:00:00Z' }, /issuedAt: must be an ISO 8601/],
      [{ expiresAt: '2026-11-22T09:00:00.000Z' }, /expiresAt: must be after issuedAt/],
      [{ expiresAt: '2026-12-22T09:00:00.000Z' }, /expiresAt: must be at most 7 days/],
    ];
    for (const [overrides, message] of cases) {
      const signed = signText(canonicalJson(manifest(overrides)));
      expect(rejection(signed), JSON.stringify(overrides)).toBe('schema-invalid');
      expect(() => verifyJobManifest(signed, options)).toThrow(message);
    }
    expect(rejection(signText(canonicalJson({ ...manifest(), shell: 'curl | sh' })))).toBe('schema-invalid');
    expect(rejection(signText('[1,2]'))).toBe('schema-invalid');
  });

  it('other-host: a manifest signed for host A does not run on host B', () => {
    expect(rejection(good, { hostId: 'b0d8ce4b-2b43-4d73-8e1e-5d2bb07e4f6a' })).toBe('other-host');
  });

  it('not-yet-valid: issued further ahead than the clock skew; within it, accepted', () => {
    const ahead = (ms: number) => signJobManifest(manifest({ issuedAt: new Date(NOW.getTime() + ms).toISOString() }), server.privateKey);
    expect(rejection(ahead(MANIFEST_CLOCK_SKEW_MS + 1))).toBe('not-yet-valid');
    expect(rejection(ahead(MANIFEST_CLOCK_SKEW_MS))).toBe('accepted');
  });

  it('expired: at expiresAt and after; accepted the millisecond before', () => {
    const expiresAt = new Date(manifest().expiresAt);
    expect(rejection(good, { now: expiresAt })).toBe('expired');
    expect(rejection(good, { now: new Date(expiresAt.getTime() + 86_400_000) })).toBe('expired');
    expect(rejection(good, { now: new Date(expiresAt.getTime() - 1) })).toBe('accepted');
  });

  it('replayed: a job accepted once is refused the second time, and when another delivery won the race', async () => {
    const accepted = new Map<string, Date>();
    const guard: ReplayGuard = { seen: (id) => accepted.has(id), remember: (id, at) => !accepted.has(id) && Boolean(accepted.set(id, at)) };
    const first = await claimJobManifest(verifyJobManifest(good, options), guard);
    expect(accepted.get(first.jobId)).toEqual(new Date(first.expiresAt));
    await expect(claimJobManifest(verifyJobManifest(good, options), guard)).rejects.toMatchObject({ code: 'PW_MANIFEST_REJECTED', reason: 'replayed' });
    const racing: ReplayGuard = { seen: () => false, remember: () => Promise.resolve(false) };
    await expect(claimJobManifest(manifest(), racing)).rejects.toMatchObject({ reason: 'replayed' });
  });
});
