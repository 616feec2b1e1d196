/**
 * Packages the agent for managed hosts: `npm run package:agent [-- --out DIR] [--no-deb] [--no-rpm]`.
 *
 *   1. esbuild bundles `patchwise-agent` (packages/cli/src/agent-program.ts) and everything it
 *      imports into one CommonJS file;
 *   2. Node.js's single executable application support embeds that file in a copy of this
 *      `node` binary (`--experimental-sea-config`, then postject): `DIR/patchwise-agent`, which
 *      runs on a host without Node.js or a checkout of this repository;
 *   3. on a machine with dpkg-deb, a Debian package around it: `DIR/patchwise-agent_<version>_<arch>.deb`
 *      with /usr/bin/patchwise-agent, a systemd unit (not enabled: the host enrolls first) and
 *      /etc/default/patchwise-agent for its options;
 *   4. on a machine with rpmbuild, the same as an RPM package: `DIR/patchwise-agent-<version>-1.<arch>.rpm`
 *      with /usr/bin/patchwise-agent, the unit in /usr/lib/systemd/system and its options in
 *      /etc/sysconfig/patchwise-agent.
 *
 * Every program runs through execFile with an argument array, and intermediate files live in a
 * private temporary directory.
 *
 * The binary is as portable as the `node` that ran this script (an official Node.js build runs on
 * glibc 2.28 and later: Debian 10+, RHEL 8+, Ubuntu 20.04+). docs/agent-package.md says how to
 * install and enroll it.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, chmodSync, constants, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { packageVersion } from './package-version.js';
import { PatchwiseError } from '@patchwise/core';

const ROOT = resolve(import.meta.dirname, '..');
/** The resource name and fuse Node.js looks for in a single executable application (Node's docs). */
const SEA_RESOURCE = 'NODE_SEA_BLOB';
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const AGENT_PACKAGE = join(ROOT, 'packages/cli/agent-package');
/** Where the unit template names its options file (EnvironmentFile). */
const OPTIONS_FILE_PLACEHOLDER = '@OPTIONS_FILE@';

const { values } = parseArgs({
  options: { out: { type: 'string', default: 'dist' }, 'no-deb': { type: 'boolean', default: false }, 'no-rpm': { type: 'boolean', default: false } },
});
const out = resolve(values.out);
const version = (JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
/** The version as both packages write it; checked here, before the minutes of building. */
const packagedVersion = packageVersion(version);

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

  // Each package is built where its tool exists; a missing one is said, not an error (an RPM
  // build machine has no dpkg-deb, and Debian's rpm package is optional).
  if (!values['no-deb']) {
    if (onPath('dpkg-deb')) console.log(debianPackage(binary, work));
    else console.error('package-agent: no dpkg-deb on PATH, so no .deb (Debian: apt-get install dpkg)');
  }
  if (!values['no-rpm']) {
    if (onPath('rpmbuild')) console.log(rpmPackage(binary, work));
    else console.error('package-agent: no rpmbuild on PATH, so no .rpm (Debian: apt-get install rpm; RHEL: dnf install rpm-build)');
  }
}

/** Whether `program` is an executable file in a directory of PATH (looked up without a shell). */
function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Where a distribution family puts the packaged files that differ: the unit's options. */
interface PackageLayout {
  /** The unit's EnvironmentFile (absolute): /etc/default on Debian, /etc/sysconfig on RPM distributions. */
  readonly optionsFile: string;
}

/**
 * The systemd unit directory, relative to the root, for both packages. Not /lib/systemd/system
 * on Debian: since Debian 12 /lib is a link to /usr/lib, and dpkg loses track of files shipped
 * under such an aliased directory when another package moves them (trixie's lintian refuses
 * them); systemd reads /usr/lib/systemd/system on merged and split /usr systems alike.
 */
const UNIT_DIR = 'usr/lib/systemd/system';
const DEB_LAYOUT: PackageLayout = { optionsFile: '/etc/default/patchwise-agent' };
const RPM_LAYOUT: PackageLayout = { optionsFile: '/etc/sysconfig/patchwise-agent' };

const SUMMARY = 'Patchwise agent: inventory and patch jobs for a Patchwise server';
const DESCRIPTION = [
  "Reports this host's facts and installed packages (dpkg, rpm, apk, Python) to a",
  'Patchwise server and runs the deployment jobs it signs. Node.js is built in.',
];

/**
 * The unit, from the one template (agent-package/patchwise-agent.service.in) with the layout's
 * options file: the .deb and the .rpm differ only there, so neither can drift from the other.
 */
function unitText(layout: PackageLayout): string {
  const template = readFileSync(join(AGENT_PACKAGE, 'patchwise-agent.service.in'), 'utf8');
  const parts = template.split(OPTIONS_FILE_PLACEHOLDER);
  if (parts.length !== 2) {
    throw new PatchwiseError('PW_INPUT_INVALID', `expected ${OPTIONS_FILE_PLACEHOLDER} exactly once, found it ${parts.length - 1} times`, {
      input: 'packages/cli/agent-package/patchwise-agent.service.in',
    });
  }
  return parts.join(layout.optionsFile);
}

