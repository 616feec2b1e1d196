// Fails when an installed package declares a Node.js range that excludes the oldest Node this
// project supports (package.json "engines"): such a package may use APIs our users lack, and npm
// only warns about it. Part of `npm run lint`.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(join(process.cwd(), 'packages/core/package.json'));
const semver = require('semver');
const root = JSON.parse(readFileSync('package.json', 'utf8'));
const oldest = semver.minVersion(root.engines.node).version;

const refused = [];
function walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      walk(path);
      continue;
    }
    const manifest = join(path, 'package.json');
    if (existsSync(manifest)) {
      const { name, version, engines } = JSON.parse(readFileSync(manifest, 'utf8'));
      const range = engines?.node;
      if (typeof range === 'string' && semver.validRange(range) && !semver.satisfies(oldest, range)) refused.push(`${name}@${version} (${path}) wants node ${range}`);
    }
    walk(join(path, 'node_modules'));
  }
}
walk('node_modules');
for (const dir of root.workspaces) walk(join(dir, 'node_modules'));
if (refused.length > 0) {
  console.error(`packages that do not support Node ${oldest} (package.json engines):\n  ${refused.join('\n  ')}`);
  process.exit(1);
}
console.log(`every installed package supports Node ${oldest}`);
