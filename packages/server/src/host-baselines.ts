import { DEFAULT_COMPLIANCE_RULE, PolicyStore, baselineForHost, builtInBaseline, type HostGroup, type PatchBaseline, type Priority, type SelectableHost } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from './database.js';

/** Which baseline each host follows, read once per request: stored baselines and the groups they name. */
export class HostBaselines {
  private constructor(
    readonly stored: readonly PatchBaseline[],
    private readonly groups: ReadonlyMap<string, HostGroup>,
    readonly builtIn: PatchBaseline,
  ) {}

  /** `failAt` shapes the built-in rule, for hosts no stored baseline applies to. */
  static async load(db: Kysely<Database>, clock: () => Date, failAt: Priority = DEFAULT_COMPLIANCE_RULE.failAt): Promise<HostBaselines> {
    const policy = new PolicyStore(tablesOf(db), clock);
    const stored = await policy.baselines();
    const groups = stored.some((b) => b.group !== undefined) ? new Map((await policy.groups()).map((g) => [g.name, g])) : new Map<string, HostGroup>();
    return new HostBaselines(stored, groups, builtInBaseline(failAt));
  }

  /** The host's baseline, or the built-in rule (`stored: false`). */
  of(host: SelectableHost): { baseline: PatchBaseline; stored: boolean } {
    const b = this.stored.length > 0 ? baselineForHost(this.stored, this.groups, host) : undefined;
    return b ? { baseline: b, stored: true } : { baseline: this.builtIn, stored: false };
  }
}
