import { PatchwiseError } from '../errors/index.js';

/** What people (or an enrollment token, or the agent's config) set on a host. */
export interface HostAttributeValues {
  /** Criticality, 0 most critical. */
  readonly tier: 0 | 1 | 2 | 3 | null;
  readonly owner: string | null;
  readonly environment: string | null;
  /** Exposure: reachable from the internet. */
  readonly internetFacing: boolean | null;
  /** HA cluster the host belongs to (rollouts never take too many of one cluster at once). */
  readonly cluster: string | null;
  /** IANA time zone for maintenance windows, e.g. `Europe/Berlin`. */
  readonly timezone: string | null;
  readonly tags: readonly string[];
}

/** A partial update: a field left out is unchanged, `null` clears it. */
export type HostAttributePatch = { -readonly [K in keyof HostAttributeValues]?: HostAttributeValues[K] };

export const EMPTY_ATTRIBUTES: HostAttributeValues = {
  tier: null,
  owner: null,
  environment: null,
  internetFacing: null,
  cluster: null,
  timezone: null,
  tags: [],
};

const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.:=/-]{0,63}$/;
const KEYS = new Set<string>(Object.keys(EMPTY_ATTRIBUTES));

/**
 * Validates an attribute patch from JSON (API body, enrollment token, agent config). Unknown
 * fields are errors, so a misspelt `internetfacing` cannot silently leave a risk score low.
 */
export function parseAttributePatch(value: unknown, source: string): HostAttributePatch {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(source, 'attributes', 'must be an object');
  const patch: HostAttributePatch = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'exposure') {
      patch.internetFacing = exposure(v, source);
      continue;
    }
    if (!KEYS.has(key)) throw invalid(source, key, `is not a host attribute (known: ${[...KEYS].join(', ')}, exposure)`);
    const k = key as keyof HostAttributeValues;
    if (v === null) {
      if (k === 'tags') patch.tags = [];
      else patch[k] = null;
      continue;
    }
    switch (k) {
      case 'tier':
        if (v !== 0 && v !== 1 && v !== 2 && v !== 3) throw invalid(source, key, 'must be 0, 1, 2 or 3');
        patch.tier = v;
        break;
      case 'internetFacing':
        if (typeof v !== 'boolean') throw invalid(source, key, 'must be true or false');
        patch.internetFacing = v;
        break;
      case 'owner':
        patch.owner = text(v, source, key, 128);
        break;
      case 'environment':
      case 'cluster':
        if (typeof v !== 'string' || !LABEL.test(v)) throw invalid(source, key, 'must be 1–64 letters, digits or _.:=/- starting with a letter or digit');
        patch[k] = v;
        break;
      case 'timezone':
        patch.timezone = timeZone(v, source);
        break;
      case 'tags': {
        if (!Array.isArray(v)) throw invalid(source, key, 'must be an array of strings');
        const tags = v.map((t, i) => {
          if (typeof t !== 'string' || !LABEL.test(t)) throw invalid(source, `tags[${i}]`, 'must be 1–64 letters, digits or _.:=/-');
          return t;
        });
        patch.tags = [...new Set(tags)].sort();
        break;
      }
    }
  }
  return patch;
}

/** Exposure in words, as CMDBs and scanners say it: another spelling of internetFacing. */
const EXPOSURES: Readonly<Record<string, boolean>> = { internet: true, 'internet-facing': true, public: true, external: true, internal: false, private: false, none: false };

function exposure(v: unknown, source: string): boolean | null {
  if (v === null) return null;
  const known = typeof v === 'string' ? EXPOSURES[v.toLowerCase()] : undefined;
  if (known === undefined) throw invalid(source, 'exposure', `must be one of ${Object.keys(EXPOSURES).join(', ')} (it sets internetFacing)`);
  return known;
}

/**
 * Reads `key=value` pairs as typed on a command line (`--attr tier=1 --attr tags=web,pci`) into
 * the JSON shape `parseAttributePatch` validates: numbers for tier, booleans, comma lists for tags,
 * and an empty value to clear.
 */
export function attributePairsToObject(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new PatchwiseError('PW_USAGE', `--attr ${pair}: expected key=value`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    if (raw === '') out[key] = null;
    else if (key === 'tier') out[key] = /^\d+$/.test(raw) ? Number(raw) : raw;
    else if (key === 'internetFacing') out[key] = raw === 'true' ? true : raw === 'false' ? false : raw;
    else if (key === 'tags') out[key] = raw.split(',').filter((t) => t !== '');
    else out[key] = raw;
  }
  return out;
}

export function applyAttributePatch(current: HostAttributeValues, patch: HostAttributePatch): HostAttributeValues {
  return { ...current, ...patch };
}

function text(v: unknown, source: string, key: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '' || v.length > max || hasControlCharacter(v)) {
    throw invalid(source, key, `must be a non-empty string of at most ${max} characters without control characters`);
  }
  return v;
}

function hasControlCharacter(v: string): boolean {
  for (let i = 0; i < v.length; i++) if (v.charCodeAt(i) < 0x20) return true;
  return false;
}

function timeZone(v: unknown, source: string): string {
  if (typeof v !== 'string') throw invalid(source, 'timezone', 'must be an IANA time zone name such as Europe/Berlin');
  try {
    // The runtime's ICU data is the authority on which zone names exist.
    return new Intl.DateTimeFormat('en-US', { timeZone: v }).resolvedOptions().timeZone;
  } catch {
    throw invalid(source, 'timezone', `"${v}" is not an IANA time zone name`);
  }
}

function invalid(source: string, field: string, reason: string): PatchwiseError {
  return new PatchwiseError('PW_INPUT_INVALID', `${field}: ${reason}`, { input: source });
}
