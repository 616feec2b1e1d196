/** What the package collectors return: packages for the inventory document, and what went wrong. */
import type { SkippedCount } from '@patchwise/core';
import type { InventoryPackage } from './inventory-document.js';

/** Packages found under a root, with everything the caller should know about how they were found. */
export interface CollectedPackages {
  /** The `packages` array of a Patchwise inventory v1 document. */
  readonly packages: InventoryPackage[];
  /**
   * Things people should see, each naming the file or program concerned: a package database that
   * could not be read, a Python package without a version, several package databases in one root.
   */
  readonly warnings: string[];
  /** Entries left out on purpose, counted by reason (`dpkg state config-files`, `rpm gpg-pubkey …`). */
  readonly skipped: SkippedCount[];
  /**
   * False when a package database was found but not read (today: rpm not installed on the machine
   * running the agent). Such a snapshot lacks packages the host has, so a server must not take the
   * missing packages as removed (and close their findings as fixed).
   */
  readonly complete: boolean;
}
