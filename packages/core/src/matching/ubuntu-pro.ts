/**
 * Ubuntu Pro (ESM) streams. Once a release leaves standard support, Ubuntu publishes its fixes
 * only under `Ubuntu:Pro:<release>` (`Ubuntu:Pro:16.04:LTS`), yet the packages they fix are the
 * release's own: a 16.04 host whose unzip is below the Pro fix is vulnerable, subscribed or not.
 * No package database says whether a host is attached to Pro, so hosts of a release are
 * matched against both streams, and a package marked with the Pro ecosystem against both too.
 *
 * The FIPS and real-time variants (`Ubuntu:Pro:FIPS:16.04:LTS`, `Ubuntu:Pro:FIPS-updates:…`)
 * ship their own builds, whose versions do not order against the standard ones; they apply only
 * to packages marked with that ecosystem, which still get the release's standard and Pro records.
 */
const UBUNTU_RELEASE = /^Ubuntu:(?:[^:]+:)*?(\d{2}\.\d{2})(:LTS)?(?::|$)/i;

/** The standard and Pro ecosystems of an Ubuntu ecosystem's release; none for other ecosystems. */
export function ubuntuReleaseStreams(ecosystem: string): readonly string[] {
  const m = UBUNTU_RELEASE.exec(ecosystem);
  if (!m) return [];
  const release = `${m[1]}${m[2] === undefined ? '' : ':LTS'}`;
  return [`Ubuntu:${release}`, `Ubuntu:Pro:${release}`];
}

/** What a finding says when its fix was published for Ubuntu Pro only; undefined otherwise. */
export function ubuntuProFixNote(ecosystem: string, fixed: string | undefined): string | undefined {
  if (fixed === undefined || !ecosystem.startsWith('Ubuntu:Pro:')) return undefined;
  return `fix published for Ubuntu Pro (${ecosystem}): installing it needs a Pro subscription`;
}
