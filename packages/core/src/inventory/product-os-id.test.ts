import { describe, expect, it } from 'vitest';
import { productOsId } from './product-os-id.js';

describe('productOsId', () => {
  it('reads CentOS Stream from the name, since its os-release ID is centos', () => {
    expect(productOsId({ id: 'centos', versionId: '8', name: 'CentOS Stream' })).toBe('centos-stream');
    expect(productOsId({ id: 'centos', versionId: '8', name: 'CentOS Stream 8' })).toBe('centos-stream');
    expect(productOsId({ id: 'centos', versionId: '8', name: 'CentOS Linux 8' })).toBe('centos');
    expect(productOsId({ id: 'centos', versionId: '8' })).toBe('centos');
    expect(productOsId({ id: 'centos', versionId: '7', name: null })).toBe('centos');
  });

  it('a centos after 8 can only be Stream; other ids pass through lower-cased', () => {
    expect(productOsId({ id: 'centos', versionId: '9' })).toBe('centos-stream');
    expect(productOsId({ id: 'Debian', versionId: '12', name: 'Debian GNU/Linux 12 (bookworm)' })).toBe('debian');
    expect(productOsId({ id: 'rhel', versionId: '9.4', name: 'Red Hat Enterprise Linux 9.4 (Plow)' })).toBe('rhel');
  });
});
