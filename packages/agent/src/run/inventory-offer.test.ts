import { describe, expect, it } from 'vitest';
import { inventoryDigest } from '../collect/index.js';
import type { CollectedPackages, HostFacts, OsFacts } from '../collect/index.js';
import { offerInventory, refusedOffer, reportedInventoryOf, type ReportedInventory } from './inventory-offer.js';

const debian12: OsFacts = { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', versionCodename: 'bookworm' };
const facts = (os: OsFacts | null): HostFacts => ({
  hostname: 'web-07',
  machineId: null,
  os,
  kernelRelease: null,
  architecture: null,
  uptimeSeconds: null,
  ipAddresses: null,
  rebootRequired: null,
  serialNumber: null,
  timezone: 'UTC',
});
const collected: CollectedPackages = {
  packages: [
    { name: 'bash', version: '5.2.15-2+b2', arch: 'amd64' },
    { ecosystem: 'PyPI', name: 'requests', version: '2.31.0' },
  ],
  warnings: [],
  skipped: [],
  complete: true,
};
/** What the server holds after a Debian 12 upload. */
const placedOnDebian12: ReportedInventory = { digest: 'd'.repeat(64), distribution: { id: 'debian', versionId: '12' } };
/** What it holds after a Python-only upload (a distribution without an OSV ecosystem). */
const pythonOnly: ReportedInventory = { digest: 'e'.repeat(64), distribution: null };

describe('offerInventory', () => {
  it('offers the whole inventory with its digest, computed once for the check-in and the upload', () => {
    const offer = offerInventory(facts(debian12), collected, 'web-07', placedOnDebian12);
    expect(offer.problem).toBeUndefined();
    expect(offer.complete).toBe(true);
    expect(offer.document?.packages).toHaveLength(2);
    expect(offer.document?.host.os).toEqual({ id: 'debian', versionId: '12' });
    if (!offer.document) throw new Error('no document');
    expect(offer.digest).toBe(inventoryDigest(offer.document));
  });

  it('sends Python alone for a distribution it can name that has no OSV ecosystem', () => {
    const centos = offerInventory(facts({ ...debian12, id: 'centos', versionId: '9' }), collected, 'web-07', undefined);
    expect(centos.document?.packages).toEqual([{ ecosystem: 'PyPI', name: 'requests', version: '2.31.0' }]);
    expect(centos.document?.host.os).toBeUndefined();
    expect(centos.problem?.level).toBe('warning');
    // A host that moved to another distribution is that distribution, not an unknown one.
    expect(offerInventory(facts({ ...debian12, id: 'centos', versionId: '9' }), collected, 'web-07', placedOnDebian12).document?.packages).toHaveLength(1);
    // Debian sid has no VERSION_ID; this host never had its packages placed under `debian`.
    const sid = { ...debian12, versionId: null, versionCodename: 'sid' };
    for (const reported of [undefined, pythonOnly]) {
      const offer = offerInventory(facts(sid), collected, 'web-07', reported);
      expect(offer.document?.packages).toHaveLength(1);
      if (!offer.document) throw new Error('no document');
      expect(offer.digest).toBe(inventoryDigest(offer.document));
    }
  });

  it('offers nothing, with an error, when it cannot tell the distribution whose packages the server holds', () => {
    // os-release lost VERSION_ID (or has a misshapen one) after the packages were placed as debian 12.
    for (const versionId of [null, 'twelve']) {
      const offer = offerInventory(facts({ ...debian12, versionId }), collected, 'web-07', placedOnDebian12);
      expect(offer).toEqual({ digest: null, complete: false, problem: { level: 'error', text: expect.stringMatching(/^cannot tell the distribution \(its packages were last reported as debian 12, os-release now gives VERSION_ID (none|"twelve")\): 1 distribution package cannot be placed \(.*\); no inventory sent, the stored one stays$/) } });
    }
    // No os-release read (missing or unreadable), or one without ID: whatever was reported before.
    for (const reported of [undefined, pythonOnly, placedOnDebian12]) {
      expect(offerInventory(facts(null), collected, 'web-07', reported)).toMatchObject({ digest: null, problem: { level: 'error', text: expect.stringContaining('cannot tell the distribution (no os-release could be read)') } });
      expect(offerInventory(facts({ ...debian12, id: 'linux' }), collected, 'web-07', reported)).toMatchObject({ digest: null, problem: { level: 'error', text: expect.stringContaining('cannot tell the distribution (os-release has no ID)') } });
    }
  });

  it('offers Python packages of a host without distribution packages whatever its os-release says', () => {
    const own = { ...collected, packages: collected.packages.filter((p) => p.ecosystem) };
    expect(offerInventory(facts(null), own, 'web-07', placedOnDebian12).document?.packages).toHaveLength(1);
  });

  it('keeps an incomplete inventory from being uploaded, but still offers its digest', () => {
    const offer = offerInventory(facts(debian12), { ...collected, complete: false }, 'web-07', undefined);
    expect(offer.complete).toBe(false);
    expect(offer.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('offers no digest when the package databases were refused', () => {
    expect(refusedOffer('status: empty')).toEqual({ digest: null, complete: false, problem: { level: 'warning', text: 'packages not collected, no inventory sent: status: empty' } });
  });
});

describe('reportedInventoryOf', () => {
  it('remembers the distribution only when distribution packages were placed under it', () => {
    const whole = offerInventory(facts(debian12), collected, 'web-07', undefined);
    if (!whole.document || !whole.digest) throw new Error('no document');
    expect(reportedInventoryOf(whole.document, whole.digest)).toEqual({ digest: whole.digest, distribution: { id: 'debian', versionId: '12' } });
    const own = offerInventory(facts(debian12), { ...collected, packages: collected.packages.filter((p) => p.ecosystem) }, 'web-07', undefined);
    if (!own.document || !own.digest) throw new Error('no document');
    expect(reportedInventoryOf(own.document, own.digest)).toEqual({ digest: own.digest, distribution: null });
  });
});
