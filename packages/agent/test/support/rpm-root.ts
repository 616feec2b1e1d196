/**
 * Roots holding real rpm databases: tiny packages built with rpmbuild and registered with
 * `rpm --justdb`. Needs `rpm` and `rpmbuild` (Debian's `rpm` package has both).
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeTree } from './fake-root.js';

const run = promisify(execFile);

/** Whether `rpm` and `rpmbuild` run here. */
export async function haveRpmTools(): Promise<boolean> {
  const works = (file: string) =>
    run(file, ['--version']).then(
      () => true,
      () => false,
    );
  return (await works('rpm')) && (await works('rpmbuild'));
}

/** One source package with two binaries (the second renamed), plus an epoch-less arch package. */
const SPEC_WITH_SUBPACKAGE = `Name: pw-src
Epoch: 2
Version: 1.0
Release: 3.el9
Summary: Patchwise test package
License: MIT
BuildArch: noarch
%description
test
%package -n pw-libfoo
Summary: renamed subpackage
%description -n pw-libfoo
test
%files
%files -n pw-libfoo
`;
const SPEC_PLAIN = `Name: pw-plain
Version: 2.5
Release: 1
Summary: Patchwise test package
License: MIT
%description
test
%files
`;

/** Builds the three test packages; resolves with the .rpm paths and rpm's idea of this machine's arch. */
export async function buildTestRpms(): Promise<{ rpms: string[]; arch: string }> {
  const top = await makeTree({ files: { 'SPECS/src.spec': SPEC_WITH_SUBPACKAGE, 'SPECS/plain.spec': SPEC_PLAIN } }, 'pw-rpmbuild-');
  for (const spec of ['src.spec', 'plain.spec']) {
    await run('rpmbuild', ['--define', `_topdir ${top}`, '--define', '_build_id_links none', '--quiet', '-bb', path.join(top, 'SPECS', spec)]);
  }
  const found = await readdir(path.join(top, 'RPMS'), { recursive: true });
  const rpms = found.filter((f) => f.endsWith('.rpm')).map((f) => path.join(top, 'RPMS', f));
  const arch = (await run('rpm', ['--eval', '%{_target_cpu}'])).stdout.trim();
  return { rpms, arch };
}

/** A root whose database lives at `dbPath`, holding `rpms`. */
export async function rootWithRpmDb(dbPath: string, rpms: readonly string[]): Promise<string> {
  const root = await makeTree({}, 'pw-rpmroot-');
  await run('rpm', ['--root', root, '--dbpath', dbPath, '--initdb']);
  await run('rpm', ['--root', root, '--dbpath', dbPath, '-i', '--justdb', '--nodeps', '--noscripts', '--ignorearch', ...rpms]);
  return root;
}

/** The packages buildTestRpms makes, as the collectors report them, sorted by name. */
export function expectedTestRpms(arch: string) {
  return [
    { name: 'pw-libfoo', version: '2:1.0-3.el9', arch: 'noarch', sourceName: 'pw-src', sourceVersion: '2:1.0-3.el9' },
    { name: 'pw-plain', version: '2.5-1', arch, sourceName: 'pw-plain', sourceVersion: '2.5-1' },
    { name: 'pw-src', version: '2:1.0-3.el9', arch: 'noarch', sourceName: 'pw-src', sourceVersion: '2:1.0-3.el9' },
  ];
}

/** Where the rpm of buildPythonRpm puts its distribution (as Fedora's python3-urllib3 does). */
export const RPM_PYTHON_DIST = '/usr/lib/python3.9/site-packages/urllib3-1.26.5.dist-info';

const SPEC_PYTHON = `Name: python3-urllib3
Version: 1.26.5
Release: 3.el9
Summary: Patchwise test package
License: MIT
BuildArch: noarch
%description
test
%install
mkdir -p %{buildroot}${RPM_PYTHON_DIST}
printf 'Metadata-Version: 2.1\\nName: urllib3\\nVersion: 1.26.5\\n' > %{buildroot}${RPM_PYTHON_DIST}/METADATA
%files
${RPM_PYTHON_DIST}
`;

/** Builds an rpm that installs a Python distribution directory (RPM_PYTHON_DIST); resolves with its path. */
export async function buildPythonRpm(): Promise<string> {
  const top = await makeTree({ files: { 'SPECS/python.spec': SPEC_PYTHON } }, 'pw-rpmbuild-');
  await run('rpmbuild', ['--define', `_topdir ${top}`, '--define', '_build_id_links none', '--quiet', '-bb', path.join(top, 'SPECS', 'python.spec')]);
  const found = await readdir(path.join(top, 'RPMS'), { recursive: true });
  return path.join(top, 'RPMS', found.find((f) => f.endsWith('.rpm')) as string);
}

/** Builds an empty noarch rpm of `name` (say `glibc`, to stand for it in a database); resolves with its path. */
export async function buildEmptyRpm(name: string, version = '1.0', release = '1'): Promise<string> {
  const spec = `Name: ${name}\nVersion: ${version}\nRelease: ${release}\nSummary: Patchwise test package\nLicense: MIT\nBuildArch: noarch\n%description\ntest\n%files\n`;
  const top = await makeTree({ files: { 'SPECS/empty.spec': spec } }, 'pw-rpmbuild-');
  await run('rpmbuild', ['--define', `_topdir ${top}`, '--define', '_build_id_links none', '--quiet', '-bb', path.join(top, 'SPECS', 'empty.spec')]);
  const found = await readdir(path.join(top, 'RPMS'), { recursive: true });
  return path.join(top, 'RPMS', found.find((f) => f.endsWith('.rpm')) as string);
}
