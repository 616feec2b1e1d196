/** Longest statement text that is named: longer ones are built for one use (long literal lists). */
const MAX_NAMED_TEXT = 8_000;
/** Texts counted before naming; the count starts over when this many distinct ones were seen. */
const MAX_COUNTED = 5_000;

/**
 * Which statements a PostgreSQL connection pool prepares, by name: those whose text came back
 * `minUses` times, up to `maxNamed` of them. A named statement is parsed and planned once per
 * connection, then only bound and executed: the upload path's statements are short lookups and
 * updates whose planning costs PostgreSQL as much as their execution. Texts seen rarely (reports,
 * lists whose length varies) stay unnamed, so each connection holds a bounded number of plans.
 * One instance per pool: a name always means one text on every connection that prepared it.
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private readonly counted = new Map<string, number>();

  constructor(
    private readonly maxNamed = 200,
    private readonly minUses = 3,
  ) {}

  /** The name to prepare `text` under, or undefined to send it unnamed (parsed and planned anew). */
  nameOf(text: string): string | undefined {
    const named = this.names.get(text);
    if (named !== undefined) return named;
    if (this.names.size >= this.maxNamed || text.length > MAX_NAMED_TEXT) return undefined;
    const uses = (this.counted.get(text) ?? 0) + 1;
    if (uses < this.minUses) {
      if (this.counted.size >= MAX_COUNTED) this.counted.clear();
      this.counted.set(text, uses);
      return undefined;
    }
    this.counted.delete(text);
    const name = `pw_${this.names.size + 1}`;
    this.names.set(text, name);
    return name;
  }

  get size(): number {
    return this.names.size;
  }
}
