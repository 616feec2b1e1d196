import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EMPTY_ATTRIBUTES, HostStore, migrateToLatest, migrateUpTo, openDatabase } from '@patchwise/core';
import { Assessor } from '../src/assessor.js';
import { ControlPlane } from '../src/control-plane.js';
import { tablesOf, type Database } from '../src/database.js';
import { almaFacts } from './support/fixtures.js';

describe('upgrading a database whose inventories an older version read', () => {
  it('asks each agent for its inventory again, keeping its snapshot until the upload replaces it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'patchwise-upgrade-'));
    const handle = await openDatabase<Database>({ kind: 'pglite', dataDir: dir });
    try {
      await migrateUpTo(handle.db, '0021-snapshot-use');
      const clock = () => new Date('2026-12-01T00:00:00Z');
      const hosts = new HostStore(tablesOf(handle.db), clock);
      const facts = almaFacts();
      const host = await hosts.create({ name: 'web-01', machineId: facts.machineId, os: { id: 'almalinux', versionId: '9.4' }, ecosystem: 'AlmaLinux:9', facts, attributes: EMPTY_ATTRIBUTES });
      const packages = [{ ecosystem: 'AlmaLinux:9', name: 'openssl', version: '1:3.0.7-16.el9_2', arch: 'x86_64' }];
      await hosts.saveInventory(host.id, 'a'.repeat(64), packages, (p) => p.name);

      expect(await migrateToLatest(handle.db)).toContain('0023-reread-inventories');
      const after = await hosts.require(host.id);
      expect(after.inventoryDigest).toBeNull();
      expect(after.inventoryAt).not.toBeNull();
      expect(await hosts.packagesOf(host.id)).toEqual(packages);
      const plane = new ControlPlane(handle.db, new Assessor(), clock, { checkinIntervalSeconds: 60 });
      expect(await plane.checkin(host.id, facts, 'a'.repeat(64))).toEqual({ intervalSeconds: 60, sendInventory: true });
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
