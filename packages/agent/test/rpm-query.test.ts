/**
 * The rpm query every RPM driver (dnf, yum, zypper) uses, against the real rpm: packages built
 * here with rpmbuild and registered with `rpm --justdb` under a temporary root. dnf and zypper
 * cannot run here, but rpm can, so this part of their drivers is tested against the real output.
 * Needs `rpm` and `rpmbuild` (Debian's `rpm` package has both); with CI=true their absence fails.
 */
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DnfDriver, LocalRunner, ZypperDriver, type CommandRunner } from '@patchwise/agent';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, removeTrees } from './support/fake-root.js';

const run = promisify(execFile);
afterAll(removeTrees);

async function works(file: string): Promise<boolean> {
  try {
    await run(file, ['--version']);
    return true;
  } catch {
    return false;
  }
}

const haveRpm = (await works('rpm')) && (await works('rpmbuild'));
const inCi = process.env.CI === 'true';

const spec = (name: string, evr: { epoch?: number; version: string; release: string }) => `Name: ${name}
${evr.epoch === undefined ? '' : `Epoch: ${evr.epoch}\n`}Version: ${evr.version}
Release: ${evr.release}
Summary: Patchwise test package
License: MIT
BuildArch: noarch
%description
test
%files
`;

describe.runIf(haveRpm || inCi)('the RPM drivers read versions from a real rpm database', () => {
  let root: string;
  let runner: CommandRunner;

  beforeAll(async () => {
    if (!haveRpm) throw new Error('rpm and rpmbuild are required when CI=true (apt-get install rpm)');
    const top = await makeTree(
      {
        files: {
          'SPECS/epoch.spec': spec('pw-epoch', { epoch: 1, version: '3.0.7', release: '27.el9' }),
          // Two instances of one name, as install-only kernels are.
          'SPECS/kern-old.spec': spec('pw-kern', { version: '5.14.0', release: '362.8.1.el9_3' }),
          'SPECS/kern-new.spec': spec('pw-kern', { version: '5.14.0', release: '427.13.1.el9_4' }),
        },
      },
      'pw-rpmbuild-',
    );
    for (const file of ['epoch.spec', 'kern-old.spec', 'kern-new.spec']) {
      await run('rpmbuild', ['--define', `_topdir ${top}`, '--define', '_build_id_links none', '--quiet', '-bb', path.join(top, 'SPECS', file)]);
    }
    const rpms = (await readdir(path.join(top, 'RPMS'), { recursive: true })).filter((f) => f.endsWith('.rpm')).map((f) => path.join(top, 'RPMS', f));
    expect(rpms).toHaveLength(3);
    root = await makeTree({}, 'pw-rpmroot-');
    await run('rpm', ['--root', root, '--initdb']);
    await run('rpm', ['--root', root, '-i', '--justdb', '--nodeps', '--noscripts', ...rpms]);
    // The drivers' own argv, pointed at the temporary root: `rpm --root ROOT -q …`.
    const local = new LocalRunner();
    runner = {
      description: `rpm root ${root}`,
      run: (step, argv, options) => local.run(step, argv[0] === 'rpm' ? ['rpm', '--root', root, ...argv.slice(1)] : argv, options),
    };
  });

  it('reports epochs, the highest of several instances, and null for a package not installed', async () => {
    for (const driver of [new DnfDriver(runner), new ZypperDriver(runner)]) {
      expect(await driver.queryVersions(['pw-epoch', 'pw-kern', 'pw-absent'])).toEqual([
        { name: 'pw-epoch', version: '1:3.0.7-27.el9' },
        { name: 'pw-kern', version: '5.14.0-427.13.1.el9_4' },
        { name: 'pw-absent', version: null },
      ]);
    }
  });

  it('compares versions as rpm does (an absent epoch is 0)', () => {
    const dnf = new DnfDriver(runner);
    expect(dnf.sameVersion('0:5.14.0-427.13.1.el9_4', '5.14.0-427.13.1.el9_4')).toBe(true);
    expect(dnf.sameVersion('1:3.0.7-27.el9', '3.0.7-27.el9')).toBe(false);
  });
});
