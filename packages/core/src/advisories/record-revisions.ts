import type { Advisory } from './types.js';

/**
 * One record per id out of a feed that holds some ids more than once. The AlmaLinux feed files
 * each advisory that covers several releases once per release directory (37 ids, 43 extra
 * copies, all identical); a feed put together from several exports can hold two revisions of
 * one record.
 *
 * The rule is the one `FeedStore.applyRecords` keeps for an import, so `scan` and the server
 * match the same copy: the copy with the later `modified` wins; at the same `modified` (or when
 * either cannot be read as a time) the copy read last wins, as the matcher always did. A
 * differing copy left out is named in a warning, since which revision counts changes findings;
 * identical copies lose nothing and are only counted, so every scan of the AlmaLinux feed does
 * not repeat a warning about how that feed is laid out.
 */
export class RecordRevisions {
  private readonly byId = new Map<string, Advisory>();
  private identical = 0;
  private readonly differing: string[] = [];

  add(advisory: Advisory): void {
    const held = this.byId.get(advisory.id);
    if (held !== undefined) {
      if (contentOf(held) === contentOf(advisory)) this.identical++;
      else if (isOlder(advisory, held)) {
        this.differing.push(leftOut(advisory.id, held, advisory));
        return;
      } else this.differing.push(leftOut(advisory.id, advisory, held));
      // The copy read last takes the id's place at the end, where the matcher put it before ids
      // were merged here: findings of one version keep the order they always had.
      this.byId.delete(advisory.id);
    }
    this.byId.set(advisory.id, advisory);
  }

  /** The copy kept of each id. */
  kept(): Advisory[] {
    return [...this.byId.values()];
  }

  duplicates(): { identical: number; differing: number } {
    return { identical: this.identical, differing: this.differing.length };
  }

  /** One line per differing copy left out. */
  warnings(): string[] {
    return [...this.differing];
  }
}

function leftOut(id: string, kept: Advisory, left: Advisory): string {
  return `${id}: read twice with different content; kept ${revision(kept)}, left out ${revision(left)}`;
}

/** The record as read, without where it was read from: two files holding one record compare equal. */
function contentOf(a: Advisory): string {
  return JSON.stringify({ ...a, source: '' });
}

function isOlder(a: Advisory, than: Advisory): boolean {
  const t = timeOf(a.modified);
  const u = timeOf(than.modified);
  return t !== undefined && u !== undefined && t < u;
}

function timeOf(modified: string | undefined): number | undefined {
  const t = modified === undefined ? NaN : Date.parse(modified);
  return Number.isNaN(t) ? undefined : t;
}

function revision(a: Advisory): string {
  return `${a.source} (modified ${a.modified ?? 'unknown'})`;
}
