import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addToTree, makeTree, removeTrees } from '../../test/support/fake-root.js';
import { RootedFs } from './rooted-fs.js';

afterAll(removeTrees);

describe('RootedFs', () => {
  it('follows relative and absolute symlinks inside the root, absolute ones from the root', async () => {
    const root = await makeTree({
      files: { 'usr/lib/os-release': 'ID=inner\n', 'usr/share/zoneinfo/Europe/Berlin': 'TZif' },
      symlinks: {
        'etc/os-release': '../usr/lib/os-release',
        // Absolute: inside a chroot this is <root>/usr/lib/os-release, never the host's.
        'etc/abs-os-release': '/usr/lib/os-release',
        'etc/localtime': '/usr/share/zoneinfo/Europe/Berlin',
        lib: 'usr/lib',
      },
    });
    const fs = await RootedFs.open(root);
    expect(await fs.readText('etc/os-release')).toBe('ID=inner\n');
    expect(await fs.readText('/etc/abs-os-release')).toBe('ID=inner\n');
    expect(await fs.readText('/lib/os-release')).toBe('ID=inner\n');
    expect(await fs.readLink('/etc/localtime')).toBe('/usr/share/zoneinfo/Europe/Berlin');
    expect(await fs.resolve('/lib/os-release')).toEqual({ hostPath: path.join(fs.root, 'usr/lib/os-release'), rootPath: '/usr/lib/os-release' });
  });

  it('copies a file out byte for byte, and refuses what readText refuses', async () => {
    const depth = '../'.repeat(20);
    const root = await makeTree({ files: { 'db/Packages': 'a\u0000b\u00ffc' }, symlinks: { 'db/escape': `${depth}etc/passwd`, 'db/inner': 'Packages' } });
    execFileSync('mkfifo', [path.join(root, 'db/fifo')]);
    const out = await makeTree({});
    const fs = await RootedFs.open(root);
    expect(await fs.copyOut('/db/inner', path.join(out, 'copy'), 1024)).toBe(true);
    expect(readFileSync(path.join(out, 'copy'))).toEqual(readFileSync(path.join(root, 'db/Packages')));
    expect(await fs.copyOut('/db/missing', path.join(out, 'none'), 1024)).toBe(false);
    await expect(fs.copyOut('/db/escape', path.join(out, 'x'), 1024)).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE' });
    await expect(fs.copyOut('/db/fifo', path.join(out, 'y'), 1024)).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('not a regular file') });
    await expect(fs.copyOut('/db/Packages', path.join(out, 'z'), 3)).rejects.toMatchObject({ code: 'PW_INPUT_TOO_LARGE' });
  });

  it('refuses a symlink that climbs out of the root, naming the path', async () => {
    const depth = '../'.repeat(20);
    const root = await makeTree({ symlinks: { 'etc/shadow-link': `${depth}etc/shadow`, 'var/lib/dpkg': `${depth}var/lib/dpkg` } });
    const fs = await RootedFs.open(root);
    await expect(fs.readText('/etc/shadow-link')).rejects.toMatchObject({
      code: 'PW_INPUT_UNREADABLE',
      message: expect.stringContaining(`${path.join(fs.root, 'etc/shadow-link')}: a symlink or ".." leads outside the root`),
    });
    await expect(fs.readText('/var/lib/dpkg/status')).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE' });
    await expect(fs.resolve('/../etc/passwd')).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE' });
  });

  it('an absolute symlink to a host file reads the root’s own file (here: none), never the host’s', async () => {
    const root = await makeTree({ symlinks: { 'etc/hostname': '/etc/machine-id' } });
    const fs = await RootedFs.open(root);
    expect(await fs.readText('/etc/hostname')).toBeUndefined();
  });

  it('reports missing files as undefined and refuses non-regular files, loops and oversized files', async () => {
    const root = await makeTree({ files: { 'big': 'x'.repeat(1000), 'etc/file': 'f' }, symlinks: { 'loop-a': 'loop-b', 'loop-b': 'loop-a' } });
    execFileSync('mkfifo', [path.join(root, 'fifo')]);
    const fs = await RootedFs.open(root);
    expect(await fs.readText('/missing/file')).toBeUndefined();
    expect(await fs.readText('/etc/file/below-a-file')).toBeUndefined();
    // A FIFO would block a plain read forever.
    await expect(fs.readText('/fifo')).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('not a regular file') });
    await expect(fs.readText('/etc')).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE' });
    await expect(fs.readText('/loop-a')).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE', message: expect.stringContaining('symlinks') });
    await expect(fs.readText('/big', 999)).rejects.toMatchObject({ code: 'PW_INPUT_TOO_LARGE' });
    expect(await fs.readText('/big', 1000)).toHaveLength(1000);
  });

  it('on the real root, ".." above / stays at / as the kernel does', async () => {
    const fs = await RootedFs.open('/');
    expect(fs.isHostRoot).toBe(true);
    expect((await fs.resolve('/../../etc'))?.rootPath).toBe('/etc');
  });

  it('refuses a root that is not a directory', async () => {
    const root = await makeTree({ files: { f: '' } });
    await expect(RootedFs.open(path.join(root, 'f'))).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE' });
    await expect(RootedFs.open(path.join(root, 'nope'))).rejects.toMatchObject({ code: 'PW_INPUT_UNREADABLE' });
    await addToTree(root, { dirs: ['d'] });
    expect((await RootedFs.open(path.join(root, 'd'))).isHostRoot).toBe(false);
  });
});
