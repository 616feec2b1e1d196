import { describe, expect, it } from 'vitest';
import { ENROLLMENTS_PER_MINUTE, FAILED_AUTHENTICATIONS_PER_MINUTE } from './app-types.js';
import { parseServerConfig, type ServerConfig, type ServerConfigInput } from './server-config.js';

/** The per-minute limits: each flag, the input it fills, the setting it gives, its default. */
const LIMITS: readonly [string, keyof ServerConfigInput, keyof ServerConfig, number][] = [
  ['--enroll-limit', 'enrollLimit', 'enrollmentsPerMinute', ENROLLMENTS_PER_MINUTE],
  ['--auth-failure-limit', 'authFailureLimit', 'failedAuthenticationsPerMinute', FAILED_AUTHENTICATIONS_PER_MINUTE],
];

describe.each(LIMITS)('%s', (flag, input, setting, fallback) => {
  it('defaults to the documented limit and takes a positive count', () => {
    expect(parseServerConfig({ env: {} })[setting]).toBe(fallback);
    expect(parseServerConfig({ env: {}, [input]: '5000' })[setting]).toBe(5000);
  });

  it('refuses anything else, naming the setting', () => {
    for (const bad of ['0', '-1', '1.5', 'lots', '']) {
      expect(() => parseServerConfig({ env: {}, [input]: bad })).toThrow(expect.objectContaining({ code: 'PW_CONFIG_INVALID', input: flag }));
    }
  });
});
