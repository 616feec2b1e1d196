import { resolve } from 'node:path';
import { PatchwiseError } from '@patchwise/core';
import { ENROLLMENTS_PER_MINUTE, FAILED_AUTHENTICATIONS_PER_MINUTE } from './app-types.js';

export interface ServerConfig {
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /** PostgreSQL connection string; absent means the embedded PGlite in `dataDir/pglite`. */
  readonly databaseUrl: string | undefined;
  readonly checkinIntervalSeconds: number;
  readonly staleAfterMs: number;
  /** Enrollment attempts one client address may make per minute (`--enroll-limit`). */
  readonly enrollmentsPerMinute: number;
  /** Failed authentications on person routes one client address may have per minute (`--auth-failure-limit`). */
  readonly failedAuthenticationsPerMinute: number;
}

export interface ServerConfigInput {
  readonly data?: string | undefined;
  readonly listen?: string | undefined;
  readonly checkinInterval?: string | undefined;
  readonly staleAfter?: string | undefined;
  readonly enrollLimit?: string | undefined;
  readonly authFailureLimit?: string | undefined;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Parses the server's settings once, at start-up; each error names the setting. */
export function parseServerConfig(input: ServerConfigInput): ServerConfig {
  const env = input.env ?? {};
  const { host, port } = parseListen(input.listen ?? '127.0.0.1:8080');
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new PatchwiseError('PW_CONFIG_INVALID', 'must start with postgres:// or postgresql://', { input: 'DATABASE_URL' });
  }
  const checkinIntervalSeconds = parseDuration(input.checkinInterval ?? '60s', '--checkin-interval') / 1000;
  if (checkinIntervalSeconds < 5 || checkinIntervalSeconds > 86400) {
    throw new PatchwiseError('PW_CONFIG_INVALID', 'must be between 5s and 24h', { input: '--checkin-interval' });
  }
  return {
    dataDir: resolve(input.data ?? env.PATCHWISE_DATA ?? 'data'),
    host,
    port,
    databaseUrl,
    checkinIntervalSeconds,
    staleAfterMs: parseDuration(input.staleAfter ?? '7d', '--stale-after'),
    enrollmentsPerMinute: perMinute(input.enrollLimit, ENROLLMENTS_PER_MINUTE, 'enrollments', '--enroll-limit'),
    failedAuthenticationsPerMinute: perMinute(input.authFailureLimit, FAILED_AUTHENTICATIONS_PER_MINUTE, 'failed authentications', '--auth-failure-limit'),
  };
}

/** A per-minute limit: a whole number from 1 to 9,999,999, or the default when not given. */
function perMinute(text: string | undefined, fallback: number, what: string, setting: string): number {
  if (text === undefined) return fallback;
  if (!/^\d{1,7}$/.test(text) || Number(text) < 1) {
    throw new PatchwiseError('PW_CONFIG_INVALID', `"${text}" is not a number of ${what} a minute from 1 to 9999999`, { input: setting });
  }
  return Number(text);
}

function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new PatchwiseError('PW_CONFIG_INVALID', `"${text}" is not HOST:PORT (e.g. 127.0.0.1:8080)`, { input: '--listen' });
  return { host: m[1] ?? m[2] ?? '127.0.0.1', port };
}

/** `90s`, `15m`, `24h`, `7d`, or plain seconds; returns milliseconds. */
export function parseDuration(text: string, setting: string): number {
  const m = /^(\d{1,9})(s|m|h|d)?$/.exec(text.trim());
  if (!m) throw new PatchwiseError('PW_CONFIG_INVALID', `"${text}" is not a duration such as 90s, 15m, 24h or 7d`, { input: setting });
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[(m[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit * 1000;
}
