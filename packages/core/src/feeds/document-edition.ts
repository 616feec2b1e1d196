import { parseKev, readEpssHeader } from '../enrichment/index.js';
import { PatchwiseError } from '../errors/index.js';

/**
 * Which release of a replaceable enrichment document a text is: the KEV catalog's
 * `catalogVersion` and `dateReleased`, an EPSS file's `score_date`. NVD pages have none: each
 * page is stored beside the others and the record modified last wins per CVE.
 */
export interface DocumentEdition {
  /** The publisher's name for it: `2025.08.25` (KEV), `2025-08-25` (EPSS score date). */
  readonly version: string;
  /** When it was released; orders editions. */
  readonly releasedAt: Date;
}

/** What a held document is, for a message that names both it and the incoming one. */
export interface HeldDocument {
  readonly edition: DocumentEdition;
  readonly entries: number;
}

/** Why an incoming enrichment document was kept out and the held one kept. */
export type KeptOutReason = 'older' | 'same-edition';

/** An enrichment document kept out of the store (FeedStore.putDocument), and why. */
export interface DocumentKeptOut {
  readonly kind: string;
  /** The file (or archive entry) it came from. */
  readonly source: string;
  readonly reason: KeptOutReason;
  readonly incoming: { readonly version: string; readonly entries: number };
  readonly held: { readonly version: string; readonly entries: number };
  /** One line naming the file, both versions and entry counts, and that the held one stays. */
  readonly message: string;
}

export function kevEdition(catalog: { catalogVersion: string; dateReleased: string }): DocumentEdition {
  return { version: catalog.catalogVersion, releasedAt: new Date(catalog.dateReleased) };
}

export function epssEdition(header: { scoreDate: string }): DocumentEdition {
  return { version: header.scoreDate.slice(0, 10), releasedAt: new Date(header.scoreDate.slice(0, 10)) };
}

/**
 * The edition of a stored document, read from its text (only the first line for EPSS). Null
 * when the kind has none or the text no longer reads: then replacement goes by content alone,
 * as it did before editions were compared, rather than keeping a document out for ever.
 */
export function storedEdition(kind: string, text: string): DocumentEdition | null {
  try {
    if (kind === 'kev') return kevEdition(parseKev(text, 'stored KEV catalog'));
    if (kind === 'epss') return epssEdition(readEpssHeader(text, 'stored EPSS scores'));
    return null;
  } catch (err) {
    if (err instanceof PatchwiseError) return null;
    throw err;
  }
}

/**
 * Negative when `a` is an older edition than `b`, zero for the same one, positive when newer:
 * by release time, then by version label should two releases share a time.
 */
export function compareEditions(a: DocumentEdition, b: DocumentEdition): number {
  const byTime = a.releasedAt.getTime() - b.releasedAt.getTime();
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}

const LABELS: Record<string, string> = { kev: 'KEV catalog', epss: 'EPSS scores of' };

/** The message of a kept-out document, naming the file, both editions and their entry counts. */
export function keptOutMessage(kind: string, source: string, reason: KeptOutReason, incoming: HeldDocument, held: HeldDocument): string {
  const label = LABELS[kind] ?? kind;
  const what = (d: HeldDocument) => `${label} ${d.edition.version} (${d.entries} entries, released ${d.edition.releasedAt.toISOString()})`;
  const why =
    reason === 'older'
      ? `${what(incoming)} is older than the held ${what(held)}`
      : `${what(incoming)} is the edition held, ${what(held)}, with other content (an excerpt or an edited copy)`;
  return `${source}: kept out: ${why}; the held one stays`;
}
