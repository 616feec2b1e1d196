/**
 * Packages the agent for managed hosts: `npm run package:agent [-- --out DIR] [-- --no-deb]`.
 *
 *   1. esbuild bundles `patchwise-agent` (packages/cli/src/agent-program.ts) and everything it
 *      imports into one CommonJS file;
 *   2. Node.js's single executable application support embeds that file in a copy of this
 *      `node` binary (`--experimental-sea-config`, then postject): `DIR/patchwise-agent`, which
 *      runs on a host without Node.js or a checkout of this repository;
 *   3. on a machine with dpkg-deb, a Debian package around it: `DIR/patchwise-agent_<version>_<arch>.deb`
 *      with /usr/bin/patchwise-agent, a systemd unit (not enabled: the host enrolls first) and
 *      /etc/default/patchwise-agent for its options.
 *
 * The binary is as portable as the `node` that ran this script (an official Node.js build runs on
 * glibc 2.28 and later: Debian 10+, RHEL 8+, Ubuntu 20.04+). docs/agent-package.md says how to
 * install and enroll it.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';

const ROOT = resolve(import.meta.dirname, '..');
/** The resource name and fuse Node.js looks for in a single executable application (Node's docs). */
const SEA_RESOURCE = 'NODE_SEA_BLOB';
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' }, 'no-deb': { type: 'boolean', default: false } } });
const out = resolve(values.out);
const version = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;

/**
 * What the agent never loads but the modules it imports name: ssh2 is the server's SSH client
 * for agentless hosts (packages/agent exports it beside the agent), a native-addon package that
 * cannot be bundled. An empty module stands in; nothing on the agent's path calls it.
 */
const leaveOut: Plugin = {
  name: 'leave-out',
  setup(b) {
    b.onResolve({ filter: /^ssh2$/ }, (args) => ({ path: args.path, namespace: 'left-out' }));
    b.onLoad({ filter: /.*/, namespace: 'left-out' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * The sources load a few CommonJS packages lazily with `createRequire(import.meta.url)(name)`,
 * which a bundler cannot follow; written as `require(name)`, esbuild bundles them.
 */
const bundleLazyRequires: Plugin = {
  name: 'bundle-lazy-requires',
  setup(b) {
    b.onLoad({ filter: /\/packages\/[^/]+\/src\/.*\.ts$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('createRequire(import.meta.url)(')) return undefined;
      return { contents: text.replaceAll('createRequire(import.meta.url)(', 'require('), loader: 'ts' };
    });
  },
};

async function main(): Promise<void> {
  mkdirSync(out, { recursive: true });
  // Intermediate files (the bundle, the blob, the package tree) go to a directory of our own.
  const work = mkdtempSync(join(tmpdir(), 'patchwise-agent-build-'));
  try {
    await buildInto(work);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function buildInto(work: string): Promise<void> {
  const bundle = join(work, 'patchwise-agent.cjs');
  await build({
    stdin: {
      contents: "import { agentMain } from './agent-program.ts';\nagentMain(process.argv).catch((err) => { console.error(err); process.exitCode = 1; });\n",
      resolveDir: join(ROOT, 'packages/cli/src'),
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: bundle,
    plugins: [leaveOut, bundleLazyRequires],
    // CommonJS has no import.meta: modules that compute paths from it at load get this file's URL.
    define: { 'import.meta.url': '__patchwise_module_url', PATCHWISE_BUILD_VERSION: JSON.stringify(version) },
    banner: { js: "const __patchwise_module_url = require('node:url').pathToFileURL(__filename).href;" },
    logLevel: 'warning',
  });

  const blob = join(work, 'sea.blob');
  const seaConfig = join(work, 'sea-config.json');
  writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });
  const binary = join(out, 'patchwise-agent');
  copyFileSync(process.execPath, binary);
  chmodSync(binary, 0o755);
  const { inject } = createRequire(import.meta.url)('postject') as { inject: (file: string, name: string, data: Buffer, options: { sentinelFuse: string }) => Promise<void> };
  await inject(binary, SEA_RESOURCE, readFileSync(blob), { sentinelFuse: SEA_FUSE });
  console.log(`${binary}: patchwise-agent ${version}`);

  if (!values['no-deb']) console.log(debianPackage(binary, work));
}

/** The .deb around the binary, in `out`, built with dpkg-deb (root-owned files without being root). */
function debianPackage(binary: string, work: string): string {
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  const tree = join(work, 'deb');
  const file = (path: string, content: string | Buffer, mode = 0o644) => {
    const target = join(tree, path);
    mkdirSync(resolve(target, '..'), { recursive: true });
    writeFileSync(target, content);
    chmodSync(target, mode);
  };
  file('usr/bin/patchwise-agent', readFileSync(binary), 0o755);
  file('lib/systemd/system/patchwise-agent.service', readFileSync(join(ROOT, 'packages/cli/agent-package/patchwise-agent.service')));
  file('etc/default/patchwise-agent', readFileSync(join(ROOT, 'packages/cli/agent-package/patchwise-agent.default')));
  file('DEBIAN/conffiles', '/etc/default/patchwise-agent\n');
  file(
    'DEBIAN/control',
    [
      'Package: patchwise-agent',
      `Version: ${version}`,
      `Architecture: ${arch}`,
      'Maintainer: Patchwise <patchwise@localhost>',
      'Section: admin',
      'Priority: optional',
      'Description: Patchwise agent: inventory and patch jobs for a Patchwise server',
      ' Reports this host\'s facts and installed packages (dpkg, rpm, apk, Python) to a',
      ' Patchwise server and runs the deployment jobs it signs. Node.js is built in.',
      '',
    ].join('\n'),
  );
  const deb = join(out, `patchwise-agent_${version}_${arch}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
  return deb;
}

await main();
