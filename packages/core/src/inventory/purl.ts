/**
 * A small package-URL parser for the inventory hot path. It follows the purl specification's
 * parsing steps (https://github.com/package-url/purl-spec, "How to parse a purl string") but keeps
 * only the qualifiers inventories use, in a fixed-shape object, and decodes a part only when it
 * holds a `%`. General purl libraries build a qualifier map and validate every part for every
 * component; on a 1,000-component SBOM that cost exceeded JSON.parse itself (bench/inventory-parse.ts).
 */

/** A parsed purl. Parts are percent-decoded; absent parts are ''. */
export interface Purl {
  /** Lower-cased type: `deb`, `rpm`, `apk`, `pypi`, `npm`… */
  readonly type: string;
  /** Decoded namespace segments joined by `/` (`debian`, `@scope`). */
  readonly namespace: string;
  readonly name: string;
  readonly version: string;
  readonly arch: string;
  readonly distro: string;
  readonly epoch: string;
  readonly upstream: string;
}

/**
 * Parses `pkg:type/namespace/name@version?qualifiers#subpath`; undefined when the string is not a
 * purl (no `pkg:` scheme, no type or name, or a percent-escape that does not decode).
 * Only the `arch`, `distro`, `epoch` and `upstream` qualifiers are kept; the subpath is dropped.
 */
export function parsePurl(purl: string): Purl | undefined {
  if (purl.length < 6 || !startsWithPkg(purl)) return undefined;
  try {
    return parseAfterScheme(purl);
  } catch {
    // decodeURIComponent throws URIError on a stray `%` or invalid UTF-8: not a valid purl.
    return undefined;
  }
}

function parseAfterScheme(purl: string): Purl | undefined {
  // The spec splits from the right: '#' subpath first, then '?' qualifiers.
  let end = purl.length;
  const hash = purl.lastIndexOf('#');
  if (hash >= 0) end = hash;
  const question = purl.lastIndexOf('?', end - 1);
  let qualifiersStart = -1;
  if (question >= 0) {
    qualifiersStart = question + 1;
    end = question;
  }
  // 'pkg:' may be followed by slashes (`pkg://npm/x`), which the spec says to ignore.
  let start = 4;
  while (start < end && purl.charCodeAt(start) === 47) start++;
  const typeEnd = purl.indexOf('/', start);
  if (typeEnd < 0 || typeEnd >= end || typeEnd === start) return undefined;
  const type = lower(purl.slice(start, typeEnd));

  // Trailing slashes are not part of the name.
  while (end > typeEnd + 1 && purl.charCodeAt(end - 1) === 47) end--;
  const lastSlash = purl.lastIndexOf('/', end - 1);
  // The version is after the last '@' that follows the last '/': an unencoded npm scope
  // (`pkg:npm/@scope/name`) is then not mistaken for a version.
  const at = purl.lastIndexOf('@', end - 1);
  let version = '';
  let nameEnd = end;
  if (at > lastSlash) {
    version = decode(purl.slice(at + 1, end));
    nameEnd = at;
  }
  const name = decode(purl.slice(lastSlash + 1, nameEnd));
  if (name === '') return undefined;
  const namespace = lastSlash > typeEnd ? decodeSegments(purl.slice(typeEnd + 1, lastSlash)) : '';

  let arch = '';
  let distro = '';
  let epoch = '';
  let upstream = '';
  if (qualifiersStart >= 0) {
    const qEnd = hash >= 0 ? hash : purl.length;
    let i = qualifiersStart;
    while (i < qEnd) {
      let amp = purl.indexOf('&', i);
      if (amp < 0 || amp > qEnd) amp = qEnd;
      const eq = purl.indexOf('=', i);
      if (eq > i && eq < amp) {
        // Keys are matched in place (no slice, no toLowerCase): this loop runs for every
        // qualifier of every component. Values are decoded only for the keys kept.
        const len = eq - i;
        if (len === 4 && keyAt(purl, i, 'arch')) arch = decode(purl.slice(eq + 1, amp));
        else if (len === 6 && keyAt(purl, i, 'distro')) distro = decode(purl.slice(eq + 1, amp));
        else if (len === 5 && keyAt(purl, i, 'epoch')) epoch = decode(purl.slice(eq + 1, amp));
        else if (len === 8 && keyAt(purl, i, 'upstream')) upstream = decode(purl.slice(eq + 1, amp));
      }
      i = amp + 1;
    }
  }
  return { type, namespace, name, version, arch, distro, epoch, upstream };
}

/** Whether `s` holds lower-case `key` at `at`, ASCII letters compared case-insensitively. */
function keyAt(s: string, at: number, key: string): boolean {
  for (let k = 0; k < key.length; k++) {
    let c = s.charCodeAt(at + k);
    if (c >= 65 && c <= 90) c += 32;
    if (c !== key.charCodeAt(k)) return false;
  }
  return true;
}

/** Lower-cases only when needed: types are lower-case in practice, and toLowerCase allocates. */
function lower(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) return s.toLowerCase();
  }
  return s;
}

function startsWithPkg(s: string): boolean {
  // The scheme is case-insensitive in URLs; scanners write it lower-case, so test that first.
  return s.startsWith('pkg:') || s.slice(0, 4).toLowerCase() === 'pkg:';
}

/**
 * Percent-decodes; `+` stays `+` (purls are not form-encoded). Escapes of ASCII characters
 * (`%2B`, `%3A`, `%40`: nearly all that purls hold) are decoded here, about a third faster than
 * decodeURIComponent on short strings; anything else goes to decodeURIComponent, which also
 * validates UTF-8. A `%` without two hex digits throws URIError, as decodeURIComponent does.
 */
function decode(s: string): string {
  let i = s.indexOf('%');
  if (i < 0) return s;
  let out = '';
  let from = 0;
  while (i >= 0) {
    const hi = hexValue(s.charCodeAt(i + 1));
    const lo = hexValue(s.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) throw new URIError(`malformed percent-escape in "${s}"`);
    const code = hi * 16 + lo;
    if (code >= 0x80) return decodeURIComponent(s);
    out += s.slice(from, i) + String.fromCharCode(code);
    from = i + 3;
    i = s.indexOf('%', from);
  }
  return out + s.slice(from);
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const l = c | 32;
  return l >= 97 && l <= 102 ? l - 87 : -1;
}

function decodeSegments(ns: string): string {
  if (ns.indexOf('%') < 0) return trimSlashes(ns);
  // The spec decodes namespace segments one by one, after dropping empty ones.
  return trimSlashes(ns)
    .split('/')
    .filter((seg) => seg !== '')
    .map(decode)
    .join('/');
}

function trimSlashes(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) === 47) a++;
  while (b > a && s.charCodeAt(b - 1) === 47) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}
