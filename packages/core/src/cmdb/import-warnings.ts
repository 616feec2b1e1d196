/**
 * What an import tells its caller besides the count: columns it did not read and rows it left
 * out by their status. Neither refuses the import, but neither may vanish without a word: an
 * unread column may be one the user meant as an identifier under a name we do not know.
 */
import type { CmdbParseResult } from './parse-cmdb-assets.js';

/** One line per kind; statuses grouped by column and value (`install_status "Retired" ×12`). */
export function importWarnings(result: Pick<CmdbParseResult, 'notExpected' | 'unusedColumns'>): string[] {
  const out: string[] = [];
  if (result.unusedColumns.length > 0) {
    out.push(`columns not read (their values are kept with each asset as extra): ${result.unusedColumns.join(', ')}`);
  }
  if (result.notExpected.length > 0) {
    const counts = new Map<string, number>();
    for (const r of result.notExpected) {
      const key = `${r.column} "${r.value}"`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const groups = [...counts].map(([key, n]) => `${key} ×${n}`).join(', ');
    out.push(`${result.notExpected.length} row(s) left out, not in service by their status: ${groups}`);
  }
  return out;
}
