/**
 * What a host has installed, in the shape every inventory format is read into.
 * The agent sends this shape too (docs/inventory-format.md is its schema).
 */
export interface InstalledPackage {
  /** OSV ecosystem the package is matched in, e.g. `Debian:12`, `AlmaLinux:9`, `PyPI`. */
  readonly ecosystem: string;
  /** Name as installed (binary package name for distros), normalised per ecosystem (PEP 503 for PyPI). */
  readonly name: string;
  /** Installed version in the ecosystem's syntax; rpm as `[epoch:]version-release`. */
  readonly version: string;
  /**
   * Source package name and version where the ecosystem's advisories name source packages
   * (Debian, Ubuntu). Matching uses these when present.
   */
  readonly sourceName?: string | undefined;
  readonly sourceVersion?: string | undefined;
  readonly arch?: string | undefined;
}

export interface HostAttributes {
  /** 0 (most critical) to 3. */
  readonly tier?: 0 | 1 | 2 | 3 | undefined;
  readonly internetFacing?: boolean | undefined;
  readonly environment?: string | undefined;
  readonly owner?: string | undefined;
}

export interface Distro {
  /** os-release ID, e.g. `debian`, `almalinux`, `alpine`. */
  readonly id: string;
  /** os-release VERSION_ID, e.g. `12`, `9.4`, `3.18.4`. */
  readonly versionId: string;
  /** The OSV ecosystem its packages belong to, e.g. `Debian:12`. */
  readonly ecosystem: string;
}

export interface HostInventory {
  /** Host name: CycloneDX metadata.component.name, the inventory's own field, else the file name. */
  readonly host: string;
  /** Where it was read from (file path, archive entry). */
  readonly source: string;
  /** A stable machine identity when the input carries one (Patchwise JSON `host.machineId`). */
  readonly machineId?: string | undefined;
  readonly distro?: Distro | undefined;
  readonly attributes?: HostAttributes | undefined;
  /**
   * The running kernel's release (`uname -r`), when known: kernel packages of other releases
   * are installed but idle, and are not assessed (matching's `withoutIdleKernels`).
   */
  readonly runningKernel?: string | undefined;
  readonly packages: readonly InstalledPackage[];
}
