/**
 * `patchwise hosts list` (the real binary) against a real server (PGlite, in this process), with
 * hosts enrolled by real agents (`agent run --once` on fake roots) and through the enrollment
 * API: a host whose ecosystem no advisory held covers is marked as not assessed, not listed as
 * clean.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAgentKeyPair } from '@patchwise/core';
import { parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { runCliAsync } from './run-cli.js';
import { templateWorkDir } from './support/template-work-dir.js';

let work: string;
let data: string;
let server: RunningServer | undefined;

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}

/** A root whose dpkg database has libssl3 built from openssl. */
function dpkgRoot(name: string, osRelease: string, machineId: string): string {
  const root = join(work, name);
  writeTree(root, {
    'etc/os-release': osRelease,
    'etc/hostname': `${name}\n`,
    'etc/machine-id': `${machineId}\n`,
    'var/lib/dpkg/status': 'Package: libssl3\nStatus: install ok installed\nArchitecture: amd64\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n\n',
  });
  return root;
}

beforeAll(async () => {
  ({ work, data } = templateWorkDir('patchwise-cli-hosts-list-'));
  server = await startServer(parseServerConfig({ data, listen: '127.0.0.1:0', env: {} }));
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('patchwise hosts list', () => {
  const cli = (...args: string[]) => runCliAsync([...args, '--data', data]);

  it('marks hosts no advisory held covers as not assessed, and names their ecosystems under the table', async () => {
    const url = server?.url ?? '';
    const advisory = join(work, 'DSA-9201-1.json');
    writeFileSync(advisory, JSON.stringify({
      schema_version: '1.6.0',
      id: 'DSA-9201-1',
      modified: '2026-11-30T00:00:00Z',
      published: '2026-11-30T00:00:00Z',
      summary: 'openssl security update',
      affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.15-1~deb12u1' }] }] }],
    }));
    expect((await cli('feeds', 'import', advisory)).status).toBe(0);
    const token = await cli('enroll-token', 'create', '--uses', '10');
    expect(token.status, token.stderr).toBe(0);
    const secret = token.stdout.trim();

    // Two agents upload inventories: a Debian 12 machine (covered) and an Ubuntu one (nothing held).
    const roots = {
      'deb-1': dpkgRoot('deb-1', 'ID=debian\nVERSION_ID="12"\n', '1'.repeat(32)),
      'ubu-1': dpkgRoot('ubu-1', 'ID=ubuntu\nVERSION_ID="22.04"\n', '2'.repeat(32)),
    };
    for (const [name, root] of Object.entries(roots)) {
      const agent = await runCliAsync(['agent', 'run', '--once', '--server', url, '--enroll-token', secret, '--state', join(work, `${name}-state`), '--root', root]);
      expect(agent.status, agent.stderr).toBe(0);
    }
    // Two enrolled without an inventory yet: one of a known release, one reporting no os-release.
    // And a Debian 11 one, past its LTS (2026-08-31) whatever day the test runs.
    for (const [hostname, os] of [['new-1', { id: 'debian', versionId: '12' }], ['odd-1', null], ['old-1', { id: 'debian', versionId: '11' }]] as const) {
      const res = await fetch(new URL('/api/v1/agent/enroll', url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: secret, publicKey: generateAgentKeyPair().publicKey, facts: { hostname, os } }),
      });
      expect(res.status, await res.text()).toBe(201);
    }

    const json = await cli('hosts', 'list', '--json');
    expect(json.status, json.stderr).toBe(0);
    const listed = (JSON.parse(json.stdout) as { name: string; ecosystem: string | null; advisoriesHeld: boolean | null }[]).map((h) => [h.name, h.ecosystem, h.advisoriesHeld]);
    expect(listed).toEqual([
      ['deb-1', 'Debian:12', true],
      ['new-1', 'Debian:12', true],
      ['odd-1', null, null],
      ['old-1', 'Debian:11', false],
      ['ubu-1', 'Ubuntu:22.04:LTS', false],
    ]);

    const text = await cli('hosts', 'list');
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME\s+OS\s+TIER\s+ENVIRONMENT\s+STATE\s+SUPPORT\s+ASSESSED\s+LAST SEEN\s+ID$/);
    const assessed = Object.fromEntries(lines.slice(1, 6).map((l) => [l.split(/\s+/)[0], /\s(yes|no inventory|unknown os|NO ADVISORIES)\s+\d{4}-/.exec(l)?.[1]]));
    expect(assessed).toEqual({ 'deb-1': 'yes', 'new-1': 'no inventory', 'odd-1': 'unknown os', 'old-1': 'NO ADVISORIES', 'ubu-1': 'NO ADVISORIES' });
    // SUPPORT gives the day the last support counted ended: Debian 11's LTS, not its standard end (2024-08-14).
    expect(lines.find((l) => l.startsWith('old-1'))).toMatch(/\sEOL 2026-08-31\s/);
    expect(lines.slice(6)).toEqual(['2 hosts not assessed: no advisories held for Debian:11 (1 host), Ubuntu:22.04:LTS (1 host); import or sync their feeds (docs/feeds.md)', '']);
  }, 120_000);
});
