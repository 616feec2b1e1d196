import type { HostInventory } from '../inventory/index.js';
import { withoutIdleKernels } from './idle-kernels.js';
import { matchTarget } from './match-target.js';

/**
 * The packages a host's assessment covers, as findings name them: (ecosystem, matched name,
 * compared version), the name and version `matchTarget` gives (a Debian binary counts under its
 * source package and source version, as its findings do). Whether the package a closed finding
 * recorded is still among them tells a remediation (fixed) from a changed advisory (retracted).
 *
 * Kernels other than the running one are left out as `assessHost` leaves them out: a host that
 * booted a fixed kernel fixed the old one's findings, though the old package stays on disk.
 * Built on first use: most re-assessments close no finding and never ask.
 */
export class InstalledTargets {
  private keys: Set<string> | undefined;

  constructor(private readonly host: Pick<HostInventory, 'packages' | 'runningKernel'>) {}

  has(ecosystem: string, name: string, version: string): boolean {
    if (this.keys === undefined) {
      this.keys = new Set();
      for (const p of withoutIdleKernels(this.host.packages, this.host.runningKernel)) {
        const target = matchTarget(p);
        this.keys.add(keyOf(p.ecosystem, target.name, target.version));
      }
    }
    return this.keys.has(keyOf(ecosystem, name, version));
  }
}

/** Parts joined by U+001F, as `findingKey` joins them: no ecosystem, name or version has one. */
function keyOf(ecosystem: string, name: string, version: string): string {
  return `${ecosystem}\u001f${name}\u001f${version}`;
}
