/**
 * Patch sets: immutable, numbered lists of exact target versions, made from open findings (the
 * highest fixed version per package) or by hand, each with what it fixes. Deployments and their
 * change requests name a patch set.
 */
export { fixesOfTargets, patchSetFromFindings } from './patch-set.js';
export type { FixableFinding, PatchFix, PatchSet, PatchTarget } from './patch-set.js';
export { PatchSetStore } from './patch-set-store.js';
export type { PatchSetsTables } from './tables.js';
