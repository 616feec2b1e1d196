import { PatchwiseError } from '../errors/index.js';
import { ecosystemInfo } from '../versions/index.js';
import { ecosystemApplies } from './ecosystem-applies.js';
import { ubuntuReleaseStreams } from './ubuntu-pro.js';

/** An index key an advisory change touched: the ecosystem it is filed under and the package name. */
export interface TouchedKey {
  readonly ecosystem: string;
  readonly name: string;
}

/**
 * The package names among touched keys whose answers may change on hosts of `hostEcosystem`, so a
 * feed update re-assesses only hosts that can match it. A distribution's packages are installed
 * by the host's package manager, so its keys count only for hosts of that distribution, by the
 * matcher's rule (`ecosystemApplies`: a `Debian:12` host takes `Debian:12` and bare `Debian`, never
 * `AlmaLinux:9`), and for Ubuntu any stream of the host's release (a FIPS package on a 22.04 host).
 * Application ecosystems (PyPI, npm, …) count for every host: any host may carry them. A host of
 * unknown distribution (null), or a key of an ecosystem not known, is not narrowed: re-assessing
 * a host too many costs time, one too few leaves findings stale.
 */
export function touchedNamesFor(keys: readonly TouchedKey[], hostEcosystem: string | null): Set<string> {
  const names = new Set<string>();
  const applies = hostEcosystem === null ? undefined : ecosystemApplies(hostEcosystem);
  const release = hostEcosystem === null ? undefined : ubuntuReleaseStreams(hostEcosystem)[0];
  for (const key of keys) {
    if (!applies || !isDistribution(key.ecosystem) || applies(key.ecosystem) || (release !== undefined && ubuntuReleaseStreams(key.ecosystem)[0] === release)) {
      names.add(key.name);
    }
  }
  return names;
}

function isDistribution(ecosystem: string): boolean {
  try {
    return ecosystemInfo(ecosystem).distribution;
  } catch (err) {
    if (err instanceof PatchwiseError) return false;
    throw err;
  }
}
