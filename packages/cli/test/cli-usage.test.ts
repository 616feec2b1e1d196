/**
 * Usage errors and the edges of the command line a first-time user meets: values checked before
 * any request, a server that is not there, output piped into `head`, scan's release flags, help.
 * No server runs here (cli-server-errors.test.ts has those that need one).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../src/main.js';
import { enrollmentHint } from '../src/commands/server.js';
import { BIN, REPO, SAMPLES, runCli, runCliAsync } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-cli-usage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The binary, told of a server that is not there (no request may be needed to fail). */
const offline = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  runCliAsync(args, { ...process.env, PATCHWISE_URL: 'http://127.0.0.1:9', PATCHWISE_TOKEN: 'x', ...env });

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

describe('option values', () => {
  it('names the flag and the allowed values, once, before any request (exit 2)', async () => {
    const [priority, uses, tier, format, limit, huge] = await Promise.all([
      offline(['findings', 'list', '--priority', 'P5']),
      offline(['enroll-token', 'create', '--uses', '0']),
      offline(['hosts', 'list', '--tier', '9']),
      offline(['scan', '--format', 'xml', '--advisories', SAMPLES.advisories, SAMPLES.inventories]),
      offline(['findings', 'list', '--limit', 'many']),
      offline(['enroll-token', 'create', '--uses', '99999999999999999999']),
    ]);
    expect([priority.status, priority.stderr]).toEqual([2, 'patchwise: --priority must be one of P1, P2, P3, P4, not "P5"\n']);
    expect([uses.status, uses.stderr]).toEqual([2, 'patchwise: --uses must be at least 1, not 0\n']);
    expect([tier.status, tier.stderr]).toEqual([2, 'patchwise: --tier must be from 0 to 3, not 9\n']);
    expect([format.status, format.stderr]).toEqual([2, 'patchwise: --format must be one of table, json, csv, sarif, not "xml"\n']);
    expect([limit.status, limit.stderr]).toEqual([2, 'patchwise: --limit must be a whole number, not "many"\n']);
    // A whole number still, only past what can be counted exactly.
    expect([huge.status, huge.stderr]).toEqual([2, 'patchwise: --uses must be at most 9007199254740991, not 99999999999999999999\n']);
  });

  it('refuses an --output it cannot write, naming it and why, before any request and without a stack', async () => {
    const missing = join(dir, 'no-such-dir', 'out');
    const [audit, policy, isDir] = await Promise.all([
      offline(['audit', 'export', '--output', missing]),
      offline(['policy', 'export', '--output', missing]),
      offline(['audit', 'export', '--output', dir]),
    ]);
    expect([audit.status, audit.stderr]).toEqual([2, `patchwise: --output ${missing}: cannot write there: its directory does not exist\n`]);
    expect([policy.status, policy.stderr]).toEqual([2, `patchwise: --output ${missing}: cannot write there: its directory does not exist\n`]);
    expect([isDir.status, isDir.stderr]).toEqual([2, `patchwise: --output ${dir}: cannot write there: a directory, not a file\n`]);
  });

  it('reads a .yaml document in YAML flow style as YAML, not as broken JSON', async () => {
    const flow = join(dir, 'flow.yaml');
    writeFileSync(flow, '{version: 1, groups: [{name: web, selector: {tiers: [1]}}]}\n');
    const r = await offline(['policy', 'apply', flow, '--dry-run']);
    // Parsed: what stops it now is the server this test does not run.
    expect([r.status, r.stderr]).toEqual([2, 'patchwise: cannot connect to the server at http://127.0.0.1:9 (bad port)\n']);
  });

  it('keys generate names an --out it cannot write, and why, without a stack', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, 'x');
    const [under, isDir] = await Promise.all([offline(['keys', 'generate', '--out', join(file, 'key')]), offline(['keys', 'generate', '--out', dir, '--force'])]);
    expect([under.status, under.stderr]).toEqual([2, `patchwise: --out ${join(file, 'key')}: cannot write there: a part of the path is not a directory\n`]);
    expect([isDir.status, isDir.stderr]).toEqual([2, `patchwise: --out ${dir}: cannot write there: a directory, not a file\n`]);
  });

  it('refuses hosts set flags that contradict each other or do nothing, before any request', async () => {
    const [both, reason] = await Promise.all([offline(['hosts', 'set', 'web-01', '--quarantine', '--release']), offline(['hosts', 'set', 'web-01', '--attr', 'tier=1', '--reason', 'cloned'])]);
    expect([both.status, both.stderr]).toEqual([2, 'patchwise: --quarantine and --release contradict each other: give one\n']);
    expect([reason.status, reason.stderr]).toEqual([2, 'patchwise: --reason goes with --quarantine or --release (it says why, in the audit trail)\n']);
  });

  it('refuses a CMDB export over the import limit before uploading it, naming the file and the limit', async () => {
    const file = join(dir, 'huge-cmdb.csv');
    writeFileSync(file, Buffer.alloc(32 * 1024 * 1024 + 1, 'a'));
    const r = await offline(['cmdb', 'import', file]);
    expect([r.status, r.stderr]).toEqual([2, `patchwise: ${file}: ${32 * 1024 * 1024 + 1} bytes, more than the 32 MiB a CMDB import takes\n`]);
  });

  it('refuses an agent configuration it could only fail on inside its loop (exit 2, nothing sent)', async () => {
    const [root, attr] = await Promise.all([
      offline(['agent', 'run', '--once', '--server', 'http://127.0.0.1:9', '--enroll-token', 'x', '--state', join(dir, 'agent-a'), '--root', join(dir, 'no-such-root')]),
      offline(['agent', 'run', '--once', '--server', 'http://127.0.0.1:9', '--enroll-token', 'x', '--state', join(dir, 'agent-b'), '--root', dir, '--attr', 'tier=9']),
    ]);
    expect([root.status, root.stderr]).toEqual([2, `patchwise: --root ${join(dir, 'no-such-root')}: no such directory\n`]);
    expect([attr.status, attr.stderr]).toEqual([2, 'patchwise: --attr: tier: must be 0, 1, 2 or 3\n']);
  });

  it('leaves no state directory behind when the agent can neither enroll nor find an identity', async () => {
    const state = join(dir, 'never-enrolled', 'state');
    const r = await offline(['agent', 'run', '--once', '--state', state, '--root', dir]);
    expect([r.status, r.stderr]).toEqual([2, `patchwise: not enrolled yet (no identity in ${state}): pass --server URL and --enroll-token TOKEN\n`]);
    expect(existsSync(join(dir, 'never-enrolled'))).toBe(false);
  });

  it('refuses a --state that cannot hold files at once (it used to hang under /proc)', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    const [proc, self, underFile] = await Promise.all(
      ['/proc/patchwise-x', '/proc/self', join(file, 'state')].map((state) => offline(['agent', 'run', '--once', '--server', 'http://127.0.0.1:9', '--enroll-token', 'x', '--state', state, '--root', dir])),
    );
    expect([proc?.status, proc?.stderr]).toEqual([2, "patchwise: --state /proc/patchwise-x: cannot hold the agent's state (ENOENT)\n"]);
    expect(self?.status).toBe(2);
    expect(self?.stderr).toMatch(/^patchwise: --state \/proc\/self: cannot hold the agent's state \(E[A-Z]+\)\n$/);
    expect([underFile?.status, underFile?.stderr]).toEqual([2, `patchwise: --state ${join(file, 'state')}: cannot hold the agent's state (ENOTDIR)\n`]);
  });

  it('checks --expires and --agents in their own terms, not the API field they become', async () => {
    const [zero, long, agents] = await Promise.all([
      offline(['enroll-token', 'create', '--expires', '0']),
      offline(['enroll-token', 'create', '--expires', '100000d']),
      offline(['simulate', '--agents', '0']),
    ]);
    expect([zero.status, zero.stderr]).toEqual([2, 'patchwise: --expires must be from 1m to 365d, not 0\n']);
    expect([long.status, long.stderr]).toEqual([2, 'patchwise: --expires must be from 1m to 365d, not 100000d\n']);
    expect([agents.status, agents.stderr]).toEqual([2, 'patchwise: --agents must be at least 1, not 0\n']);
  });

  it('lists the choices in help, and takes priorities in any case', () => {
    const findings = buildProgram().commands.find((c) => c.name() === 'findings')!.commands.find((c) => c.name() === 'list')!;
    expect(findings.helpInformation()).toMatch(/--priority <P1\.\.P4>\s+repeatable \(choices: "P1", "P2", "P3", "P4"/);
    findings.exitOverride().action(() => undefined);
    findings.parse(['--priority', 'p1', '--priority', 'P2', '--type', 'Security'], { from: 'user' });
    expect(findings.opts()).toMatchObject({ priority: ['P1', 'P2'], type: ['security'] });
  });
});

