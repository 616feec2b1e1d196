import { ubuntuReleaseStreams } from './ubuntu-pro.js';

/**
 * Whether advisories filed under an ecosystem apply to packages of `ecosystem`: the same one; its
 * bare name ("Debian" applies to every Debian release); a narrower one below it
 * ("Red Hat:enterprise_linux:9::appstream" applies to "Red Hat:enterprise_linux:9", since the
 * rpm database does not record the repository); and for Ubuntu, the standard and Pro (ESM)
 * streams of the same release. Names are compared ignoring case, as ecosystems are looked up.
 * The one rule for matching (`Matcher.ecosystemsFor`) and for choosing hosts to re-assess.
 */
export function ecosystemApplies(ecosystem: string): (advisoryEcosystem: string) => boolean {
  const key = ecosystem.toLowerCase();
  const colon = key.indexOf(':');
  const bare = colon < 0 ? undefined : key.slice(0, colon);
  const prefix = `${key}:`;
  const streams = ubuntuReleaseStreams(ecosystem).map((e) => e.toLowerCase());
  return (advisoryEcosystem) => {
    const k = advisoryEcosystem.toLowerCase();
    return k === key || k === bare || k.startsWith(prefix) || streams.includes(k);
  };
}
