// Preloaded with `node --require` by benchmarks: on exit, writes the process's peak resident set
// size (KiB) to the file named by PW_BENCH_RSS_FILE, without touching the program's own output.
'use strict';
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const file = process.env.PW_BENCH_RSS_FILE;
  if (file) writeFileSync(file, String(process.resourceUsage().maxRSS));
});
