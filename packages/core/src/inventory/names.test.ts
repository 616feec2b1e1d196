import { describe, expect, it } from 'vitest';
import { normalizeName, normalizePyPIName } from './names.js';

describe('normalizeName', () => {
  it('applies PEP 503 to PyPI names', () => {
    expect(normalizeName('PyPI', 'Django')).toBe('django');
    expect(normalizeName('PyPI', 'zope.interface')).toBe('zope-interface');
    expect(normalizeName('PyPI', 'Foo__Bar-.baz')).toBe('foo-bar-baz');
    expect(normalizePyPIName('ruamel.yaml.clib')).toBe('ruamel-yaml-clib');
  });

  it('recognises the PyPI ecosystem case-insensitively, but not look-alikes', () => {
    expect(normalizeName('pypi', 'Jinja2')).toBe('jinja2');
    expect(normalizeName('PyPI:extra', 'A_B')).toBe('a-b');
    expect(normalizeName('PyPIx', 'A_B')).toBe('A_B');
  });

  it('keeps npm names, scoped ones included, as they are', () => {
    expect(normalizeName('npm', '@babel/core')).toBe('@babel/core');
    expect(normalizeName('npm', 'JSONStream')).toBe('JSONStream');
  });

  it('lower-cases Packagist names, as Composer compares them; keeps RubyGems names', () => {
    expect(normalizeName('Packagist', 'Symfony/Http-Kernel')).toBe('symfony/http-kernel');
    expect(normalizeName('packagist', 'Monolog/Monolog')).toBe('monolog/monolog');
    expect(normalizeName('Packagistx', 'A/B')).toBe('A/B');
    expect(normalizeName('RubyGems', 'RedCloth')).toBe('RedCloth');
  });

  it('lower-cases NuGet ids, as NuGet compares them', () => {
    expect(normalizeName('NuGet', 'Newtonsoft.Json')).toBe('newtonsoft.json');
    expect(normalizeName('nuget', 'System.Text.Encodings.Web')).toBe('system.text.encodings.web');
    expect(normalizeName('NuGet:extra', 'A.B')).toBe('a.b');
    expect(normalizeName('NuGetx', 'A.B')).toBe('A.B');
  });

  it('keeps distribution package names as they are', () => {
    expect(normalizeName('Debian:12', 'libstdc++6')).toBe('libstdc++6');
    expect(normalizeName('AlmaLinux:9', 'python3.9')).toBe('python3.9');
    expect(normalizeName('Alpine:v3.18', 'py3-Foo_bar')).toBe('py3-Foo_bar');
  });
});
