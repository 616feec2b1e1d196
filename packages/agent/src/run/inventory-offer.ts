/**
 * What the agent can offer the server at a check-in, decided from the collected facts and
 * packages and from what the server last took from it; pure (no I/O), so every case is tested
 * beside it. The rule it keeps: an inventory that leaves out packages the host has must never
 * replace the stored one, since the server would close their findings as fixed.
 */
import { countNoun, isPatchwiseError } from '@patchwise/core';
import { buildInventoryDocument, inventoryDigest } from '../collect/index.js';
import type { CollectedPackages, HostFacts, InventoryDocument } from '../collect/index.js';

/**
 * The inventory the server holds from this agent, as far as the agent knows (it took the upload,
 * or answered that it already had that digest). Kept in `<state>/reported-inventory.json`.
 */
export interface ReportedInventory {
  readonly digest: string;
  /** The distribution its distribution packages were placed under; null when it had none. */
  readonly distribution: { readonly id: string; readonly versionId: string | null } | null;
}

/** An offer, and what kept the agent from offering more. */
export interface InventoryOffer {
  /** Undefined when nothing can be sent. */
  readonly document?: InventoryDocument;
  /**
   * The document's digest, computed once: the check-in sends it and an upload repeats it. Null
   * when there is no document: "inventory unknown, keep the stored one" (the server answers
   * sendInventory, and the agent sends nothing).
   */
  readonly digest: string | null;
  /** False when a package database was found but not read: the document must not be uploaded. */
  readonly complete: boolean;
  /** Why less than the whole inventory is offered; `error` when the stored inventory is kept because the agent cannot tell what the host is. */
  readonly problem?: { readonly level: 'warning' | 'error'; readonly text: string };
}

/** The offer when the package databases were refused (collectPackages threw): nothing, and why. */
export function refusedOffer(reason: string): InventoryOffer {
  return { digest: null, complete: false, problem: { level: 'warning', text: `packages not collected, no inventory sent: ${reason}` } };
}

/**
 * The offer for these facts and packages. Distribution packages (those without an `ecosystem`)
 * need the distribution's OSV ecosystem; when it cannot be named there are two cases:
 *
 * - a distribution the agent can name that has no OSV ecosystem: an os-release ID Patchwise maps
 *   to none (CentOS Stream `ID=centos`), or a release without a usable VERSION_ID (Debian sid) on
 *   a host whose packages were never placed under that ID. The server could never have matched
 *   its distribution packages, so the packages that name their own ecosystem (Python) go alone,
 *   without `host.os`;
 * - a distribution the agent cannot tell: no os-release read (missing or unreadable), no `ID` in
 *   it (os-release(5) then says `linux`), or the ID whose packages the server holds now without a
 *   usable VERSION_ID (a damaged os-release, not a new distribution). A Python-only upload would
 *   close every distribution finding as fixed, so nothing is offered and the stored inventory stays.
 *
 * Telling the last two apart needs `reported`; an agent that has none yet (first check-in, or
 * upgraded from a version that kept none) takes the first reading. A host that really moved to
 * a release of the same distribution without VERSION_ID (Debian 12 to sid) stays on its last
 * inventory, with the error logged, until `<state>/reported-inventory.json` is removed.
 */
export function offerInventory(facts: HostFacts, collected: CollectedPackages, hostName: string, reported: ReportedInventory | undefined): InventoryOffer {
  const { packages, complete } = collected;
  let document: InventoryDocument;
  try {
    document = buildInventoryDocument(facts, packages, { hostName });
  } catch (err) {
    if (!isPatchwiseError(err) || (err.code !== 'PW_ECOSYSTEM_UNKNOWN' && err.code !== 'PW_INPUT_INVALID')) throw err;
    const own = packages.filter((p) => p.ecosystem !== undefined);
    const left = packages.length - own.length;
    const cause = unknownDistribution(facts, reported);
    if (cause !== undefined) {
      return { digest: null, complete: false, problem: { level: 'error', text: `cannot tell the distribution (${cause}): ${countNoun(left, 'distribution package')} cannot be placed (${err.message}); no inventory sent, the stored one stays` } };
    }
    document = buildInventoryDocument({ ...facts, os: null }, own, { hostName });
    return {
      document,
      digest: inventoryDigest(document),
      complete,
      problem: { level: 'warning', text: `${countNoun(left, 'distribution package')} not sent (${err.message}); ${countNoun(own.length, 'package')} that ${own.length === 1 ? 'names its' : 'name their'} own ecosystem (PyPI) sent` },
    };
  }
  return { document, digest: inventoryDigest(document), complete };
}

/** Why the distribution of a host whose distribution packages cannot be placed is unknown, or undefined when it is known (see offerInventory). */
function unknownDistribution(facts: HostFacts, reported: ReportedInventory | undefined): string | undefined {
  if (facts.os === null) return 'no os-release could be read';
  if (facts.os.id === 'linux') return 'os-release has no ID';
  const before = reported?.distribution;
  if (before && before.id === facts.os.id) {
    const now = facts.os.versionId === null ? 'none' : `"${facts.os.versionId}"`;
    const release = before.versionId === null ? before.id : `${before.id} ${before.versionId}`;
    return `its packages were last reported as ${release}, os-release now gives VERSION_ID ${now}`;
  }
  return undefined;
}

/** What to remember once the server holds `document` (whose digest is `digest`). */
export function reportedInventoryOf(document: InventoryDocument, digest: string): ReportedInventory {
  const os = document.host.os;
  const placed = os !== undefined && document.packages.some((p) => p.ecosystem === undefined);
  return { digest, distribution: placed ? { id: os.id, versionId: os.versionId ?? null } : null };
}
