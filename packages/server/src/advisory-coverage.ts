import type { ControlPlane } from './control-plane.js';

/**
 * Whether any advisory held applies to a host's ecosystem (`ControlPlane.advisoriesCover`, the
 * matcher's own rule), as `advisoriesHeld` in host views: false means the host shows no findings
 * because nothing is known about it, not because it is clean; null, that its ecosystem is not
 * known. Answers are kept per ecosystem for one request: a page of 1,000 hosts has a handful.
 */
export function advisoryCoverage(controlPlane: Pick<ControlPlane, 'advisoriesCover'>): (ecosystem: string | null) => boolean | null {
  const held = new Map<string, boolean>();
  return (ecosystem) => {
    if (ecosystem === null) return null;
    let covered = held.get(ecosystem);
    if (covered === undefined) held.set(ecosystem, (covered = controlPlane.advisoriesCover(ecosystem)));
    return covered;
  };
}
