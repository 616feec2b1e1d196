import { describe, expect, it } from 'vitest';
import type { HostRecord, InstalledPackage } from '@patchwise/core';
import { eolView } from './views.js';

/** A host as stored after its agent reported this os-release. */
function host(os: { id: string; versionId: string; prettyName: string }): HostRecord {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    name: 'h1',
    machineId: null,
    os: { id: os.id, versionId: os.versionId },
    ecosystem: null,
    facts: { hostname: 'h1', os: { ...os, versionCodename: null } },
    attributes: { tier: null, owner: null, environment: null, internetFacing: null, cluster: null, timezone: null, tags: [] },
    status: 'active',
    quarantineReason: null,
    retiredAt: null,
    retiredReason: null,
    enrolledAt: new Date('2024-01-01T00:00:00Z'),
    lastSeenAt: null,
    inventoryDigest: null,
    inventoryAt: null,
    idleKernels: [],
    personAttributes: [],
  };
}

const now = new Date('2026-12-06T12:00:00Z');

describe('eolView', () => {
  it("does not judge a Debian 11 host's PyPI packages by Debian's lists", () => {
    const deb11 = host({ id: 'debian', versionId: '11', prettyName: 'Debian GNU/Linux 11 (bullseye)' });
    const pip: InstalledPackage = { ecosystem: 'PyPI', name: 'cython', version: '0.29.21' };
    expect(eolView(deb11, now, [pip]).packages).toEqual([]);
    const deb: InstalledPackage = { ecosystem: 'Debian:11', name: 'cython3', sourceName: 'cython', version: '0.29.21-3+b1' };
    expect(eolView(deb11, now, [pip, deb]).packages).toMatchObject([{ name: 'cython3', status: 'ended', date: '2024-09-29' }]);
  });

  it('gives CentOS Stream 8 its own end of life, read from the PRETTY_NAME the agent reported', () => {
    expect(eolView(host({ id: 'centos', versionId: '8', prettyName: 'CentOS Stream 8' }), now)).toMatchObject({ status: 'eol', date: '2024-05-31', endedOn: '2024-05-31', reason: 'CentOS Stream 8 reached end of life on 2024-05-31' });
    expect(eolView(host({ id: 'centos', versionId: '8', prettyName: 'CentOS Linux 8' }), now)).toMatchObject({ status: 'eol', date: '2021-12-31' });
  });

  it('says Debian 11 ended with its LTS (2026-08-31), not with its standard support two years before', () => {
    // Free LTS counts; paid ELTS is not assumed by the server.
    const deb11 = eolView(host({ id: 'debian', versionId: '11', prettyName: 'Debian GNU/Linux 11 (bullseye)' }), now);
    expect(deb11).toMatchObject({ status: 'eol', date: '2024-08-14', endedOn: '2026-08-31' });
    expect(deb11.reason).toBe(
      'Debian 11 (bullseye) reached end of life on 2026-08-31: standard support ended on 2024-08-14; LTS ended on 2026-08-31; ELTS (Freexian Extended LTS) until 2031-06-30 needs a subscription, not assumed',
    );
    // Still in LTS, it is not end of life and has no end date yet.
    expect(eolView(host({ id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' }), now)).toMatchObject({ status: 'extended', endedOn: null });
  });
});
