/**
 * A Go component of an SBOM as OSV's Go ecosystem names it. Module versions are SemVer already
 * (`v1.7.0`, pseudo-versions, `+incompatible`); the standard library is the exception. OSV files
 * it as the module `stdlib` (the `go` command as `toolchain`) with release tags turned into
 * SemVer: `go1.21.6` → `1.21.6`, `go1.21` → `1.21.0`, `go1.21rc2` → `1.21.0-rc.2`. SBOM tools
 * spell it `stdlib` (Syft, Trivy) or `std` (cyclonedx-gomod), versioned `1.21.6`, `v1.21.6` or
 * `go1.21.6`. A main module built from a work tree has no version (`(devel)`): skipped, since no
 * advisory can name it.
 */
export function goModule(name: string, version: string): { readonly name: string; readonly version: string } | { readonly skip: string } {
  if (version === '(devel)') return { skip: 'Go main module without a version ((devel))' };
  if (name === 'std' || name === 'stdlib' || name === 'toolchain') {
    return { name: name === 'toolchain' ? 'toolchain' : 'stdlib', version: goReleaseVersion(version) };
  }
  return { name, version };
}

/** A Go release tag as SemVer; anything else as given, for the version scheme to judge. */
function goReleaseVersion(version: string): string {
  const m = /^(?:go|v)?1(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?$/.exec(version);
  if (!m) return version;
  const [, minor = '0', patch = '0', stage, stageNumber] = m;
  return `1.${minor}.${patch}${stage ? `-${stage}.${stageNumber}` : ''}`;
}
