import { PackageURL } from 'packageurl-js';
import { describe, expect, it } from 'vitest';
import { emptyPurl, parsePurl, parsePurlInto } from './purl.js';

describe('parsePurl', () => {
  it('reads a Syft deb purl with upstream and distro qualifiers', () => {
    expect(parsePurl('pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&upstream=glibc&distro=debian-12')).toEqual({
      type: 'deb',
      namespace: 'debian',
      name: 'libc6',
      version: '2.36-9+deb12u4',
      arch: 'amd64',
      distro: 'debian-12',
      epoch: '',
      upstream: 'glibc',
    });
  });

  it('decodes percent-encoded names, versions and qualifier values', () => {
    const p = parsePurl('pkg:deb/debian/libstdc%2B%2B6@1%3A12.2.0-14?upstream=gcc-12%4012.2.0-14');
    expect(p).toMatchObject({ name: 'libstdc++6', version: '1:12.2.0-14', upstream: 'gcc-12@12.2.0-14' });
  });

  it('decodes multi-byte UTF-8 escapes and refuses invalid ones', () => {
    expect(parsePurl('pkg:pypi/caf%C3%A9@1.0%2Blocal')).toMatchObject({ name: 'café', version: '1.0+local' });
    expect(parsePurl('pkg:pypi/caf%C3@1.0')).toBeUndefined();
    expect(parsePurl('pkg:pypi/a%2@1.0')).toBeUndefined();
    expect(parsePurl('pkg:generic/a%25b@1')?.name).toBe('a%b');
  });

  it('decodes each namespace segment', () => {
    expect(parsePurl('pkg:golang/github.com/%41cme/x@v1')?.namespace).toBe('github.com/Acme');
  });

  it('keeps a literal + (purls are not form-encoded)', () => {
    expect(parsePurl('pkg:deb/debian/libc6@2.36-9+deb12u4')?.version).toBe('2.36-9+deb12u4');
  });

  it('reads scoped npm names, encoded or not', () => {
    expect(parsePurl('pkg:npm/%40babel/core@7.24.0')).toMatchObject({ namespace: '@babel', name: 'core', version: '7.24.0' });
    expect(parsePurl('pkg:npm/@babel/core@7.24.0')).toMatchObject({ namespace: '@babel', name: 'core', version: '7.24.0' });
    expect(parsePurl('pkg:npm/@babel/core')).toMatchObject({ namespace: '@babel', name: 'core', version: '' });
  });

  it('reads the rpm epoch qualifier and ignores others, and the subpath', () => {
    const p = parsePurl('pkg:rpm/alma/openssl-libs@3.0.7-27.el9?arch=x86_64&distro=alma-9.4&epoch=1&modularitylabel=x#sub/path');
    expect(p).toMatchObject({ type: 'rpm', namespace: 'alma', version: '3.0.7-27.el9', epoch: '1', distro: 'alma-9.4' });
  });

  it('accepts upper-case type, scheme and qualifier keys, and slashes after the scheme', () => {
    expect(parsePurl('PKG:PyPI/Django@4.2?ARCH=any')).toMatchObject({ type: 'pypi', name: 'Django', arch: 'any' });
    expect(parsePurl('pkg://npm/left-pad@1.3.0')).toMatchObject({ type: 'npm', name: 'left-pad' });
  });

  it('parsePurlInto reuses one result without leaking parts between purls', () => {
    const out = emptyPurl();
    expect(parsePurlInto('pkg:deb/debian/a@1?arch=amd64&distro=debian-12&epoch=2&upstream=src', out)).toBe(true);
    const arch = out.arch;
    expect(parsePurlInto('pkg:deb/debian/b@2?arch=amd64&distro=debian-12', out)).toBe(true);
    expect(out).toEqual({ type: 'deb', namespace: 'debian', name: 'b', version: '2', arch: 'amd64', distro: 'debian-12', epoch: '', upstream: '' });
    expect(out.arch).toBe(arch);
    expect(parsePurlInto('pkg:npm/%40s/c@3', out)).toBe(true);
    expect(out).toEqual({ type: 'npm', namespace: '@s', name: 'c', version: '3', arch: '', distro: '', epoch: '', upstream: '' });
    // A raw part equal to the previous decoded one is reused only when it holds no escape.
    expect(parsePurlInto('pkg:generic/a%2540b/x@1', out)).toBe(true);
    expect(out.namespace).toBe('a%40b');
    expect(parsePurlInto('pkg:generic/a%40b/x@1', out)).toBe(true);
    expect(out.namespace).toBe('a@b');
    expect(parsePurlInto('pkg:npm/', out)).toBe(false);
  });

  it('rejects what is not a purl', () => {
    for (const bad of ['', 'pkg:', 'pkg:deb', 'pkg:/x@1', 'http://x/y', 'pkg:npm/', 'pkg:npm/%E0%A4%A@1', 'pkg:npm/a%ZZb@1']) {
      expect(parsePurl(bad), bad).toBeUndefined();
    }
  });

  it('agrees with packageurl-js on well-formed purls', () => {
    const samples = [
      'pkg:deb/debian/libstdc%2B%2B6@12.2.0-14?arch=amd64&distro=debian-12&upstream=gcc-12',
      'pkg:rpm/redhat/openssl@1%3A3.0.7-18.el9_2?arch=x86_64&distro=redhat-9.2',
      'pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&upstream=musl&distro=alpine-3.18.4',
      'pkg:npm/%40types/node@20.11.5',
      'pkg:pypi/zope.interface@6.1',
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      'pkg:golang/github.com/foo/bar@v1.2.3',
    ];
    for (const s of samples) {
      const ours = parsePurl(s);
      const theirs = PackageURL.fromString(s);
      expect(ours?.name, s).toBe(theirs.name);
      expect(ours?.version, s).toBe(theirs.version);
      expect(ours?.namespace ?? '', s).toBe(theirs.namespace ?? '');
      expect(ours?.distro, s).toBe(theirs.qualifiers?.distro ?? '');
      expect(ours?.upstream, s).toBe(theirs.qualifiers?.upstream ?? '');
    }
  });
});
