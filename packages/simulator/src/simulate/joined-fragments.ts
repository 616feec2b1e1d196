/**
 * A list of JSON fragments, each with a base and an alternative text, joined with commas once,
 * from which the list with a few positions switched to their alternative is cut and pasted. A
 * simulated host deviates from its image in 0.5 to 5 % of its packages, so its package list is a
 * few long runs of the image's joined text (slices share its characters) with its alternatives
 * between them: tens of pieces, where joining 1,000 fragments per upload cost a tenth of a
 * millisecond and its garbage.
 */
export class JoinedFragments {
  /** The base fragments, comma-joined. */
  readonly text: string;
  /** Where each position's base fragment starts in `text`; the last entry is `text.length` + 1. */
  private readonly starts: Uint32Array;

  constructor(
    private readonly base: readonly string[],
    private readonly alt: readonly string[],
  ) {
    this.text = base.join(',');
    this.starts = new Uint32Array(base.length + 1);
    for (let i = 0; i < base.length; i++) this.starts[i + 1] = this.starts[i]! + base[i]!.length + 1;
  }

  /** The comma-joined list with the alternative at each of `positions` (ascending, distinct). */
  with(positions: readonly number[]): string {
    let out = '';
    let from = 0;
    for (const p of positions) {
      out += this.text.slice(from, this.starts[p]) + this.alt[p]!;
      from = this.starts[p]! + this.base[p]!.length;
    }
    return out + this.text.slice(from);
  }
}
