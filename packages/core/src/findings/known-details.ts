/**
 * Detail ids a server process has seen committed in `findings_details`. Details are content-
 * addressed and never changed or deleted, so once seen, an id stays true for every process on
 * the database; `syncHost` then neither asks for nor sends those details. Only ids read back
 * from the database are added (never ones this process is inserting, whose transaction may
 * still roll back). If details are ever cleaned up, this memo must be dropped with them.
 */
export class KnownDetails {
  private readonly ids = new Set<string>();

  constructor(private readonly maxEntries = 1_000_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    if (this.maxEntries === 0) return; // remembers nothing (a store used without a process memo)
    // Bounded: when full, start again (a miss only costs one lookup).
    if (this.ids.size >= this.maxEntries) this.ids.clear();
    this.ids.add(id);
  }
}