/** Writes the binary, the unit and its options file under `tree` where `layout` puts them. */
function writePayload(tree: string, binary: string, layout: PackageLayout): void {
  writeTreeFile(tree, 'usr/bin/patchwise-agent', readFileSync(binary), 0o755);
  writeTreeFile(tree, `${UNIT_DIR}/patchwise-agent.service`, unitText(layout));
  writeTreeFile(tree, layout.optionsFile.slice(1), readFileSync(join(AGENT_PACKAGE, 'patchwise-agent.options')));
}

function writeTreeFile(tree: string, path: string, content: string | Buffer, mode = 0o644): void {
  const target = join(tree, path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, content);
  chmodSync(target, mode);
}

/** The .deb around the binary, in `out`, built with dpkg-deb (root-owned files without being root). */
function debianPackage(binary: string, work: string): string {
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  const tree = join(work, 'deb');
  writePayload(tree, binary, DEB_LAYOUT);
  writeTreeFile(tree, 'DEBIAN/conffiles', `${DEB_LAYOUT.optionsFile}\n`);
  writeTreeFile(
    tree,
    'DEBIAN/control',
    [
      'Package: patchwise-agent',
      `Version: ${packagedVersion}`,
      `Architecture: ${arch}`,
      'Maintainer: Patchwise <patchwise@localhost>',
      'Section: admin',
      'Priority: optional',
      `Description: ${SUMMARY}`,
      ...DESCRIPTION.map((line) => ` ${line}`),
      '',
    ].join('\n'),
  );
  const deb = join(out, `patchwise-agent_${packagedVersion}_${arch}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zgzip', '--build', tree, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
  return deb;
}

/**
 * The .rpm around the binary, in `out`: `patchwise-agent-<version>-1.<arch>.rpm`. The payload tree
 * is written here, as for the .deb, and rpmbuild only packs it: the spec has no %prep, %build or
 * %install section, so no shell script runs during the build (rpmbuild runs those sections with
 * /bin/sh, and paths such as the temporary directory would be spliced into them).
 */
function rpmPackage(binary: string, work: string): string {
  const arch = execFileSync('rpm', ['--eval', '%{_arch}'], { encoding: 'utf8' }).trim();
  const top = join(work, 'rpm');
  const tree = join(top, 'BUILDROOT');
  writePayload(tree, binary, RPM_LAYOUT);
  const spec = join(top, 'patchwise-agent.spec');
  writeFileSync(spec, rpmSpec(packagedVersion));
  execFileSync(
    'rpmbuild',
    [
      '--quiet',
      ...['--define', `_topdir ${top}`, '--define', `_tmppath ${join(top, 'tmp')}`, '--define', `_rpmdir ${join(top, 'RPMS')}`],
      ...['--define', '_build_name_fmt %{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}.rpm'],
      ...['--buildroot', tree, '--target', arch, '-bb', spec],
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const name = `patchwise-agent-${packagedVersion}-1.${arch}.rpm`;
  const rpm = join(out, name);
  copyFileSync(join(top, 'RPMS', name), rpm);
  return rpm;
}

function rpmSpec(rpmVer: string): string {
  return [
    'Name: patchwise-agent',
    `Version: ${rpmVer}`,
    'Release: 1',
    `Summary: ${SUMMARY}`,
    'License: Apache-2.0',
    // rpm's generators would turn the ELF header of whichever `node` ran this build into
    // Requires: for an official Node.js build, some 45 glibc and libstdc++ sonames and symbol
    // versions that every host the binary runs on has anyway (RHEL/AlmaLinux/Rocky 8+: glibc
    // 2.28+, and dnf itself links libstdc++); for a distribution's node, sonames such as
    // libnode.so.NNN that no RPM distribution ships, so the package could never install. What the
    // binary needs is stated in docs/agent-package.md; like the .deb, the package declares none.
    'AutoReqProv: no',
    // The executable is node with the agent injected by postject: `strip` leaves one that dies of
    // SIGSEGV at start. The spec has no %install section, so rpmbuild runs none of its
    // post-install steps (brp-strip, debuginfo extraction, build-id links) now; these keep it so
    // if one is added, and on build machines whose macros inject a debuginfo package.
    '%global debug_package %{nil}',
    '%global __os_install_post %{nil}',
    '%global _build_id_links none',
    // gzip: read by every rpm (RHEL 8's too), and quick to write for a 100 MB payload.
    '%global _binary_payload w6.gzdio',
    '',
    '%description',
    ...DESCRIPTION,
    '',
    // No %pre/%post/%preun/%postun: installing starts and enables nothing (the host enrolls first,
    // docs/agent-package.md), and removing leaves the state directory.
    '%files',
    '%defattr(-,root,root,-)',
    '%attr(0755,root,root) /usr/bin/patchwise-agent',
    `%attr(0644,root,root) /${UNIT_DIR}/patchwise-agent.service`,
    `%config(noreplace) %attr(0644,root,root) ${RPM_LAYOUT.optionsFile}`,
    '',
  ].join('\n');
}

await main();
