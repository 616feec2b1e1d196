import { createHash, type KeyObject } from 'node:crypto';
import { generateAgentKeyPair } from '@patchwise/core';
import { inventoryDigest, type InventoryDocument, type InventoryPackage, type WireFacts } from '@patchwise/agent';
import { evrText } from '../fleet/feed-versions.js';
import type { FleetHost, FleetPackage, FleetSlot } from '../fleet/synthetic-fleet.js';

/**
 * One simulated machine: its own Ed25519 key, machine id, host name and facts, and an inventory
 * drawn from the synthetic fleet. It keeps only its image and the slots where it deviates; the
 * document is rebuilt when the server asks for it, so 10,000 agents hold no 10,000 inventories.
 */
export class SimulatedAgent {
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  readonly machineId: string;
  readonly hostName: string;
  hostId = '';
  private readonly altSlots: Set<number>;
  private cachedDigest: string | undefined;

  constructor(
    private readonly host: FleetHost,
    runId: string,
    agentVersion: string,
  ) {
    ({ privateKey: this.privateKey, publicKey: this.publicKey } = generateAgentKeyPair());
    // The run id keeps machine ids apart between runs, so a second run against the same server
    // enrolls new hosts instead of quarantining clones of the first run's.
    this.machineId = createHash('sha256').update(`${runId}/${host.uuid}/${host.index}`).digest('hex').slice(0, 32);
    this.hostName = `sim-${runId}-${String(host.index).padStart(5, '0')}`;
    this.altSlots = new Set(host.altSlots);
    const n = host.index;
    this.facts = {
      hostname: this.hostName,
      machineId: this.machineId,
      os: { id: 'almalinux', versionId: host.image.os, prettyName: `AlmaLinux ${host.image.os}`, versionCodename: null },
      kernel: host.image.os.startsWith('8') ? '4.18.0-553.el8_10.x86_64' : '5.14.0-503.el9.x86_64',
      arch: 'x86_64',
      uptimeSeconds: 86_400 + n,
      ips: [`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`],
      rebootRequired: false,
      timezone: 'UTC',
      serial: `SIM${this.machineId.slice(0, 12).toUpperCase()}`,
      agentVersion,
    };
  }

  readonly facts: WireFacts;

  /** The Patchwise inventory JSON v1 document the real agent would send for this host. */
  document(): InventoryDocument {
    const packages = this.host.image.slots.map((slot, i) => toInventoryPackage(this.altSlots.has(i) ? slot.alt : slot.base));
    return {
      format: 'patchwise-inventory',
      version: 1,
      host: { name: this.hostName, machineId: this.machineId, os: { id: 'almalinux', versionId: this.host.image.os } },
      packages,
    };
  }

  /**
   * The document of an upload that is about to happen: built for the digest, then sent when the
   * server asks for it, and dropped once sent (10,000 agents must not each keep 1,000 objects).
   */
  private pending: InventoryDocument | undefined;

  /** The digest the real agent computes (canonical JSON, SHA-256), cached until the next change. */
  digest(): string {
    if (this.cachedDigest === undefined) {
      this.pending = this.document();
      this.cachedDigest = inventoryDigest(this.pending);
    }
    return this.cachedDigest;
  }

  /** Forgets the pending document (the server did not ask for it). */
  dropDocument(): void {
    this.pending = undefined;
  }

  /** The document to upload now: the one the digest was computed from, else built afresh. */
  takeDocument(): InventoryDocument {
    const doc = this.pending ?? this.document();
    this.pending = undefined;
    return doc;
  }

  /**
   * The version this host has of each named package (null: not installed), as its inventory
   * spells it: what the real executor records as `previous` before changing anything.
   */
  installedVersions(names: readonly string[]): { name: string; version: string | null }[] {
    const wanted = new Set(names);
    const found = new Map<string, string>();
    this.host.image.slots.forEach((slot, i) => {
      const p = this.altSlots.has(i) ? slot.alt : slot.base;
      if (wanted.has(p.name)) found.set(p.name, toInventoryPackage(p).version);
    });
    return names.map((name) => ({ name, version: found.get(name) ?? null }));
  }

  /**
   * One package moves to its other version, as an update or a downgrade would. Many slots have
   * the same package in both lines (most hosts run the latest fix), so it draws until one differs.
   */
  change(random: () => number): void {
    const slots = this.host.image.slots;
    for (let attempt = 0; attempt < 1000; attempt++) {
      const i = Math.floor(random() * slots.length);
      const slot = slots[i] as FleetSlot;
      if (samePackage(slot.base, slot.alt)) continue;
      if (!this.altSlots.delete(i)) this.altSlots.add(i);
      this.cachedDigest = undefined;
      this.pending = undefined;
      return;
    }
  }
}

function toInventoryPackage(p: FleetPackage): InventoryPackage {
  if (p.kind === 'pypi') return { ecosystem: 'PyPI', name: p.name, version: p.version };
  return { name: p.name, version: evrText(p.evr), arch: p.arch };
}

function samePackage(a: FleetPackage, b: FleetPackage): boolean {
  if (a.kind === 'pypi' || b.kind === 'pypi') return JSON.stringify(a) === JSON.stringify(b);
  return a.evr.epoch === b.evr.epoch && a.evr.version === b.evr.version && a.evr.release === b.evr.release && a.arch === b.arch;
}
