import { describe, expect, it } from 'vitest';
import { touchedNamesFor } from './touched-names.js';

const keys = [
  { ecosystem: 'Debian:12', name: 'openssl' },
  { ecosystem: 'Debian', name: 'zlib' },
  { ecosystem: 'AlmaLinux:9', name: 'curl' },
  { ecosystem: 'Ubuntu:Pro:FIPS:22.04:LTS', name: 'openssh' },
  { ecosystem: 'Red Hat:enterprise_linux:9::appstream', name: 'nginx' },
  { ecosystem: 'PyPI', name: 'jinja2' },
];

describe('touchedNamesFor', () => {
  it('gives a host the names of its own distribution (bare name and narrower streams included) and of application ecosystems', () => {
    expect([...touchedNamesFor(keys, 'Debian:12')].sort()).toEqual(['jinja2', 'openssl', 'zlib']);
    expect([...touchedNamesFor(keys, 'Debian:11')].sort()).toEqual(['jinja2', 'zlib']);
    expect([...touchedNamesFor(keys, 'AlmaLinux:9')].sort()).toEqual(['curl', 'jinja2']);
    expect([...touchedNamesFor(keys, 'Red Hat:enterprise_linux:9')].sort()).toEqual(['jinja2', 'nginx']);
  });

  it('gives an Ubuntu host every stream of its release, FIPS included', () => {
    expect([...touchedNamesFor(keys, 'Ubuntu:22.04:LTS')].sort()).toEqual(['jinja2', 'openssh']);
    expect([...touchedNamesFor(keys, 'Ubuntu:20.04:LTS')]).toEqual(['jinja2']);
  });

  it('does not narrow for a host of unknown distribution, nor for an ecosystem it does not know', () => {
    expect(touchedNamesFor(keys, null).size).toBe(keys.length);
    expect([...touchedNamesFor([{ ecosystem: 'Nonesuch', name: 'x' }], 'Debian:12')]).toEqual(['x']);
  });
});
