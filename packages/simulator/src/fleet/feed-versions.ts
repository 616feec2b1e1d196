import { PatchwiseError, loadAdvisories, pep440Scheme, rpmScheme, type Advisory } from '@patchwise/core';

/**
 * An EVR split as the purl spells it: epoch ('' or '0' when none, as rpm reads them), version,
 * release (undefined when none). The fixes come split by rpmScheme.parse; the fleet derives
 * installed versions from them field by field, and never compares them itself.
 */
export type Evr = { readonly epoch: string; readonly version: string; readonly release: string | undefined };

/** An EVR as rpm prints it and inventories carry it: `epoch:version-release`, the epoch only when not 0. */
export function evrText({ epoch, version, release }: Evr): string {
  const vr = release ? `${version}-${release}` : version;
  return Number(epoch) !== 0 ? `${epoch}:${vr}` : vr;
}

/** AlmaLinux major → package name → its fixed versions, ascending. */
export type RpmFeed = Map<number, Map<string, Evr[]>>;

/** rpmScheme's parsed version (its type is not exported by name). */
type RpmVersion = ReturnType<typeof rpmScheme.parse>;

/** Advisories of one feed archive, read by the product's own loader, in file order (sorted by source). */
async function loadFeed(archive: string): Promise<Advisory[]> {
  const { advisories, problems } = await loadAdvisories([archive]);
  // A missing or unreadable feed is the user's input error (exit 2, no stack), named with the reason.
  if (advisories.length === 0) throw problems[0] ?? new PatchwiseError('PW_INPUT_INVALID', 'no advisories in this feed (pass an OSV archive with --feed)', { input: archive });
  return advisories.sort((a, b) => (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
}

/**
 * Orders the feed's fixed versions (which is the latest fix, which are older ones) with the
 * product's rpmScheme. A mistake here would only make the fleet less realistic: which installed
 * versions are affected is decided by the scanner and the oracle, never by this file.
 */
export async function loadAlmaFeed(archive: string): Promise<RpmFeed> {
  const parsed = new Map<number, Map<string, RpmVersion[]>>();
  for (const adv of await loadFeed(archive)) {
    for (const a of adv.affected) {
      const major = Number(/^AlmaLinux:(\d+)$/.exec(a.ecosystem)?.[1]);
      if (!major) continue;
      for (const r of a.ranges) {
        for (const ev of r.events) {
          if (ev.fixed === undefined) continue;
          let names = parsed.get(major);
          if (!names) parsed.set(major, (names = new Map<string, RpmVersion[]>()));
          let fixes = names.get(a.name);
          if (!fixes) names.set(a.name, (fixes = []));
          fixes.push(rpmScheme.parse(ev.fixed));
        }
      }
    }
  }
  const feed: RpmFeed = new Map();
  for (const [major, names] of parsed) {
    const out = new Map<string, Evr[]>();
    feed.set(major, out);
    for (const [name, fixes] of names) {
      fixes.sort((x, y) => rpmScheme.compare(x, y));
      const distinct = fixes.filter((f, i) => i === 0 || rpmScheme.compare(f, fixes[i - 1] as RpmVersion) !== 0);
      out.set(name, distinct.map(({ epoch, version, release }) => ({ epoch, version, release })));
    }
  }
  return feed;
}

/**
 * PyPI name (PEP 503-normalised, as the loader gives it) → every version its advisories mention
 * (range events and enumerated versions; the loader leaves GIT ranges, which are commits, out).
 */
export async function loadPypiFeed(archive: string): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const adv of await loadFeed(archive)) {
    for (const a of adv.affected) {
      if (a.ecosystem !== 'PyPI') continue;
      let versions = out.get(a.name);
      if (!versions) out.set(a.name, (versions = new Set()));
      for (const r of a.ranges) {
        for (const ev of r.events) for (const v of [ev.introduced, ev.fixed, ev.last_affected, ev.limit]) if (v !== undefined) versions.add(v);
      }
      for (const v of a.versions) versions.add(v);
    }
  }
  // Installed versions must be valid PEP 440 as written (no blanks): what pip would install.
  for (const vs of out.values()) for (const v of vs) if (v === '0' || /\s/.test(v) || !isPep440(v)) vs.delete(v);
  for (const [name, vs] of out) if (vs.size === 0) out.delete(name);
  return out;
}

function isPep440(v: string): boolean {
  try {
    pep440Scheme.parse(v);
    return true;
  } catch {
    return false;
  }
}
