import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseJobManifest } from './index.js';

const body = '#!/bin/sh\nsystemctl is-active --quiet nginx\n';
const script = { name: 'nginx-active', sha256: createHash('sha256').update(body).digest('hex'), body };

const full = {
  v: 1,
  jobId: '0f7c6f0e-8a53-4f0e-b7a2-3f1d2f7c9a10',
  idempotencyKey: 'd41:h7d3f6a52',
  deploymentId: 41,
  hostId: '7d3f6a52-0c1e-4b8a-9f57-2f1c9b1d0e11',
  action: 'rollback',
  manager: 'apt',
  targets: [
    { name: 'libssl3', version: '3.0.11-1~deb12u2' },
    { name: 'openssl-provider-legacy', version: null },
  ],
  reboot: 'always',
  preSteps: [script],
  postSteps: [script],
  preChecks: [{ kind: 'service', unit: 'nginx.service' }, { kind: 'script', script }],
  postChecks: [{ kind: 'http', url: 'https://127.0.0.1:8443/health', expectStatus: 204, timeoutMs: 5000 }, { kind: 'http', url: 'http://localhost/' }],
  issuedAt: '2026-11-22T11:00:00+01:00',
  expiresAt: '2026-11-22T10:30:00.123456Z',
};

describe('parseJobManifest', () => {
  it('accepts every field the contract allows: scripts, all check kinds, removal in a rollback, offsets', () => {
    expect(parseJobManifest(full)).toEqual(full);
  });

  it('names the field that is wrong, down to nested checks and scripts', () => {
    expect(() => parseJobManifest({ ...full, preChecks: [{ kind: 'script', script: { ...script, body: 'echo changed' } }] })).toThrow(/preChecks\[0\].script\.sha256: is not the SHA-256 of the body/);
    expect(() => parseJobManifest({ ...full, postChecks: [{ kind: 'http', url: 'http://x/', expectStatus: 700 }] })).toThrow(/postChecks\[0\]\.expectStatus: must be an integer from 100 to 599/);
    expect(() => parseJobManifest({ ...full, preChecks: [{ kind: 'service', unit: 'nginx', url: 'http://x/' }] })).toThrow(/preChecks\[0\]: has an unknown field "url"/);
    expect(() => parseJobManifest({ ...full, targets: [{ name: 'curl', version: '1 2' }] })).toThrow(/targets\[0\]\.version/);
    expect(() => parseJobManifest({ ...full, deploymentId: 1.5 })).toThrow(/deploymentId: must be a non-negative integer/);
    expect(() => parseJobManifest({ ...full, expiresAt: '2026-11-22T24:00:00Z' })).toThrow(/expiresAt: must be an ISO 8601/);
    const { reboot: _reboot, ...missing } = full;
    expect(() => parseJobManifest(missing)).toThrow(/reboot: must be one of never, if-required, always/);
    expect(() => parseJobManifest(null)).toThrow(/manifest: must be an object/);
  });
});