describe('the server URL', () => {
  it('says the connection was refused and asks whether the server runs', async () => {
    const port = await closedPort();
    const r = await offline(['hosts', 'list'], { PATCHWISE_URL: `http://127.0.0.1:${port}` });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`patchwise: cannot connect to the server at http://127.0.0.1:${port} (connection refused): is it running?\n`);
  });

  it('wants http:// or https://, naming the variable or the option', async () => {
    const [env, agent] = await Promise.all([
      offline(['hosts', 'list'], { PATCHWISE_URL: '127.0.0.1:8099' }),
      offline(['agent', 'run', '--server', '127.0.0.1:8080', '--once', '--state', join(dir, 'agent')]),
    ]);
    expect(env.status).toBe(2);
    expect(env.stderr).toBe('patchwise: PATCHWISE_URL must be a URL starting with http:// or https://, e.g. http://127.0.0.1:8080, not "127.0.0.1:8099"\n');
    expect(agent.status).toBe(2);
    expect(agent.stderr).toBe('patchwise: --server must be a URL starting with http:// or https://, e.g. http://127.0.0.1:8080, not "127.0.0.1:8080"\n');
  });
});

describe('a closed stdout', () => {
  it('ends the command quietly with status 0 (scan --format sarif | true)', async () => {
    const child = spawn(process.execPath, [BIN, 'scan', '--advisories', SAMPLES.advisories, '--format', 'sarif', SAMPLES.inventories], { cwd: REPO });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The reader is gone before the scan writes anything (as with `| head -1` once head has its
    // line, or `| true`): every write of the scan meets EPIPE.
    child.stdout.destroy();
    const status = await new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    expect(stderr).not.toContain('EPIPE');
    noStack(stderr);
    expect(status).toBe(0);
  });
});

describe('scan of a package database that names no release', () => {
  const status = join(dir, 'status');
  writeFileSync(status, 'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n\n');

  it('says which flags give the release, and --os-release FILE gives it', () => {
    const without = runCli(['scan', '--advisories', SAMPLES.advisories, status]);
    expect(without.status).toBe(2);
    expect(without.stderr).toContain('(scan --ecosystem NAME or --os-release FILE)');
    const osRelease = join(dir, 'os-release');
    writeFileSync(osRelease, 'ID=debian\nVERSION_ID="12"\n');
    const withFile = runCli(['scan', '--advisories', SAMPLES.advisories, '--os-release', osRelease, '--format', 'json', status]);
    expect(withFile.status, withFile.stderr).toBe(0);
    expect((JSON.parse(withFile.stdout) as { hosts: { ecosystem: string }[] }).hosts.map((h) => h.ecosystem)).toEqual(['Debian:12']);
  });

  it('refuses an os-release file it cannot read or whose release OSV does not know (exit 2)', () => {
    const missing = runCli(['scan', '--advisories', SAMPLES.advisories, '--os-release', join(dir, 'nope'), status]);
    expect([missing.status, missing.stderr]).toEqual([2, `patchwise: --os-release ${join(dir, 'nope')}: no such file\n`]);
    const plan9 = join(dir, 'plan9');
    writeFileSync(plan9, 'ID=plan9\n');
    const unknown = runCli(['scan', '--advisories', SAMPLES.advisories, '--os-release', plan9, status]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^patchwise: --os-release .*plan9: .*no OSV ecosystem/);
  });

  it('help says which formats --ecosystem applies to', () => {
    const scan = buildProgram().commands.find((c) => c.name() === 'scan')!;
    const help = scan.helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('--ecosystem <name> OSV ecosystem of the distribution packages in dpkg status files, rpm -qa output and apk installed databases');
    expect(help).toContain("--os-release <file> instead of --ecosystem: the host's /etc/os-release");
  });
});

describe('help and version', () => {
  it('gives every command a description', () => {
    const missing: string[] = [];
    const walk = (cmd: Command, path: string[]): void => {
      for (const sub of cmd.commands) {
        const at = [...path, sub.name()];
        if (!sub.description()) missing.push(at.join(' '));
        walk(sub, at);
      }
    };
    walk(buildProgram(), []);
    expect(missing).toEqual([]);
  });

  it('prints the version for `version` and for --version', async () => {
    const [command, flag] = await Promise.all([runCliAsync(['version']), runCliAsync(['--version'])]);
    expect([command.status, command.stdout]).toEqual([0, '0.1.0\n']);
    expect([flag.status, flag.stdout]).toEqual([0, '0.1.0\n']);
  });
});

describe("the server's enrollment hint", () => {
  it('runs as printed from the repository (npx patchwise), with --data when needed, and says why root', () => {
    const [create, run] = enrollmentHint('http://127.0.0.1:8080', join('/repo', 'data'), '/repo');
    expect(create).toBe('enroll this machine, from /repo: npx patchwise enroll-token create');
    expect(run).toBe('  then as root (the agent reads files only root can read, and installs packages): npx patchwise agent run --server http://127.0.0.1:8080 --enroll-token <token>');
    expect(run).not.toContain('sudo');
    expect(enrollmentHint('http://h:1', '/srv/pw data', '/repo')[0]).toBe("enroll this machine, from /repo: npx patchwise enroll-token create --data '/srv/pw data'");
  });
});

/** A port nothing listens on: one the system just gave out and took back. */
function closedPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
