/**
 * Package names as each ecosystem compares them. Advisories (OSV) and inventories spell the same
 * package differently only where the ecosystem itself treats spellings as equal; normalising once,
 * at read time, lets matching compare names with `===`.
 */

/** Runs of `-`, `_` and `.` collapse to one `-` (PEP 503). */
const PEP503_SEPARATORS = /[-_.]+/g;

/**
 * The name as the ecosystem compares it.
 * - PyPI: PEP 503 (lower-case, every run of `-`, `_`, `.` becomes `-`), which is how OSV stores
 *   PyPI names, so `Django`, `django` and `DJANGO` meet, as do `zope.interface` and `zope-interface`.
 * - npm: unchanged. npm names are lower-case by registry rule and scoped names (`@scope/name`)
 *   are kept whole; lower-casing would hide legacy mixed-case names that really are distinct.
 * - Packagist: lower-case. Composer compares package names case-insensitively and Packagist
 *   stores them in lower case, as OSV does (`symfony/http-kernel`); the purl specification
 *   lower-cases `pkg:composer` names too.
 * - NuGet: lower-case. NuGet compares package ids case-insensitively (nuget.org's package
 *   content API lower-cases them), while OSV keeps the registry's casing (`Newtonsoft.Json`) and
 *   SBOMs whatever casing the project file used (`newtonsoft.json`).
 * - Distribution packages (Debian, Alpine, rpm-based…) and everything else: unchanged, because
 *   their package managers compare names byte for byte.
 */
export function normalizeName(ecosystem: string, name: string): string {
  if (isPyPI(ecosystem)) return normalizePyPIName(name);
  if (isPackagist(ecosystem)) return normalizePackagistName(name);
  if (isNuGet(ecosystem)) return normalizeNuGetName(name);
  return name;
}

/** A Composer package name (`vendor/name`) as Composer compares it: lower-case. */
export function normalizePackagistName(name: string): string {
  return name.toLowerCase();
}

/** A NuGet package id as NuGet compares it: case-insensitively, so lower-cased on both sides. */
export function normalizeNuGetName(name: string): string {
  return name.toLowerCase();
}

/** PEP 503 normalisation of a Python distribution name. */
export function normalizePyPIName(name: string): string {
  return isPEP503Normal(name) ? name : name.toLowerCase().replace(PEP503_SEPARATORS, '-');
}

/** Already normalised (most names are): no upper case, no `_` or `.`, no `--`. Spares two allocations. */
function isPEP503Normal(name: string): boolean {
  let prevDash = false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 65 && c <= 90) || c === 95 || c === 46) return false;
    const dash = c === 45;
    if (dash && prevDash) return false;
    prevDash = dash;
  }
  return true;
}

function isPackagist(ecosystem: string): boolean {
  return ecosystem.length >= 9 && ecosystem.slice(0, 9).toLowerCase() === 'packagist' && (ecosystem.length === 9 || ecosystem[9] === ':');
}

function isNuGet(ecosystem: string): boolean {
  return ecosystem.length >= 5 && ecosystem.slice(0, 5).toLowerCase() === 'nuget' && (ecosystem.length === 5 || ecosystem[5] === ':');
}

function isPyPI(ecosystem: string): boolean {
  // Compared case-insensitively: a hand-written inventory saying `pypi` means the same ecosystem.
  return ecosystem.length >= 4 && ecosystem.slice(0, 4).toLowerCase() === 'pypi' && (ecosystem.length === 4 || ecosystem[4] === ':');
}
