import { PatchwiseError, rpmScheme } from '@patchwise/core';
import { evrText, type Evr } from './feed-versions.js';
import type { FleetImage, SyntheticFleet } from './synthetic-fleet.js';

/** A hand-written patch set target (the API's `targets` entry). */
export interface UpgradeTarget {
  readonly ecosystem: string;
  readonly package: string;
  readonly version: string;
}

/**
 * Targets of a patch set that every host of the fleet needs: for each AlmaLinux major, rpm
 * packages installed on every image of that major, each at a version above any host's. No one
 * package is on every image (images sample ~700 of a release's thousands of names), so the
 * names are chosen greedily, the one on most images not yet covered first, until each image has
 * one: a host then gets a job of one or two packages, as a targeted security fix would.
 */
export function upgradeTargets(fleet: SyntheticFleet): UpgradeTarget[] {
  const byMajor = new Map<string, FleetImage[]>();
  for (const image of fleet.images) {
    const major = image.os.split('.')[0] as string;
    byMajor.set(major, [...(byMajor.get(major) ?? []), image]);
  }
  const out: UpgradeTarget[] = [];
  for (const [major, images] of [...byMajor].sort(([a], [b]) => Number(a) - Number(b))) {
    // Each image's rpm names, and every version any host of it may have (base or alternative).
    const versions = images.map((image) => {
      const m = new Map<string, Evr[]>();
      for (const { base, alt } of image.slots) if (base.kind === 'rpm' && alt.kind === 'rpm') m.set(base.name, [base.evr, alt.evr]);
      return m;
    });
    let uncovered = versions.map((_, i) => i);
    while (uncovered.length > 0) {
      const counts = new Map<string, number>();
      for (const i of uncovered) for (const name of (versions[i] as Map<string, Evr[]>).keys()) counts.set(name, (counts.get(name) ?? 0) + 1);
      // Most images first, then by name, so a seed always gives the same targets.
      const [name] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0] ?? [];
      if (name === undefined) throw new PatchwiseError('PW_INPUT_INVALID', `an AlmaLinux ${major} image has no rpm package to target`);
      const installed = versions.flatMap((m) => m.get(name) ?? []);
      out.push({ ecosystem: `AlmaLinux:${major}`, package: name, version: above(installed) });
      uncovered = uncovered.filter((i) => !(versions[i] as Map<string, Evr[]>).has(name));
    }
  }
  return out;
}

/** A version above each of these: the highest one's release with `.1` appended (rpm orders the longer release after). */
function above(installed: readonly Evr[]): string {
  const parsed = installed.map((e) => ({ e, v: rpmScheme.parse(evrText(e)) }));
  const top = parsed.reduce((a, b) => (rpmScheme.compare(a.v, b.v) >= 0 ? a : b));
  const bumped = evrText({ ...top.e, release: top.e.release ? `${top.e.release}.1` : '1' });
  const v = rpmScheme.parse(bumped);
  if (!parsed.every((p) => rpmScheme.compare(v, p.v) > 0)) throw new PatchwiseError('PW_INTERNAL', `${bumped} is not above every installed version`);
  return bumped;
}
