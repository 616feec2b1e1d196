/**
 * Health checks before and after a change. None is free-form: a service check asks systemd about
 * one validated unit, an HTTP check is a GET through the injected fetch, a script check runs an
 * approved script whose hash was verified.
 */
import { PatchwiseError, assertNever, type CommandRecord, type HealthCheck } from '@patchwise/core';
import { approvedScriptArgv, verifyApprovedScript } from './approved-script.js';
import { describeExit } from './command-failed-error.js';
import type { CommandRunner } from './command-runner.js';
import type { RecordingRunner } from './recording-runner.js';

/** systemd.unit(5): letters, digits and `: - _ . \ @`, at most 255; not starting with `-` (an option to systemctl) or `.`. */
const UNIT_NAME = /^[A-Za-z0-9:_\\@][A-Za-z0-9:_.\\@-]{0,254}$/;
const DEFAULT_HTTP_TIMEOUT_MS = 10_000;
const MAX_HTTP_TIMEOUT_MS = 300_000;
const CHECK_TIMEOUT_MS = 5 * 60_000;

export interface HealthCheckContext {
  readonly runner: CommandRunner;
  readonly fetch: typeof fetch;
  readonly clock: () => Date;
  /** Where the record of an HTTP check goes (it is not a program, so no runner records it). */
  readonly addRecord: (record: CommandRecord) => void;
}

export interface HealthCheckResult {
  readonly ok: boolean;
  /** What was checked and, when it failed, why. */
  readonly message: string;
}

/** Throws PW_INPUT_INVALID for a check that must not run (bad unit name, URL, script hash). */
export function validateHealthCheck(check: HealthCheck): void {
  switch (check.kind) {
    case 'service':
      if (typeof check.unit !== 'string' || !UNIT_NAME.test(check.unit)) {
        throw new PatchwiseError('PW_INPUT_INVALID', 'not a systemd unit name (letters, digits and : - _ . \\ @; not starting with - or .)', {
          input: JSON.stringify(check.unit),
        });
      }
      return;
    case 'http': {
      let url: URL;
      try {
        url = new URL(check.url);
      } catch {
        throw new PatchwiseError('PW_INPUT_INVALID', 'not a URL', { input: JSON.stringify(check.url) });
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new PatchwiseError('PW_INPUT_INVALID', 'an HTTP check needs an http or https URL', { input: check.url });
      if (check.expectStatus !== undefined && !(Number.isInteger(check.expectStatus) && check.expectStatus >= 100 && check.expectStatus <= 599)) {
        throw new PatchwiseError('PW_INPUT_INVALID', 'expectStatus must be an HTTP status (100-599)', { input: check.url });
      }
      if (check.timeoutMs !== undefined && !(Number.isInteger(check.timeoutMs) && check.timeoutMs > 0 && check.timeoutMs <= MAX_HTTP_TIMEOUT_MS)) {
        throw new PatchwiseError('PW_INPUT_INVALID', `timeoutMs must be a whole number of milliseconds up to ${MAX_HTTP_TIMEOUT_MS}`, { input: check.url });
      }
      return;
    }
    case 'script':
      verifyApprovedScript(check.script);
      return;
    default:
      return assertNever(check, 'health check kind');
  }
}

/** Runs `checks` in order as job phase `step`; the message of the first that fails, or undefined when all pass. */
export async function firstFailingCheck(checks: readonly HealthCheck[], step: string, ctx: HealthCheckContext): Promise<string | undefined> {
  for (const check of checks) {
    const result = await runHealthCheck(check, step, ctx);
    if (!result.ok) return result.message;
  }
  return undefined;
}

/** The context of checks whose commands (and HTTP checks) `recorder` keeps in the job's record. */
export function recordedCheckContext(recorder: RecordingRunner, deps: { readonly fetch: typeof fetch; readonly clock: () => Date }): HealthCheckContext {
  return { runner: recorder, fetch: deps.fetch, clock: deps.clock, addRecord: (r) => recorder.add(r) };
}

/** Runs one check; a failing check is a result (`ok: false`), not an exception. */
export async function runHealthCheck(check: HealthCheck, step: string, ctx: HealthCheckContext): Promise<HealthCheckResult> {
  validateHealthCheck(check);
  switch (check.kind) {
    case 'service': {
      const record = await ctx.runner.run(step, ['systemctl', 'is-active', '--quiet', check.unit], { timeoutMs: CHECK_TIMEOUT_MS });
      return record.exitCode === 0 ? { ok: true, message: `service ${check.unit} is active` } : { ok: false, message: `service ${check.unit} is not active (${describeExit(record)})` };
    }
    case 'http':
      return httpCheck(check, step, ctx);
    case 'script': {
      const record = await ctx.runner.run(step, approvedScriptArgv(check.script), { timeoutMs: CHECK_TIMEOUT_MS });
      if (record.exitCode === 0) return { ok: true, message: `script ${check.script.name} passed` };
      const said = (record.stderr.trim() || record.stdout.trim()).split('\n').slice(-3).join(' | ');
      return { ok: false, message: `script ${check.script.name} failed (${describeExit(record)})${said ? `: ${said}` : ''}` };
    }
    default:
      return assertNever(check, 'health check kind');
  }
}

/**
 * A GET that must answer `expectStatus` (default: any 2xx) within the timeout. Redirects are not
 * followed: a health endpoint that redirects (to a login page, say) is not answering for itself.
 * Recorded in the job's command list as argv `['GET', url]`, exit 0 (expected status), 1
 * (another status) or null (no answer).
 */
async function httpCheck(check: Extract<HealthCheck, { kind: 'http' }>, step: string, ctx: HealthCheckContext): Promise<HealthCheckResult> {
  const started = ctx.clock();
  const t0 = performance.now();
  const timeoutMs = check.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  let status: number | null = null;
  let error = '';
  try {
    const res = await ctx.fetch(check.url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    status = res.status;
    // The body is not needed; reading it to the end releases the connection.
    await res.arrayBuffer().catch(() => undefined);
  } catch (err) {
    error = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `request failed: ${(err as Error).message}`;
  }
  const ok = status !== null && (check.expectStatus === undefined ? status >= 200 && status <= 299 : status === check.expectStatus);
  ctx.addRecord({
    step,
    argv: ['GET', check.url],
    exitCode: status === null ? null : ok ? 0 : 1,
    signal: null,
    stdout: status === null ? '' : `HTTP ${status}\n`,
    stderr: error,
    startedAt: started.toISOString(),
    durationMs: Math.round(performance.now() - t0),
  });
  const expected = check.expectStatus === undefined ? '2xx' : String(check.expectStatus);
  if (ok) return { ok: true, message: `${check.url} answered ${status}` };
  return { ok: false, message: status === null ? `${check.url}: ${error}` : `${check.url} answered ${status}, expected ${expected}` };
}
