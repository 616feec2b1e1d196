/**
 * A content digest of an inventory document, so the agent can send 64 hex characters at check-in
 * and the full document only when the server does not already have it.
 *
 * Canonical encoding (the digest is SHA-256 over its UTF-8 bytes, as lower-case hex):
 * 1. `packages` is sorted by ecosystem (absent sorts as ""), name, version, arch (absent as ""),
 *    then sourceName and sourceVersion, comparing strings by UTF-16 code units (never by locale,
 *    which would differ between machines). Identical entries keep their multiplicity.
 * 2. Every object is written with its keys sorted by UTF-16 code units; keys whose value is
 *    `undefined` are left out (as JSON.stringify does); arrays keep their order.
 * 3. Strings, numbers, booleans and null are written as JSON.stringify writes them, with no
 *    whitespace anywhere. For the values a v1 document holds (strings, small integers, booleans)
 *    this is RFC 8785 (JCS) output, so other implementations can reproduce the digest.
 * Hence the digest ignores package order and key order, and changes with any value.
 */
import { createHash } from 'node:crypto';
import type { InventoryDocument, InventoryPackage } from './inventory-document.js';

/** SHA-256 (hex) of the document's canonical encoding (described at the top of this file). */
export function inventoryDigest(doc: InventoryDocument): string {
  return createHash('sha256').update(canonicalInventoryJson(doc), 'utf8').digest('hex');
}

/** The canonical encoding itself, for debugging a digest mismatch and for other implementations' tests. */
export function canonicalInventoryJson(doc: InventoryDocument): string {
  const packages = [...doc.packages].sort(comparePackages);
  return canonicalJson({ ...doc, packages });
}

const PACKAGE_ORDER: readonly (keyof InventoryPackage)[] = ['ecosystem', 'name', 'version', 'arch', 'sourceName', 'sourceVersion'];

function comparePackages(a: InventoryPackage, b: InventoryPackage): number {
  for (const k of PACKAGE_ORDER) {
    const c = compareCodeUnits(a[k] ?? '', b[k] ?? '');
    if (c !== 0) return c;
  }
  return 0;
}

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort(compareCodeUnits);
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
