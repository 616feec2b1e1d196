import { selects, type HostGroup, type SelectableHost } from './host-group.js';
import type { PatchBaseline } from './patch-baseline.js';

/**
 * The baseline a host follows: of the baselines whose group selects it now, the one with the
 * lowest precedence (precedence is unique, so there is never a tie); else the default baseline
 * (the one without a group); else undefined, and the caller applies the built-in rule. A
 * baseline naming a group that no longer exists selects nobody.
 */
export function baselineForHost(
  baselines: readonly PatchBaseline[],
  groups: ReadonlyMap<string, HostGroup>,
  host: SelectableHost,
): PatchBaseline | undefined {
  let chosen: PatchBaseline | undefined;
  for (const b of baselines) {
    if (b.group === undefined) continue;
    const group = groups.get(b.group);
    if (!group || !selects(group.selector, host)) continue;
    if (!chosen || (b.precedence ?? Infinity) < (chosen.precedence ?? Infinity)) chosen = b;
  }
  return chosen ?? baselines.find((b) => b.group === undefined);
}
