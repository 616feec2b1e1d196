import { describe, expect, it } from 'vitest';
import { ENROLLMENTS_PER_MINUTE, FAILED_AUTHENTICATIONS_PER_MINUTE } from './app-types.js';
import { parseServerConfig } from './server-config.js';

describe('--enroll-limit', () => {
  it('defaults to the documented limit and takes a positive count', () => {
    expect(parseServerConfig({ env: {} }).enrollmentsPerMinute).toBe(ENROLLMENTS_PER_MINUTE);
    expect(parseServerConfig({ env: {}, enrollLimit: '5000' }).enrollmentsPerMinute).toBe(5000);
  });

  it('refuses anything else, naming the setting', () => {
    for (const bad of ['0', '-1', '1.5', 'lots', '']) {
      expect(() => parseServerConfig({ env: {}, enrollLimit: bad })).toThrow(expect.objectContaining({ code: 'PW_CONFIG_INVALID', input: '--enroll-limit' }));
    }
  });
});

describe('--auth-failure-limit', () => {
  it('defaults to the documented limit and takes a positive count', () => {
    expect(parseServerConfig({ env: {} }).failedAuthenticationsPerMinute).toBe(FAILED_AUTHENTICATIONS_PER_MINUTE);
    expect(parseServerConfig({ env: {}, authFailureLimit: '5' }).failedAuthenticationsPerMinute).toBe(5);
  });

  it('refuses anything else, naming the setting', () => {
    for (const bad of ['0', '-1', '2.5', 'many', '']) {
      expect(() => parseServerConfig({ env: {}, authFailureLimit: bad })).toThrow(expect.objectContaining({ code: 'PW_CONFIG_INVALID', input: '--auth-failure-limit' }));
    }
  });
});
