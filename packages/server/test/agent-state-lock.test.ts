/**
 * The real agent (runAgent, its HTTP calls routed into the in-process app) holds its state
 * directory while it runs, stops at once when asked to between check-ins, and tells a
 * quarantined operator what to do.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AGENT_LOCK_FILE, runAgent, type RunAgentOptions } from '@patchwise/agent';
import { admin, eachTestApp, type TestApp } from './support/test-app.js';

const work = mkdtempSync(join(tmpdir(), 'patchwise-agent-lock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function debianRoot(name: string, machineId: string): string {
  const root = join(work, `${name}-root`);
  const files = {
    'etc/os-release': 'ID=debian\nVERSION_ID="12"\n',
    'etc/hostname': `${name}\n`,
    'etc/machine-id': `${machineId}\n`,
    'var/lib/dpkg/status': 'Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

/** Resolves once `lines` holds a line matching `pattern` (the agent's log is the condition, not a delay). */
async function logged(lines: string[], pattern: RegExp): Promise<void> {
  for (let i = 0; i < 2000 && !lines.some((l) => pattern.test(l)); i++) await new Promise((r) => setTimeout(r, 5));
  expect(lines.join('\n')).toMatch(pattern);
}

describe('agent state directory and stopping', () => {
  let t: TestApp;
  eachTestApp('pglite', (app) => {
    t = app;
  });

  /** fetch into the app; a long-poll for jobs is held (as a server with no job would) until the request is aborted. */
  function injectFetch(polls?: { inFlight: number }): typeof fetch {
    return (async (input: URL | string, init?: RequestInit) => {
      const url = new URL(String(input));
      if (polls && url.pathname === '/api/v1/agent/jobs' && typeof init?.body === 'string' && init.body.includes('waitSeconds')) {
        polls.inFlight++;
        return new Promise<Response>((_, reject) => {
          const signal = init?.signal;
          signal?.addEventListener('abort', () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')), { once: true });
        });
      }
      const res = await t.app.inject({ method: init?.method as 'POST', url: url.pathname + url.search, headers: init?.headers as Record<string, string>, payload: init?.body as string });
      return new Response(res.body, { status: res.statusCode });
    }) as typeof fetch;
  }

  async function token(): Promise<string> {
    return (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
  }

  function agent(stateDir: string, root: string, log: string[], extra: Partial<RunAgentOptions> = {}): Promise<number> {
    return runAgent({ stateDir, root, once: true, jobs: false, agentVersion: 'test', log: (l) => log.push(l), clock: t.clock.read, fetch: injectFetch(), ...extra });
  }

  it('refuses a second agent on a state directory in use, naming it and the holder; the first then stops at once and releases it', async () => {
    const root = debianRoot('lock-1', '1'.repeat(32));
    const state = join(work, 'lock-1-state');
    expect(await agent(state, root, [], { serverUrl: 'http://patchwise.test', enrollToken: await token() })).toBe(0);

    const first: string[] = [];
    const stop = new AbortController();
    const polls = { inFlight: 0 };
    const running = agent(state, root, first, { once: false, jobs: true, signal: stop.signal, fetch: injectFetch(polls) });
    await logged(first, /check-in ok/);
    for (let i = 0; i < 2000 && polls.inFlight === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(polls.inFlight).toBe(1); // waiting for jobs between check-ins

    // A second loop and a --once are both refused while the first runs.
    for (const once of [false, true]) {
      await expect(agent(state, root, [], { once })).rejects.toMatchObject({
        code: 'PW_CONFLICT',
        input: state,
        message: `${state}: another agent (process ${process.pid}) is running with this state directory; one agent at a time may use it: stop that one, or give this one its own --state`,
      });
    }
    expect(existsSync(join(state, AGENT_LOCK_FILE))).toBe(true);

    const asked = Date.now();
    stop.abort('SIGTERM');
    expect(await running).toBe(0);
    expect(Date.now() - asked).toBeLessThan(1000);
    expect(first.slice(-2)).toEqual(['stopping (SIGTERM)', `stopped; ${state} released`]);
    expect(first.join('\n')).not.toMatch(/next check-in|failed/);
    expect(existsSync(join(state, AGENT_LOCK_FILE))).toBe(false);
    expect(await agent(state, root, [])).toBe(0);
  });

  it('takes over the lock of an agent that was killed', async () => {
    const root = debianRoot('lock-2', '2'.repeat(32));
    const state = join(work, 'lock-2-state');
    expect(await agent(state, root, [], { serverUrl: 'http://patchwise.test', enrollToken: await token() })).toBe(0);
    const killed = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)']);
    await new Promise((r) => killed.once('spawn', r));
    writeFileSync(join(state, AGENT_LOCK_FILE), `${killed.pid}\n`);
    await expect(agent(state, root, [])).rejects.toMatchObject({ code: 'PW_CONFLICT', message: expect.stringContaining(`(process ${killed.pid})`) as unknown });
    killed.kill('SIGKILL'); // kill -9: the lock file stays behind
    await new Promise((r) => killed.once('exit', r));
    expect(existsSync(join(state, AGENT_LOCK_FILE))).toBe(true);
    const log: string[] = [];
    expect(await agent(state, root, log), log.join('\n')).toBe(0);
    expect(existsSync(join(state, AGENT_LOCK_FILE))).toBe(false);
  });

  it('a machine enrolled again from a new state directory is quarantined, and the agent says what to do', async () => {
    const root = debianRoot('vm', '3'.repeat(32));
    expect(await agent(join(work, 'vm-old-state'), root, [], { serverUrl: 'http://patchwise.test', enrollToken: await token() })).toBe(0);
    const state = join(work, 'vm-new-state');
    const log: string[] = [];
    expect(await agent(state, root, log, { serverUrl: 'http://patchwise.test', enrollToken: await token() })).toBe(3);
    const hostId = /enrolled as host (\S+) \(quarantined: machine id 3{32} is already enrolled as host \S+ \(vm\)\)/.exec(log.join('\n'))?.[1];
    expect(hostId).toBeDefined();
    const hint = log.slice(log.findIndex((l) => l.startsWith('what to do:')));
    expect(hint).toEqual([
      `what to do: this machine's id belongs to a host enrolled before (named above), so the server keeps this new host ${hostId} apart until someone decides:`,
      `  - the same machine, its earlier state directory still there: start the agent with --state <that directory> (its identity.json names the old host), and remove ${state}`,
      `  - the same machine, its earlier state directory lost: an admin runs \`patchwise hosts set ${hostId} --release\`, then start this agent again (the old host may be marked with \`patchwise hosts set <old host> --quarantine --reason "replaced by ${hostId}"\`)`,
      '  - a clone of that machine: give it a machine id of its own (/etc/machine-id) and a new --state directory, and enroll again',
    ]);

    // Started again, it no longer knows it just enrolled: the general advice, still with the way out.
    const again: string[] = [];
    expect(await agent(state, root, again)).toBe(3);
    expect(again.at(-1)).toContain(`\`patchwise hosts show ${hostId}\` gives the reason; if this machine is that host (its machine id unchanged), an admin runs \`patchwise hosts set ${hostId} --release\``);

    // The advice works: released, the agent checks in.
    const released = await t.app.inject({ method: 'PATCH', url: `/api/v1/hosts/${hostId}`, headers: admin(t), payload: { status: 'active' } });
    expect(released.statusCode, released.body).toBeLessThan(300);
    expect(await agent(state, root, [])).toBe(0);
  });
});
