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

type MutablePurl = { -readonly [K in keyof Purl]: Purl[K] };

/** A reusable result for `parsePurlInto`. */
export function emptyPurl(): MutablePurl {
  return { type: '', namespace: '', name: '', version: '', arch: '', distro: '', epoch: '', upstream: '' };
}

/**
 * Parses `pkg:type/namespace/name@version?qualifiers#subpath`; undefined when the string is not a
 * purl (no `pkg:` scheme, no type or name, or a percent-escape that does not decode).
 * Only the `arch`, `distro`, `epoch` and `upstream` qualifiers are kept; the subpath is dropped.
 */
export function parsePurl(purl: string): Purl | undefined {
  const out = emptyPurl();
  return parsePurlInto(purl, out) ? out : undefined;
}

/**
 * `parsePurl` into a caller-owned object, for loops over thousands of purls: no result object is
 * allocated, and a type, namespace, arch or distro equal to the previous purl's keeps the previous
 * string instead of slicing a new one (a host's packages repeat them), which spares the garbage
 * collector copying the whole freshly parsed SBOM in extra scavenges. Returns false, with `out`
 * in an unspecified state, when `purl` is not a purl.
 */
export function parsePurlInto(purl: string, out: MutablePurl): boolean {
  if (purl.length < 6 || !startsWithPkg(purl)) return false;
  try {
    return parseAfterScheme(purl, out);
  } catch {
    // A stray `%` or invalid UTF-8 in an escape (URIError): not a valid purl.
    return false;
  }
}

function parseAfterScheme(purl: string, out: MutablePurl): boolean {
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
  if (typeEnd < 0 || typeEnd >= end || typeEnd === start) return false;
  if (!regionIs(purl, start, typeEnd, out.type)) out.type = lower(purl.slice(start, typeEnd));

  // Trailing slashes are not part of the name.
  while (end > typeEnd + 1 && purl.charCodeAt(end - 1) === 47) end--;
  const lastSlash = purl.lastIndexOf('/', end - 1);
  // The version is after the last '@' that follows the last '/': an unencoded npm scope
  // (`pkg:npm/@scope/name`) is then not mistaken for a version.
  const at = purl.lastIndexOf('@', end - 1);
  let nameEnd = end;
  out.version = '';
  if (at > lastSlash) {
    out.version = decode(purl.slice(at + 1, end));
    nameEnd = at;
  }
  out.name = decode(purl.slice(lastSlash + 1, nameEnd));
  if (out.name === '') return false;
  if (lastSlash <= typeEnd) out.namespace = '';
  else if (!regionIs(purl, typeEnd + 1, lastSlash, out.namespace)) out.namespace = decodeSegments(purl.slice(typeEnd + 1, lastSlash));

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
        if (len === 4 && keyAt(purl, i, 'arch')) arch = regionIs(purl, eq + 1, amp, out.arch) ? out.arch : decode(purl.slice(eq + 1, amp));
        else if (len === 6 && keyAt(purl, i, 'distro')) distro = regionIs(purl, eq + 1, amp, out.distro) ? out.distro : decode(purl.slice(eq + 1, amp));
        else if (len === 5 && keyAt(purl, i, 'epoch')) epoch = decode(purl.slice(eq + 1, amp));
        else if (len === 8 && keyAt(purl, i, 'upstream')) upstream = decode(purl.slice(eq + 1, amp));
      }
      i = amp + 1;
    }
  }
  out.arch = arch;
  out.distro = distro;
  out.epoch = epoch;
  out.upstream = upstream;
  return true;
}

/** Whether `s[from, to)` equals `prev` with no escapes in it, so `prev` can be reused as is. */
function regionIs(s: string, from: number, to: number, prev: string): boolean {
  if (to - from !== prev.length || prev.length === 0) return false;
  for (let i = 0; i < prev.length; i++) {
    const c = s.charCodeAt(from + i);
    if (c !== prev.charCodeAt(i) || c === 37) return false;
  }
  return true;
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

/** The scheme, compared case-insensitively as URL schemes are. */
function startsWithPkg(s: string): boolean {
  return keyAt(s, 0, 'pkg') && s.charCodeAt(3) === 58;
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
  // One segment (`%40scope`, the npm case): no split/filter/join.
  if (ns.indexOf('/') < 0) return decode(ns);
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
