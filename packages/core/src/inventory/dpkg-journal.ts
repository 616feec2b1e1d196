/**
 * dpkg's journal: while it works, dpkg writes each changed package's whole new status stanza to
 * `/var/lib/dpkg/updates/NNNN` and folds the files into `status` only at the end (or at the next
 * run). A run that was interrupted leaves them there; `dpkg-query` and every other dpkg reader
 * apply them over `status` first, in numeric order, so readers of `status` alone see stale
 * versions.
 */
import type { DpkgStanza } from './dpkg-status.js';

/**
 * Journal files are named by a number (dpkg writes four zero-padded digits); anything else in the
 * directory (`tmp.i`, the file being written) is not part of the journal, as dpkg itself skips it.
 */
const UPDATE_NAME = /^\d+$/;

/** The names of journal entries among a directory's entries, in the order dpkg applies them. */
export function dpkgUpdateNames(names: readonly string[]): string[] {
  return names.filter((n) => UPDATE_NAME.test(n)).sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * `status` with each journal stanza replacing the record of the same package instance, applied in
 * the order given; a journal stanza for an instance `status` lacks (a new install) is added after
 * the others. A replaced stanza keeps its place, so the result is in `status` order.
 */
export function replayDpkgUpdates(status: readonly DpkgStanza[], updates: readonly (readonly DpkgStanza[])[]): DpkgStanza[] {
  const byKey = new Map<string, DpkgStanza>();
  for (const stanza of status) byKey.set(instanceKey(stanza), stanza);
  for (const file of updates) for (const stanza of file) byKey.set(instanceKey(stanza), stanza);
  return [...byKey.values()];
}

/**
 * The package instance a record describes, as dpkg's parser finds it: by name and architecture
 * for `Multi-Arch: same` packages (several architectures installed side by side), by name alone
 * otherwise (one instance, whose architecture may change in a crossgrade).
 */
function instanceKey(stanza: DpkgStanza): string {
  const name = stanza.fields.get('Package') ?? '';
  return stanza.fields.get('Multi-Arch') === 'same' ? `${name}:${stanza.fields.get('Architecture') ?? ''}` : name;
}
