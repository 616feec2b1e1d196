/**
 * Why an archive entry's path is refused, or undefined when it is safe. We never write archive
 * entries to disk, but a path that climbs (`..`) or is absolute still signals a hostile or broken
 * archive, and names shown to users must not mislead, so such entries are reported and skipped.
 */
export function unsafeEntryPath(path: string): string | undefined {
  if (path.length === 0) return 'empty entry name';
  if (path.includes('\0')) return 'entry name contains a NUL byte';
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(path)) {
    return 'absolute entry path';
  }
  const parts = path.split(/[\\/]/);
  if (parts.includes('..')) return "entry path contains '..'";
  return undefined;
}
