/** Health checks: HTTP against a real local server, service checks' argv, approved scripts run by their hash only. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalRunner, runHealthCheck, sha256Hex, validateHealthCheck, type CommandRunner, type HealthCheckContext } from '@patchwise/agent';
import type { CommandRecord } from '@patchwise/core';
import { ScriptedRunner } from './support/scripted-runner.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') res.writeHead(200).end('fine');
    else if (req.url === '/created') res.writeHead(201).end();
    else if (req.url === '/login') res.writeHead(302, { location: '/ok' }).end();
    else if (req.url === '/hang') req.socket.setTimeout(0); // never answers
    else res.writeHead(503).end('down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function context(runner: CommandRunner = new LocalRunner()): { ctx: HealthCheckContext; records: CommandRecord[] } {
  const records: CommandRecord[] = [];
  return { ctx: { runner, fetch: globalThis.fetch, clock: () => new Date(), addRecord: (r) => records.push(r) }, records };
}

describe('HTTP checks', () => {
  it('passes on any 2xx by default, or on exactly the expected status', async () => {
    const { ctx, records } = context();
    expect(await runHealthCheck({ kind: 'http', url: `${base}/ok` }, 'post-check', ctx)).toEqual({ ok: true, message: `${base}/ok answered 200` });
    expect((await runHealthCheck({ kind: 'http', url: `${base}/created` }, 'post-check', ctx)).ok).toBe(true);
    expect(await runHealthCheck({ kind: 'http', url: `${base}/created`, expectStatus: 200 }, 'post-check', ctx)).toEqual({ ok: false, message: `${base}/created answered 201, expected 200` });
    expect(records.map((r) => [r.argv, r.exitCode, r.stdout])).toEqual([
      [['GET', `${base}/ok`], 0, 'HTTP 200\n'],
      [['GET', `${base}/created`], 0, 'HTTP 201\n'],
      [['GET', `${base}/created`], 1, 'HTTP 201\n'],
    ]);
  });

  it('does not follow redirects: a health endpoint that redirects is not answering for itself', async () => {
    const { ctx } = context();
    expect(await runHealthCheck({ kind: 'http', url: `${base}/login` }, 'post-check', ctx)).toMatchObject({ ok: false, message: `${base}/login answered 302, expected 2xx` });
  });

  it('fails after its timeout when nothing answers', async () => {
    const { ctx, records } = context();
    const result = await runHealthCheck({ kind: 'http', url: `${base}/hang`, timeoutMs: 200 }, 'pre-check', ctx);
    expect(result).toEqual({ ok: false, message: `${base}/hang: no answer within 200 ms` });
    expect(records[0]).toMatchObject({ step: 'pre-check', exitCode: null, stderr: 'no answer within 200 ms' });
  });

  it('refuses URLs that are not http(s) and out-of-range settings', () => {
    for (const check of [
      { kind: 'http', url: 'file:///etc/shadow' },
      { kind: 'http', url: 'not a url' },
      { kind: 'http', url: 'http://x/', expectStatus: 42 },
      { kind: 'http', url: 'http://x/', timeoutMs: 0 },
    ] as const) {
      expect(() => validateHealthCheck(check), JSON.stringify(check)).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
    }
  });
});

describe('service checks', () => {
  it('asks systemctl is-active --quiet about exactly the unit', async () => {
    const runner = new ScriptedRunner([
      { argv: ['systemctl', 'is-active', '--quiet', 'nginx.service'], exitCode: 0 },
      { argv: ['systemctl', 'is-active', '--quiet', 'getty@tty1.service'], exitCode: 3 },
    ]);
    const { ctx } = context(runner);
    expect(await runHealthCheck({ kind: 'service', unit: 'nginx.service' }, 'post-check', ctx)).toEqual({ ok: true, message: 'service nginx.service is active' });
    expect(await runHealthCheck({ kind: 'service', unit: 'getty@tty1.service' }, 'post-check', ctx)).toEqual({ ok: false, message: 'service getty@tty1.service is not active (exit 3)' });
  });

  it('refuses unit names that are options or carry other words', () => {
    for (const unit of ['--host=evil', '-H', 'nginx service', 'nginx;reboot', '', '.hidden']) {
      expect(() => validateHealthCheck({ kind: 'service', unit }), unit).toThrow(expect.objectContaining({ code: 'PW_INPUT_INVALID' }));
    }
  });
});

describe('script checks', () => {
  const body = 'test "$(printf ok)" = ok\n';

  it('runs the approved body as /bin/sh -c BODY NAME', async () => {
    const { ctx } = context();
    expect(await runHealthCheck({ kind: 'script', script: { name: 'probe', body, sha256: sha256Hex(body) } }, 'post-check', ctx)).toEqual({ ok: true, message: 'script probe passed' });
  });

  it('refuses a body whose SHA-256 is not the one the manifest carries', async () => {
    const { ctx } = context();
    const script = { name: 'probe', body: `${body}touch /tmp/pw-pwned\n`, sha256: sha256Hex(body) };
    await expect(runHealthCheck({ kind: 'script', script }, 'post-check', ctx)).rejects.toMatchObject({ code: 'PW_INPUT_INVALID', message: expect.stringContaining('refusing to run it') });
  });
});
