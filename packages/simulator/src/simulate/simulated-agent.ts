import { createHash, type KeyObject } from 'node:crypto';
import { generateAgentKeyPair } from '@patchwise/core';
import { canonicalInventoryJson, type InventoryDocument, type WireFacts } from '@patchwise/agent';
import type { FleetHost, FleetPackage, FleetSlot } from '../fleet/synthetic-fleet.js';
import { InventoryFragments, wirePackage } from './inventory-fragments.js';

/**
 * One simulated machine: its own Ed25519 key, machine id, host name and facts, and an inventory
 * drawn from the synthetic fleet. It keeps only its image, the slots where it deviates and its
 * digest; the upload body is rebuilt when the server asks for it, so 10,000 agents hold no 10,000
 * inventories.
 */
export class SimulatedAgent {
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  readonly machineId: string;
  readonly hostName: string;
  hostId = '';
  private readonly altSlots: Set<number>;
  /** Shared with every host of the same image. */
  private readonly fragments: InventoryFragments;
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
    this.fragments = InventoryFragments.of(host.image);
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
    const packages = this.host.image.slots.map((slot, i) => wirePackage(this.altSlots.has(i) ? slot.alt : slot.base));
    return { ...this.frame(), packages };
  }

  /**
   * The digest the real agent computes (`inventoryDigest` of `document()`), cached until the next
   * change. Computed from the canonical text joined from the image's cached fragments: the same
   * bytes `inventoryDigest` hashes, at a fraction of its cost (a test holds the two equal).
   */
  digest(): string {
    if (this.cachedDigest === undefined) {
      const [head, tail] = splitAtPackages(canonicalInventoryJson(this.frame()));
      const text = `${head}${this.fragments.canonicalPackages(this.altSlots)}${tail}`;
      this.cachedDigest = createHash('sha256').update(text, 'utf8').digest('hex');
    }
    return this.cachedDigest;
  }

  /**
   * The JSON body of this host's inventory upload, `{"digest":…,"inventory":…}`, byte for byte
   * what `JSON.stringify({ digest, inventory: document() })` gives, joined from the image's cached
   * fragments. Rebuilt on every call and never kept: 10,000 agents must not each hold a 1,000-package
   * document (or its 70 kB of text) between check-ins.
   */
  inventoryBody(digest: string): string {
    const [head, tail] = splitAtPackages(JSON.stringify({ digest, inventory: this.frame() }));
    return `${head}${this.fragments.wirePackages(this.altSlots)}${tail}`;
  }

  /** The document without packages: everything of it that is this host's own. */
  private frame(): InventoryDocument {
    return {
      format: 'patchwise-inventory',
      version: 1,
      host: { name: this.hostName, machineId: this.machineId, os: { id: 'almalinux', versionId: this.host.image.os }, ...(this.facts.kernel ? { kernel: this.facts.kernel } : {}) },
      packages: [],
    };
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
      if (wanted.has(p.name)) found.set(p.name, wirePackage(p).version);
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
      return;
    }
  }
}

/**
 * The JSON text of a document without packages, split where its packages go: inside the empty
 * array of `"packages":[]`, which occurs once (inside a JSON string a quote is always escaped).
 * The frame around the packages is thus written by the same code as the real agent's.
 */
function splitAtPackages(json: string): [string, string] {
  const found = json.indexOf(EMPTY_PACKAGES);
  if (found < 0) throw new Error('a document without packages has no "packages":[]');
  const at = found + EMPTY_PACKAGES.length - 1;
  return [json.slice(0, at), json.slice(at)];
}

const EMPTY_PACKAGES = '"packages":[]';

function samePackage(a: FleetPackage, b: FleetPackage): boolean {
  if (a.kind === 'pypi' || b.kind === 'pypi') return JSON.stringify(a) === JSON.stringify(b);
  return a.evr.epoch === b.evr.epoch && a.evr.version === b.evr.version && a.evr.release === b.evr.release && a.arch === b.arch;
}
