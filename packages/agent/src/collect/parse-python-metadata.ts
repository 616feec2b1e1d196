/**
 * The header block of Python core metadata (`METADATA` in a .dist-info, `PKG-INFO` in an
 * .egg-info): RFC 822-style `Name: value` lines, continuation lines starting with a space or tab,
 * ended by the first blank line (the description body follows). See
 * https://packaging.python.org/en/latest/specifications/core-metadata/.
 */

/** The two headers the inventory needs; absent ones are undefined. */
export interface PythonMetadata {
  readonly name: string | undefined;
  readonly version: string | undefined;
}

/**
 * Reads `Name` and `Version` (header names are case-insensitive; the first occurrence wins, as
 * Python's `email` parser's `msg['Name']` does). Values are trimmed and kept as written: the server
 * normalises names (PEP 503) and parses versions (PEP 440). Continuation lines are unfolded. The
 * header block ends at the first blank line or the first line that is not a header, as in the
 * `email` parser. Never throws.
 */
export function parsePythonMetadata(text: string): PythonMetadata {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let name: string | undefined;
  let version: string | undefined;
  let current: 'name' | 'version' | undefined;
  for (const line of body.split(/\r?\n/)) {
    if (line.trim() === '') break;
    if (line[0] === ' ' || line[0] === '\t') {
      // Unfold a continuation of Name or Version (unusual, but legal RFC 822).
      if (current === 'name' && name !== undefined) name = `${name} ${line.trim()}`.trim();
      else if (current === 'version' && version !== undefined) version = `${version} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) break;
    const field = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    current = undefined;
    if (field === 'name' && name === undefined) {
      name = value;
      current = 'name';
    } else if (field === 'version' && version === undefined) {
      version = value;
      current = 'version';
    }
  }
  return { name: name || undefined, version: version || undefined };
}
