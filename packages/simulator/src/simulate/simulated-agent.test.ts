import { beforeAll, describe, expect, it } from 'vitest';
import { inventoryDigest } from '@patchwise/agent';
import { seededRandom } from '../fleet/seeded-random.js';
import { SyntheticFleet, type FleetHost, type FleetImage } from '../fleet/synthetic-fleet.js';
import { InventoryFragments } from './inventory-fragments.js';
import { SimulatedAgent } from './simulated-agent.js';

// The digest and body are joined from cached fragments; the server compares the digest with its
// own `inventoryDigest` of what arrives, so both must equal what the agent's code computes.
let fleet: SyntheticFleet;

beforeAll(async () => {
  fleet = await SyntheticFleet.fromFeeds({ packagesPerHost: 400, pypiPerHost: 60, seed: 11, images: 6 });
});

/** What the real agent's client sends for a document and its digest. */
const wireBody = (agent: SimulatedAgent, digest: string) => JSON.stringify({ digest, inventory: agent.document() });

function expectAsTheAgentComputes(agent: SimulatedAgent): void {
  const digest = inventoryDigest(agent.document());
  expect(agent.digest()).toBe(digest);
  expect(agent.inventoryBody(digest)).toBe(wireBody(agent, digest));
}

describe('SimulatedAgent digest and upload body', () => {
  it('equal inventoryDigest and JSON.stringify of the document, for many hosts with rpm and PyPI packages', () => {
    const agents = Array.from({ length: 80 }, (_, i) => new SimulatedAgent(fleet.nextHost(), 'dig001', `t${i}`));
    expect(agents.some((a) => a.document().packages.some((p) => p.ecosystem === 'PyPI'))).toBe(true);
    expect(agents.some((a) => a.document().packages.some((p) => p.version.includes(':')))).toBe(true);
    for (const agent of agents) expectAsTheAgentComputes(agent);
    // Every image's order is precomputed (the synthetic fleet's slots never tie on name).
    for (const image of fleet.images) expect(InventoryFragments.of(image).sharedOrder).toBe(true);
  });

  it('follow every change', () => {
    const random = seededRandom(7);
    for (let h = 0; h < 12; h++) {
      const agent = new SimulatedAgent(fleet.nextHost(), 'chg001', 'test');
      for (let c = 0; c < 25; c++) {
        const before = agent.digest();
        agent.change(random);
        expect(agent.digest()).not.toBe(before);
        expectAsTheAgentComputes(agent);
      }
    }
  });

  it('sort per host when an image has the same name twice (base and alt orders differ)', () => {
    const rpm = (name: string, version: string, arch: string) => ({ kind: 'rpm' as const, name, evr: { epoch: '0', version, release: '1.el9' }, arch });
    const image: FleetImage = {
      os: '9.4',
      slots: [
        { base: rpm('kernel', '5.14.0', 'x86_64'), alt: rpm('kernel', '5.14.1', 'x86_64') },
        { base: rpm('kernel', '5.14.2', 'x86_64'), alt: rpm('kernel', '5.13.0', 'x86_64') },
        { base: rpm('glibc', '2.34', 'x86_64'), alt: rpm('glibc', '2.34', 'i686') },
        { base: { kind: 'pypi', name: 'Requests', version: '2.31.0' }, alt: { kind: 'pypi', name: 'Requests', version: '2.32.0' } },
        { base: { kind: 'pypi', name: 'attrs', version: '23.1.0' }, alt: { kind: 'pypi', name: 'attrs', version: '22.1.0' } },
      ],
    };
    expect(InventoryFragments.of(image).sharedOrder).toBe(false);
    const subsets = [[], [0], [1], [0, 1], [2, 3], [0, 1, 2, 3, 4]];
    const digests = subsets.map((altSlots, index) => {
      const host: FleetHost = { index, image, uuid: `00000000-0000-4000-a000-00000000000${index}`, altSlots };
      const agent = new SimulatedAgent(host, 'tie001', 'test');
      expectAsTheAgentComputes(agent);
      return inventoryDigest({ ...agent.document(), host: { name: 'same' } });
    });
    // Same host name, different packages: all different, so the alt slots were really used.
    expect(new Set(digests).size).toBe(subsets.length);
  });

  it('keeps no document nor body between check-ins, only the digest', () => {
    const agent = new SimulatedAgent(fleet.nextHost(), 'mem001', 'test');
    agent.inventoryBody(agent.digest());
    // Its own fields: keys, names, facts, deviating slots, the shared fragments and one digest.
    const own = Object.values(agent as unknown as Record<string, unknown>);
    expect(own.filter((v) => Array.isArray(v) || (typeof v === 'string' && v.length > 1000))).toEqual([]);
  });
});
