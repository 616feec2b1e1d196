/**
 * Maven's version order, as Maven's own `ComparableVersion` (maven-artifact 3.8) defines it and
 * OSV's Maven ecosystem uses: the "Version Order Specification" of the POM reference
 * (https://maven.apache.org/pom.html#version-order-specification). Written from that
 * specification and checked against maven-artifact itself (packages/core/test/oracle/
 * maven-oracle.test.ts); docs/adr/0007-maven-versions.md says why it is hand-written.
 *
 * A version is a tree of items. `.` separates items of one list; `-` starts a sub-list; a change
 * between digits and letters starts a sub-list too (`1.0alpha1` is `1.0-alpha-1`). Numbers
 * compare by value; a word that ends the version goes into a sub-list too (`1.0.final` is
 * `1.0-final`), and so does a word followed by a number (`1.a1` is `1-a1`); words are qualifiers, ordered alpha < beta < milestone < rc (= cr) <
 * snapshot < "" (= ga = final = release) < sp < any other word (those by text); `a`, `b`, `m`
 * directly followed by a digit mean alpha, beta, milestone. Trailing "null" items (0, "",
 * empty lists) are dropped from each list, so `1.0.0` = `1` and `1-ga` = `1`.
 */
import { PatchwiseError } from '../errors/index.js';
import type { VersionScheme } from './version-scheme.js';

type Item = { readonly kind: 'int'; readonly value: bigint } | { readonly kind: 'string'; readonly key: string } | { readonly kind: 'list'; readonly items: Item[] };

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Readonly<Record<string, string>> = { ga: '', final: '', release: '', cr: 'rc' };
/** The sort key of the release qualifier "": what a missing item is compared as, for words. */
const RELEASE_KEY = String(QUALIFIERS.indexOf(''));

/**
 * A word's sort key: its place among the known qualifiers, or, for any other word, a key after
 * all of them that orders such words by text (Maven compares these keys as strings).
 */
function qualifierKey(word: string): string {
  const i = QUALIFIERS.indexOf(word);
  return i >= 0 ? String(i) : `${QUALIFIERS.length}-${word}`;
}

function stringItem(text: string, followedByDigit: boolean): Item {
  let word = text;
  if (followedByDigit && word.length === 1) word = word === 'a' ? 'alpha' : word === 'b' ? 'beta' : word === 'm' ? 'milestone' : word;
  return { kind: 'string', key: qualifierKey(ALIASES[word] ?? word) };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? { kind: 'int', value: BigInt(text) } : stringItem(text, false);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case 'int':
      return item.value === 0n;
    case 'string':
      return item.key === RELEASE_KEY;
    case 'list':
      return item.items.length === 0;
  }
}

/** Drops the trailing null items of a list, stopping at the last one that is not a null or a list. */
function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const item = list[i] as Item;
    if (isNull(item)) list.splice(i, 1);
    else if (item.kind !== 'list') break;
  }
}

function parseMaven(text: string): Item[] {
  if (text.length === 0 || /[\s\p{Cc}]/u.test(text)) {
    throw new PatchwiseError('PW_VERSION_INVALID', text.length === 0 ? 'a Maven version must not be empty' : 'a Maven version has no whitespace or control characters', { input: text });
  }
  const version = text.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const subList = () => {
    const next: Item[] = [];
    list.push({ kind: 'list', items: next });
    list = next;
    stack.push(next);
  };
  for (let i = 0; i < version.length; i++) {
    const c = version[i] as string;
    if (c === '.' || c === '-') {
      list.push(i === start ? { kind: 'int', value: 0n } : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
      if (c === '-') subList();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        // A word followed by a number is likewise its own sub-list: `1.a1` is `1-a1`.
        if (list.length > 0) subList();
        list.push(stringItem(version.slice(start, i), true));
        start = i;
        subList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, version.slice(start, i)));
        start = i;
        subList();
      }
      isDigit = false;
    }
  }
  if (version.length > start) {
    // A word at the very end goes into a sub-list of its own, as after `-`: `1.0.a` is `1.0-a`
    // (so `1.0.0.Final` is `1`), while `1.0.a.1` keeps its word in place.
    if (!isDigit && list.length > 0) subList();
    list.push(parseItem(isDigit, version.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop() as Item[]);
  return root;
}

/** `a` against `b`, where a missing `b` (the end of a shorter list) is compared as Maven does. */
function compareItem(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case 'int':
      if (b === undefined) return a.value === 0n ? 0 : 1;
      if (b.kind === 'int') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
      return 1; // a number is newer than a word or a sub-list
    case 'string':
      if (b === undefined) return compareText(a.key, RELEASE_KEY);
      if (b.kind === 'string') return compareText(a.key, b.key);
      return -1; // a word is older than a number or a sub-list
    case 'list':
      if (b === undefined) {
        // Against nothing, a sub-list is its first item that is not "nothing" itself.
        for (const item of a.items) {
          const result = compareItem(item, undefined);
          if (result !== 0) return result;
        }
        return 0;
      }
      if (b.kind === 'int') return -1;
      if (b.kind === 'string') return 1;
      return compareLists(a.items, b.items);
  }
}

function compareLists(a: readonly Item[], b: readonly Item[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const l = a[i];
    const r = b[i];
    const result = l === undefined ? (r === undefined ? 0 : -compareItem(r, undefined)) : compareItem(l, r);
    if (result !== 0) return result;
  }
  return 0;
}

/** By UTF-16 code units, as Java's String.compareTo. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const mavenScheme: VersionScheme<Item[]> = {
  id: 'maven',
  parse: parseMaven,
  compare: compareLists,
};
