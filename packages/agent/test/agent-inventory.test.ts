/** The whole collection on this machine: facts + packages → a v1 document core accepts, and its digest. */
import { buildInventoryDocument, collectFacts, collectPackages, inventoryDigest } from '@patchwise/agent';
import { parseInventory } from '@patchwise/core';
import { describe, expect, it } from 'vitest';

describe('inventory of this machine (root /)', () => {
  it('is a document parseInventory accepts, with a digest that survives re-collection and reordering', async () => {
    const facts = await collectFacts({ root: '/' });
    const collected = await collectPackages({ root: '/' });
    const doc = buildInventoryDocument(facts, collected.packages);

    const result = parseInventory(JSON.stringify(doc), 'agent', {});
    expect(result.format).toBe('patchwise-json');
    const inv = result.inventories[0];
    expect(inv?.host).toBe(facts.hostname);
    expect(inv?.packages).toHaveLength(collected.packages.length);
    expect(inv?.distro?.id).toBe(facts.os?.id);

    const again = buildInventoryDocument(await collectFacts({ root: '/' }), (await collectPackages({ root: '/' })).packages);
    expect(inventoryDigest(again)).toBe(inventoryDigest(doc));
    expect(inventoryDigest({ ...doc, packages: [...doc.packages].reverse() })).toBe(inventoryDigest(doc));
  });
});
