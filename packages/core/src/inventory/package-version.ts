/** Version spellings shared by the distribution formats (purls, rpm -qa). */

/**
 * Puts an epoch into a version as `E:V[-R]`. Epoch 0 is dropped: rpm and dpkg compare a missing
 * epoch as 0, and OSV's AlmaLinux/Rocky records write epoch-0 versions without it (`1.0.6-2.el8_4`,
 * but `1:1.26.0-14.el8_3`). A version that already carries an epoch (older Syft purls) keeps it,
 * minus a `0:`.
 */
export function withEpoch(version: string, epoch: string): string {
  if (version.indexOf(':') >= 0) return version.startsWith('0:') ? version.slice(2) : version;
  return epoch !== '' && epoch !== '0' ? `${epoch}:${version}` : version;
}

/**
 * A source rpm file name, `NAME-VERSION-RELEASE.src.rpm`, as name and `[E:]VERSION-RELEASE`.
 * The epoch is not in the file name; a source rpm and its binaries share one spec file, hence one
 * epoch, so the binary's is used. Undefined when the name is not of that shape.
 */
export function parseSourceRpm(file: string, epoch: string): { name: string; version: string } | undefined {
  const m = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(file);
  if (!m) return undefined;
  return { name: m[1] as string, version: withEpoch(`${m[2] as string}-${m[3] as string}`, epoch) };
}
