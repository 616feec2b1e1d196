/**
 * "1 host", "2 hosts", "0 hosts": a count with its noun in the right number. Every program's
 * messages go through this one place so that no output says "1 hosts" or "1 findings".
 * `plural` is for nouns that do not take a plain "s" ("advisory" → "advisories").
 */
export function countNoun(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
