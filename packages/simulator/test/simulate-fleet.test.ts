import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { SyntheticFleet, checkSimulationTarget, simulateFleet, type SimulationOptions } from '@patchwise/simulator';

// One real server (PGlite, listening on loopback) and one fleet model for the file: both cost seconds.
let server: RunningServer;
let dataDir: string;
let fleet: SyntheticFleet;
let admin: Record<string, string>;

async function api<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(new URL(path, server.url), {
    method,
    headers: { ...admin, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : contentType === 'application/json' ? JSON.stringify(body) : (body as string),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

async function enrollToken(uses: number): Promise<string> {
  return (await api<{ token: string }>('POST', '/api/v1/enroll-tokens', { maxUses: uses })).token;
}

function options(over: Partial<SimulationOptions>): SimulationOptions {
  return { serverUrl: server.url, enrollToken: '', agents: 4, intervalMs: 1000, durationMs: 0, changedFraction: 0, packagesPerHost: 60, seed: 3, agentVersion: 'test', fleet, ...over };
}

beforeAll(async () => {
  const template = process.env.PATCHWISE_TEST_PGLITE_TEMPLATE;
  if (!template) throw new Error('the PGlite template is missing: vitest globalSetup did not run');
  dataDir = mkdtempSync(join(tmpdir(), 'patchwise-simulate-'));
  cpSync(template, join(dataDir, 'pglite'), { recursive: true });
  server = await startServer(parseServerConfig({ data: dataDir, listen: '127.0.0.1:0', checkinInterval: '5s', env: {} }));
  admin = { authorization: `Bearer ${readFileSync(server.adminTokenPath, 'utf8').trim()}` };
  fleet = await SyntheticFleet.fromFeeds({ packagesPerHost: 60, seed: 3, images: 4 });
  // An advisory on a package of the first image, fixed in a version nobody has: every host of
  // that image must get a finding, which proves the uploads went through assessment.
  const slot = fleet.images[0]?.slots.find((s) => s.base.kind === 'rpm');
  if (slot?.base.kind !== 'rpm') throw new Error('the first image has no rpm');
  const major = fleet.images[0]?.os.split('.')[0];
  const record = {
    schema_version: '1.6.0',
    id: 'ALSA-SIM-0001',
    modified: '2026-10-01T00:00:00Z',
    summary: 'Important: simulated update',
    affected: [{ package: { ecosystem: `AlmaLinux:${major}`, name: slot.base.name }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '99:1-1' }] }] }],
  };
  await api('POST', '/api/v1/feeds/import?filename=alsa-sim.json', JSON.stringify(record), 'application/octet-stream');
});

afterAll(async () => {
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('simulateFleet against a real server', () => {
  it('enrolls each agent as its own host, sends first inventories, then checks in every interval, uploading when changed', async () => {
    const report = await simulateFleet(options({ enrollToken: await enrollToken(4), durationMs: 2500, changedFraction: 1, runId: 'open01' }));
    const [enroll, first, steady] = report.phases;
    expect(report.enrolled).toBe(4);
    expect(enroll?.operations.enroll).toMatchObject({ count: 4, errors: 0 });
    expect(first?.operations.checkin).toMatchObject({ count: 4, errors: 0 });
    expect(first?.operations.inventory).toMatchObject({ count: 4, errors: 0 });
    // Every agent starts within one interval and then checks in about once a second for 2.5 s.
    expect(steady?.operations.checkin.count).toBeGreaterThanOrEqual(4);
    expect(steady?.operations.checkin.count).toBeLessThanOrEqual(16);
    // Every steady check-in followed a package change, so the server asked for each inventory.
    expect(steady?.operations.inventory.count).toBe(steady?.operations.checkin.count);
    expect(steady?.errors).toEqual({});
    expect(steady?.operations.checkin.p50Ms).toBeGreaterThan(0);

    const { hosts } = await api<{ hosts: { id: string; name: string; machineId: string | null }[] }>('GET', '/api/v1/hosts?limit=1000');
    const mine = hosts.filter((h) => h.name.startsWith('sim-open01-')).sort((a, b) => a.name.localeCompare(b.name));
    expect(mine.map((h) => h.name)).toEqual(['sim-open01-00000', 'sim-open01-00001', 'sim-open01-00002', 'sim-open01-00003']);
    expect(new Set(mine.map((h) => h.machineId)).size).toBe(4);
    const first0 = await api<{ packages: number; status: string; openFindings: Record<string, number> }>('GET', `/api/v1/hosts/${mine[0]?.id}`);
    expect(first0.packages).toBe(60);
    expect(first0.status).toBe('active');
    expect(Object.values(first0.openFindings).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
  });

  it('in a closed loop sends check-ins back to back, and unchanged inventories are not sent again', async () => {
    // Briefly: each host may make 30 requests a minute, and a closed loop is fast.
    const report = await simulateFleet(options({ agents: 6, enrollToken: await enrollToken(6), durationMs: 150, concurrency: 2, runId: 'closed' }));
    const steady = report.phases[2];
    expect(report.mode).toBe('closed-loop');
    expect(steady?.operations.checkin.count).toBeGreaterThan(0);
    expect(steady?.operations.inventory.count).toBe(0);
    expect(steady?.errors).toEqual({});
  });

  it('counts refusals by code instead of failing: a wrong enrollment secret enrolls nobody', async () => {
    const report = await simulateFleet(options({ enrollToken: 'not-a-secret', agents: 2, runId: 'wrong1' }));
    expect(report.enrolled).toBe(0);
    expect(report.phases[0]?.operations.enroll).toMatchObject({ count: 0, errors: 2 });
    expect(report.phases[0]?.errors).toEqual({ PW_UNAUTHENTICATED: 2 });
  });
});

describe('checkSimulationTarget', () => {
  it('accepts only http://127.0.0.1', () => {
    expect(checkSimulationTarget('http://127.0.0.1:8080/').origin).toBe('http://127.0.0.1:8080');
    for (const bad of ['http://10.0.0.1:8080', 'https://127.0.0.1:8080', 'http://example.com', 'not a url']) {
      expect(() => checkSimulationTarget(bad)).toThrow(expect.objectContaining({ code: 'PW_USAGE' }));
    }
  });

  it('bounds the run', async () => {
    await expect(simulateFleet(options({ agents: 0 }))).rejects.toMatchObject({ code: 'PW_USAGE', input: '--agents' });
    await expect(simulateFleet(options({ changedFraction: 2 }))).rejects.toMatchObject({ code: 'PW_USAGE', input: '--changed-fraction' });
    await expect(simulateFleet(options({ serverUrl: 'http://192.0.2.1:80' }))).rejects.toMatchObject({ code: 'PW_USAGE', input: '--server' });
  });
});
