/** `hosts set` shows the host as `hosts show` does; names that are not one host list the candidates; the reported zone shows. */
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../src/api-client.js';
import { captureIo } from './support/capture-io.js';
import { hostsSet, hostsShow, resolveHost } from '../src/commands/hosts.js';

const capture = captureIo;

const ID = '00000000-0000-4000-8000-000000000001';
const host = (attributes: Record<string, unknown> = {}) => ({
  id: ID,
  name: 'db-1',
  machineId: 'm',
  os: { id: 'debian', versionId: '12' },
  ecosystem: 'Debian:12',
  attributes: { tier: null, environment: null, owner: null, tags: [], internetFacing: null, cluster: null, timezone: null, ...attributes },
  status: 'active',
  quarantineReason: null,
  connectivity: 'online',
  eol: { status: 'supported', date: null, reason: 'supported', packages: [] },
  lastSeenAt: '2026-12-01T00:00:00.000Z',
  inventoryAt: null,
  packages: 0,
  openFindings: { P1: 0, P2: 0, P3: 0, P4: 0 },
  advisoriesHeld: true,
  facts: { timezone: 'Europe/Berlin' },
});

describe('hosts set', () => {
  it('prints the changed host as text, or as JSON with --json', async () => {
    let stored = host();
    const patched: unknown[] = [];
    const api = {
      get: () => Promise.resolve(stored),
      patch: (_path: string, body: unknown) => {
        patched.push(body);
        stored = host({ tier: 1, owner: 'payments' });
        return Promise.resolve(stored);
      },
    } as unknown as ApiClient;
    const { out, io } = capture();
    expect(await hostsSet(api, ID, { attr: ['tier=1', 'owner=payments'] }, io)).toBe(0);
    expect(patched).toEqual([{ attributes: { tier: 1, owner: 'payments' } }]);
    expect(out.stdout).toMatch(/^tier\s+1$/m);
    expect(out.stdout).toMatch(/^owner\s+payments$/m);
    expect(out.stdout).not.toContain('{');
    const json = capture();
    await hostsSet(api, ID, { attr: ['tier=1'], json: true }, json.io);
    expect(JSON.parse(json.out.stdout)).toMatchObject({ id: ID, attributes: { tier: 1 } });
  });
});

describe('hosts show', () => {
  it('shows the zone the host reports when no attribute sets one, and the attribute when one does', async () => {
    const reported = capture();
    await hostsShow({ get: () => Promise.resolve(host()) } as unknown as ApiClient, ID, {}, reported.io);
    expect(reported.out.stdout).toMatch(/^timezone\s+Europe\/Berlin \(reported by the host; no attribute set\)$/m);
    const set = capture();
    await hostsShow({ get: () => Promise.resolve(host({ timezone: 'UTC' })) } as unknown as ApiClient, ID, {}, set.io);
    expect(set.out.stdout).toMatch(/^timezone\s+UTC$/m);
  });
});

describe('a host name several hosts carry', () => {
  it('is refused with each candidate id, state and last check-in', async () => {
    const twins = [
      { ...host(), id: 'aaaaaaaa-0000-4000-8000-000000000001', lastSeenAt: '2026-12-01T00:00:00.000Z' },
      { ...host(), id: 'bbbbbbbb-0000-4000-8000-000000000002', connectivity: 'offline', lastSeenAt: null },
    ];
    const api = { get: () => Promise.resolve({ hosts: twins }) } as unknown as ApiClient;
    await expect(resolveHost(api, 'db-1')).rejects.toThrow(
      'several hosts are named db-1; use the id: aaaaaaaa-0000-4000-8000-000000000001 (online, last seen 2026-12-01T00:00:00.000Z), bbbbbbbb-0000-4000-8000-000000000002 (offline, last seen never)',
    );
  });
});
