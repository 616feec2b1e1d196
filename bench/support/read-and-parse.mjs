// The floor the scan is measured against: read every file under the given directories and
// JSON.parse it, nothing else. Same inputs, same Node, same process start-up as the scan.
import { readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join } from 'node:path';

async function walk(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  let count = 0;
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) count += await walk(path);
    else if (e.name.endsWith('.json')) {
      JSON.parse(readFileSync(path, "utf8"));
      count++;
    }
  }
  return count;
}

let files = 0;
for (const dir of process.argv.slice(2)) files += await walk(dir);
process.stdout.write(`${files}\n`);
