import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { caught } from '../../test/support/caught.js';
import { RPM_QA_QUERY_FORMAT, parseRpmQa } from './rpm-qa.js';

const fixture = readFileSync(new URL('../../test/fixtures/inventory/rpm-qa-almalinux9.tsv', import.meta.url), 'utf8');

function malformedMessage(text: string): string {
  const { code, message } = caught(() => parseRpmQa(text, 'rpms.txt'));
  expect(code).toBe('PW_INPUT_MALFORMED');
  return message;
}

describe('parseRpmQa', () => {
  it('reads the documented query format', () => {
    const { packages, skipped } = parseRpmQa(fixture, 'rpms.txt');
    expect(packages).toHaveLength(21);
    expect(skipped).toEqual([{ reason: 'rpm gpg-pubkey (signing key, not software)', count: 2 }]);
    const byName = new Map(packages.map((p) => [p.name, p]));
    expect(byName.get('openssl-libs')).toEqual({
      name: 'openssl-libs', version: '1:3.0.7-27.el9', sourceName: 'openssl', sourceVersion: '1:3.0.7-27.el9', arch: 'x86_64',
    });
    expect(byName.get('bash')).toMatchObject({ version: '5.1.8-9.el9', sourceName: 'bash', sourceVersion: '5.1.8-9.el9' });
    // An explicit epoch 0 is written like no epoch.
    expect(byName.get('libgcc')).toMatchObject({ version: '11.4.1-3.el9.alma.1', sourceName: 'gcc' });
    expect(byName.get('python3-libs')).toMatchObject({ sourceName: 'python3.9', sourceVersion: '3.9.18-3.el9' });
    expect(byName.get('tzdata')?.arch).toBe('noarch');
    expect(byName.get('perl-libs')?.version).toBe('4:5.32.1-480.el9');
  });

  it('accepts CRLF, a BOM, blank lines and (none) fields', () => {
    const text = '\ufeffbash\t(none)\t5.1.8\t9.el9\tx86_64\tbash-5.1.8-9.el9.src.rpm\r\n\r\nodd\t(none)\t1\t1\t(none)\t(none)\r\n';
    expect(parseRpmQa(text, 'x').packages).toEqual([
      { name: 'bash', version: '5.1.8-9.el9', sourceName: 'bash', sourceVersion: '5.1.8-9.el9', arch: 'x86_64' },
      { name: 'odd', version: '1-1', sourceName: undefined, sourceVersion: undefined, arch: undefined },
    ]);
  });

  it('returns nothing for an empty database', () => {
    expect(parseRpmQa('', 'x')).toEqual({ packages: [], skipped: [] });
  });

  it('rejects malformed lines naming the line number', () => {
    expect(malformedMessage('bash\t(none)\t5.1.8\t9.el9\tx86_64\tbash.src.rpm\nbash-5.1.8-9.el9.x86_64\n')).toBe(
      'rpms.txt: line 2: expected 6 tab-separated fields, found 1',
    );
    expect(malformedMessage('bash\tone\t5.1.8\t9.el9\tx86_64\tx')).toContain('line 1: EPOCH "one" is not a number or (none)');
    expect(malformedMessage('\n\nbash\t(none)\t\t9.el9\tx86_64\tx')).toContain('line 3: NAME, VERSION and RELEASE must not be empty');
  });

  it('documents its query format', () => {
    expect(RPM_QA_QUERY_FORMAT).toBe('%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\n');
  });
});
