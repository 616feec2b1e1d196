/**
 * The Patchwise inventory JSON document (version 1, docs/inventory-format.md) the agent sends,
 * built from collected facts and packages.
 */
import { PATCHWISE_INVENTORY_FORMAT, PatchwiseError, countNoun, ecosystemForDistro, isPatchwiseError } from '@patchwise/core';
import type { HostFacts } from './host-facts.js';

/** One entry of a v1 document's `packages`. Distribution packages leave `ecosystem` out: it is the host's. */
export interface InventoryPackage {
  /** OSV ecosystem (`PyPI`); absent for distribution packages, which take the host's (`Debian:12`). */
  readonly ecosystem?: string;
  /** As installed; Python names as written in the metadata (the server normalises). */
  readonly name: string;
  /** In the ecosystem's syntax; rpm as `[E:]V-R`. */
  readonly version: string;
  readonly arch?: string;
  /** Source package (dpkg `Source`, apk origin, the rpm's source rpm). */
  readonly sourceName?: string;
  readonly sourceVersion?: string;
}

/** A Patchwise inventory JSON document, version 1, as the agent builds it. */
export interface InventoryDocument {
  readonly format: typeof PATCHWISE_INVENTORY_FORMAT;
  readonly version: 1;
  readonly host: {
    readonly name: string;
    readonly machineId?: string;
    readonly os?: { readonly id: string; readonly versionId?: string };
    /** The running kernel's release (`uname -r`): the server then leaves idle kernels out. */
    readonly kernel?: string;
  };
  readonly packages: readonly InventoryPackage[];
}

export interface BuildInventoryOptions {
  /** Host name to use instead of the collected one (a mounted image often has no /etc/hostname). */
  readonly hostName?: string | undefined;
}

/**
 * Builds the v1 document core's `parseInventory` accepts: host name, machine id and running kernel
 * from the facts, `host.os` from os-release `ID`/`VERSION_ID`, packages as given (keys with no value left out).
 *
 * Throws PW_INPUT_INVALID when there is no host name (neither collected nor given), and rethrows
 * core's PW_ECOSYSTEM_UNKNOWN / PW_INPUT_INVALID when distribution packages (those without an
 * `ecosystem`) cannot be placed because the distribution is unknown, has no OSV ecosystem or has a
 * misshapen VERSION_ID: version 1 cannot carry them, and dropping them silently would look like
 * an empty host. A caller that wants the rest anyway passes `packages.filter((p) => p.ecosystem)`.
 */
export function buildInventoryDocument(
  facts: HostFacts,
  packages: readonly InventoryPackage[],
  options: BuildInventoryOptions = {},
): InventoryDocument {
  const name = (options.hostName ?? facts.hostname ?? '').trim();
  if (name === '') {
    throw new PatchwiseError('PW_INPUT_INVALID', 'host name unknown: the root has no /etc/hostname and none was given', { input: 'host facts' });
  }
  const distroPackages = packages.filter((p) => p.ecosystem === undefined).length;
  if (facts.os === null) {
    if (distroPackages > 0) {
      throw new PatchwiseError('PW_INPUT_INVALID', `${countNoun(distroPackages, 'distribution package')} but no os-release to name their ecosystem`, { input: 'host facts' });
    }
  } else {
    try {
      ecosystemForDistro(facts.os.id, facts.os.versionId ?? '');
    } catch (err) {
      // An unknown distribution is fine for a document whose packages all name their ecosystem.
      const harmless = isPatchwiseError(err) && err.code === 'PW_ECOSYSTEM_UNKNOWN' && distroPackages === 0;
      if (!harmless) throw err;
    }
  }
  const os = facts.os === null ? undefined : { id: facts.os.id, ...(facts.os.versionId ? { versionId: facts.os.versionId } : {}) };
  return {
    format: PATCHWISE_INVENTORY_FORMAT,
    version: 1,
    host: { name, ...(facts.machineId ? { machineId: facts.machineId } : {}), ...(os ? { os } : {}), ...(facts.kernelRelease ? { kernel: facts.kernelRelease } : {}) },
    packages: packages.map(cleanPackage),
  };
}

/** A copy with only the v1 fields that have a value (an `undefined` would break `deepEqual` and digests). */
export function cleanPackage(p: InventoryPackage): InventoryPackage {
  const out: { -readonly [K in keyof InventoryPackage]: InventoryPackage[K] } = { name: p.name, version: p.version };
  if (p.ecosystem !== undefined) out.ecosystem = p.ecosystem;
  if (p.arch !== undefined) out.arch = p.arch;
  if (p.sourceName !== undefined) out.sourceName = p.sourceName;
  if (p.sourceVersion !== undefined) out.sourceVersion = p.sourceVersion;
  return out;
}
