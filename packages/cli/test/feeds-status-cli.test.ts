/**
 * `patchwise feeds status` (the real binary) against a real server (PGlite, in this process)
 * restarted with an edited `--feeds` file: a source taken out of the file is shown as no longer
 * configured, with the records it still holds, and is no longer synced; put back, it is
 * configured again. `feeds forget` takes the names status shows.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFeedSources, parseServerConfig, startServer, type RunningServer } from '@patchwise/server';
import { runCliAsync } from './run-cli.js';
import { templateWorkDir } from './support/template-work-dir.js';

let work: string;
let data: string;
let feedHost: Server;
let base: string;
let server: RunningServer | undefined;

/** An OSV record of `ecosystem` for openssl, as the distributions publish them. */
function record(id: string, ecosystem: string): string {
  return JSON.stringify([
    {
      schema_version: '1.6.0',
      id,
      modified: '2026-11-30T00:00:00Z',
      published: '2026-11-30T00:00:00Z',
      summary: 'openssl security update',
      affected: [{ package: { ecosystem, name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.15-1' }] }] }],
    },
  ]);
}

const SERVED: Record<string, string> = {
  '/debian.json': record('DSA-9101-1', 'Debian:12'),
  '/ubuntu.json': record('USN-9101-1', 'Ubuntu:22.04:LTS'),
};

/** Restarts the server over the same data directory with a --feeds file naming these sources. */
async function restartWith(names: readonly string[]): Promise<void> {
  await server?.close();
  const file = join(work, 'feeds.yaml');
  writeFileSync(file, names.map((n) => `- name: ${n}\n  kind: osv\n  url: ${base}/${n}.json\n  interval: 6h\n`).join(''));
  server = await startServer(parseServerConfig({ data, listen: '127.0.0.1:0', env: {} }), { feedSources: await loadFeedSources(file) });
}

beforeAll(async () => {
  ({ work, data } = templateWorkDir('patchwise-cli-feeds-status-'));
  feedHost = createServer((req, res) => {
    const body = SERVED[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end('not found');
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => feedHost.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(feedHost.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await server?.close();
  feedHost?.closeAllConnections();
  await new Promise((resolve) => feedHost?.close(resolve));
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('patchwise feeds status after a source left the --feeds file', () => {
  const cli = (...args: string[]) => runCliAsync([...args, '--data', data]);
  type Line = { name: string; origin: string; records: number; url: string | null };
  const statusJson = async (): Promise<Line[]> => {
    const r = await cli('feeds', 'status', '--json');
    expect(r.status, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as Line[]).map(({ name, origin, records, url }) => ({ name, origin, records, url }));
  };

  it('shows it as no longer configured with the records it still holds, syncs it no more, and takes it back when restored', async () => {
    await restartWith(['debian', 'ubuntu']);
    // Waits for the start-up pass too: passes run one after another.
    const synced = await cli('feeds', 'sync', '--force', '--json');
    expect(synced.status, synced.stderr).toBe(0);
    expect(await statusJson()).toEqual([
      { name: 'debian', origin: 'configured', records: 1, url: `${base}/debian.json` },
      { name: 'ubuntu', origin: 'configured', records: 1, url: `${base}/ubuntu.json` },
    ]);

    await restartWith(['debian']);
    expect(await statusJson()).toEqual([
      { name: 'debian', origin: 'configured', records: 1, url: `${base}/debian.json` },
      { name: 'ubuntu', origin: 'no-longer-configured', records: 1, url: `${base}/ubuntu.json` },
    ]);
    const text = await cli('feeds', 'status');
    expect(text.status, text.stderr).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^FEED\s+KIND\s+RECORDS\s+AGE\s+ORIGIN\s+LAST ERROR$/);
    expect(lines[1]).toMatch(/^debian\s+osv\s+1\s+0m\s+configured\s*$/);
    expect(lines[2]).toMatch(/^ubuntu\s+osv\s+1\s+0m\s+no longer configured\s*$/);
    expect(text.stdout).toContain("ubuntu (1 record): no longer in the server's --feeds file, so no longer synced; what it holds is kept and still matched until `patchwise feeds forget NAME` (docs/feeds.md)\n");
    // --json keeps stdout the list; the note goes to stderr.
    expect((await cli('feeds', 'status', '--json')).stderr).toContain("patchwise: note: ubuntu (1 record): no longer in the server's --feeds file");
    // Only the configured source is synced; the dropped one's advisory still counts as held.
    const again = await cli('feeds', 'sync', '--force', '--json');
    expect((JSON.parse(again.stdout) as { name: string }[]).map((s) => s.name)).toEqual(['debian']);

    await restartWith(['debian', 'ubuntu']);
    expect((await statusJson()).map((l) => [l.name, l.origin, l.records])).toEqual([
      ['debian', 'configured', 1],
      ['ubuntu', 'configured', 1],
    ]);
    expect((await cli('feeds', 'status')).stdout).not.toContain('no longer');
  }, 120_000);

  it('forgets a source no longer configured, and refuses one the --feeds file still names', async () => {
    await restartWith(['debian', 'ubuntu']);
    expect((await cli('feeds', 'sync', '--force', '--json')).status).toBe(0);
    const refused = await cli('feeds', 'forget', 'ubuntu');
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/feed source ubuntu is configured in the server's --feeds file, so its next sync would bring it back/);

    await restartWith(['debian']);
    const forgot = await cli('feeds', 'forget', 'ubuntu');
    expect(forgot.status, forgot.stderr).toBe(0);
    expect(forgot.stdout).toBe('forgot feed source ubuntu: 1 advisory record, 0 NVD records; 0 hosts re-assessed\n');
    expect((await statusJson()).map((l) => l.name)).toEqual(['debian']);
    const unknown = await cli('feeds', 'forget', 'ubuntu');
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('nothing is held from a feed source named ubuntu');
  }, 120_000);

  it('forgets imported enrichment by the names status shows (kev, nvd), and lists the forgettable names for one that holds nothing', async () => {
    await restartWith(['debian']);
    const kev = join(work, 'known_exploited_vulnerabilities.json');
    writeFileSync(kev, JSON.stringify({ title: 'CISA KEV', catalogVersion: '2026.11.20', dateReleased: '2026-11-20T15:00:00.000Z', count: 1, vulnerabilities: [{ cveID: 'CVE-2026-9101', vendorProject: 'OpenSSL', product: 'OpenSSL', vulnerabilityName: 'test', dateAdded: '2026-11-01', shortDescription: 'test', requiredAction: 'Apply updates.', dueDate: '2026-11-22', knownRansomwareCampaignUse: 'Unknown', notes: '' }] }));
    const nvd = join(work, 'nvd-page.json');
    const cve = { id: 'CVE-2026-9101', published: '2026-10-01T10:00:00.000', lastModified: '2026-11-01T08:00:00.000', metrics: { cvssMetricV31: [{ source: 'nvd@nist.gov', type: 'Primary', cvssData: { version: '3.1', vectorString: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', baseScore: 9.8 } }] } };
    writeFileSync(nvd, JSON.stringify({ resultsPerPage: 1, startIndex: 0, totalResults: 1, format: 'NVD_CVE', version: '2.0', timestamp: '2026-12-01T00:00:00.000', vulnerabilities: [{ cve }] }));
    const imported = await cli('feeds', 'import', '--source', 'vendor-x', kev, nvd);
    expect(imported.status, imported.stderr).toBe(0);
    expect((await statusJson()).map((l) => [l.name, l.origin, l.records])).toEqual([
      ['debian', 'configured', 1],
      ['kev', 'import', 1],
      ['nvd', 'import', 1],
    ]);

    const forgotNvd = await cli('feeds', 'forget', 'nvd');
    expect(forgotNvd.status, forgotNvd.stderr).toBe(0);
    expect(forgotNvd.stdout).toBe('forgot feed source nvd: 0 advisory records, 1 NVD record; 0 hosts re-assessed\n');
    const unknown = await cli('feeds', 'forget', 'ubuntu');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('nothing is held from a feed source named ubuntu; the names that can be forgotten: kev, vendor-x');
    const forgotKev = await cli('feeds', 'forget', 'kev');
    expect(forgotKev.status, forgotKev.stderr).toBe(0);
    expect(forgotKev.stdout).toBe('forgot feed source kev: 0 advisory records, 0 NVD records, enrichment kev; 0 hosts re-assessed\n');
    expect((await statusJson()).map((l) => l.name)).toEqual(['debian']);
  }, 120_000);
});
