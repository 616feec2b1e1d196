import { PatchwiseError } from '../errors/index.js';
import { osSelected, parseOsSelector } from '../inventory/index.js';

/**
 * Which hosts a group holds, evaluated whenever the group is used (so a host enrolled tomorrow
 * with tier 0 is in "tier-0 production" tomorrow). Every field given must hold; the values of one
 * field are alternatives, except `tags`, all of which a host must carry. `hosts` names members
 * outright (ids or names): a static group has only that field.
 */
export interface HostSelector {
  readonly hosts?: readonly string[];
  readonly tier?: readonly number[];
  readonly environment?: readonly string[];
  readonly tags?: readonly string[];
  /** `debian` for every release, `debian-12` for one, `opensuse-leap-15.5` (as `hosts list --os`; parseOsSelector). */
  readonly os?: readonly string[];
  readonly cluster?: readonly string[];
  readonly internetFacing?: boolean;
}

export interface HostGroup {
  readonly name: string;
  readonly description: string;
  readonly selector: HostSelector;
}

/** What a selector looks at. */
export interface SelectableHost {
  readonly id: string;
  readonly name: string;
  readonly os: { readonly id: string; readonly versionId: string | null } | null;
  readonly attributes: {
    readonly tier: number | null;
    readonly environment: string | null;
    readonly tags: readonly string[];
    readonly cluster: string | null;
    readonly internetFacing: boolean | null;
  };
}

export function selects(selector: HostSelector, h: SelectableHost): boolean {
  const a = h.attributes;
  const oneOf = <T>(values: readonly T[] | undefined, v: T | null) => values === undefined || (v !== null && values.includes(v));
  return (
    (selector.hosts === undefined || selector.hosts.includes(h.id) || selector.hosts.some((n) => n.toLowerCase() === h.name.toLowerCase())) &&
    oneOf(selector.tier, a.tier) &&
    oneOf(selector.environment, a.environment) &&
    oneOf(selector.cluster, a.cluster) &&
    (selector.tags === undefined || selector.tags.every((t) => a.tags.includes(t))) &&
    (selector.internetFacing === undefined || a.internetFacing === selector.internetFacing) &&
    (selector.os === undefined || selector.os.some((o) => osMatches(o, h.os)))
  );
}

function osMatches(wanted: string, os: SelectableHost['os']): boolean {
  if (os === null) return false;
  let selector;
  try {
    selector = parseOsSelector(wanted, 'selector.os');
  } catch {
    // parseHostGroup refuses such a value; one stored before it did selects nothing, as it did then.
    return false;
  }
  return osSelected(selector, os);
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const FIELDS = new Set(['hosts', 'tier', 'environment', 'tags', 'os', 'cluster', 'internetFacing']);

/**
 * Validates a group from an API body or a policy file. Names are lower-case slugs. An empty
 * selector (every host) is refused: a group of everything is almost always a mistake in a
 * rollout target or an access scope.
 */
export function parseHostGroup(value: unknown, source: string): HostGroup {
  const bad = (field: string, reason: string) => new PatchwiseError('PW_INPUT_INVALID', `${field}: ${reason}`, { input: source });
  if (!isObject(value)) throw bad('group', 'expected an object with name and selector');
  for (const k of Object.keys(value)) if (!['name', 'description', 'selector'].includes(k)) throw bad(k, 'unknown field (expected name, description, selector)');
  if (typeof value.name !== 'string' || !NAME.test(value.name)) throw bad('name', 'expected 1-64 lower-case letters, digits, ".", "_" or "-", starting with a letter or digit');
  const description = value.description ?? '';
  if (typeof description !== 'string' || description.length > 500) throw bad('description', 'expected text of at most 500 characters');
  const s = value.selector;
  if (!isObject(s)) throw bad('selector', 'expected an object');
  for (const k of Object.keys(s)) if (!FIELDS.has(k)) throw bad(`selector.${k}`, `unknown field (expected ${[...FIELDS].join(', ')})`);
  const strings = (k: string, max = 1000): string[] | undefined => {
    const v = s[k];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length === 0 || v.length > max || !v.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 253)) {
      throw bad(`selector.${k}`, `expected a non-empty list of at most ${max} strings`);
    }
    return v as string[];
  };
  const tier = s.tier;
  if (tier !== undefined && (!Array.isArray(tier) || tier.length === 0 || !tier.every((t) => t === 0 || t === 1 || t === 2 || t === 3))) throw bad('selector.tier', 'expected a non-empty list of tiers 0..3');
  if (s.internetFacing !== undefined && typeof s.internetFacing !== 'boolean') throw bad('selector.internetFacing', 'expected true or false');
  const os = strings('os');
  for (const [i, o] of (os ?? []).entries()) parseOsSelector(o, `${source}: selector.os[${i}]`);
  const selector: HostSelector = {
    ...opt('hosts', strings('hosts', 10_000)),
    ...opt('tier', tier as number[] | undefined),
    ...opt('environment', strings('environment')),
    ...opt('tags', strings('tags')),
    ...opt('os', os),
    ...opt('cluster', strings('cluster')),
    ...opt('internetFacing', s.internetFacing),
  };
  if (Object.keys(selector).length === 0) throw bad('selector', 'selects every host; name at least one field (a group of everything is rarely meant)');
  return { name: value.name, description, selector };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
