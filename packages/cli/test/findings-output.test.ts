/**
 * `findings list` and `findings show` say when a kernel fix is installed and waits for a reboot,
 * and an empty list says when the hosts' packages were not assessed at all.
 */
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../src/api-client.js';
import { captureIo } from './support/capture-io.js';
import { findingsList, findingsShow } from '../src/commands/findings.js';

const capture = captureIo;

const answering = (reply: unknown) => ({ get: () => Promise.resolve(reply) }) as unknown as ApiClient;

const finding = (fixAwaitingReboot: string | null) => ({
  id: '17',
  hostId: 'h1',
  host: 'web-1',
  advisory: 'ALSA-2024:3138',
  aliases: ['CVE-2024-1086'],
  type: 'security',
  ecosystem: 'AlmaLinux:9',
  package: 'kernel-core',
  installed: '5.14.0-362.24.1.el9_3',
  fixed: '5.14.0-427.13.1.el9_4',
  severity: 'important',
  cvss: 7.8,
  kev: true,
  epss: null,
  priority: 'P1',
  reasons: ['in CISA KEV'],
  summary: 'Important: kernel security update',
  state: 'open',
  firstSeen: '2026-11-01T00:00:00.000Z',
  fixedAt: null,
  fixAwaitingReboot,
  retractedAt: null,
  published: null,
  slaStart: '2026-11-01T00:00:00.000Z',
  dueAt: '2026-11-08T00:00:00.000Z',
  sla: 'ok',
  exception: null,
  baseline: { name: 'built-in', state: 'approved', approvesAt: null, reason: 'security fixes' },
  lane: { lane: 'emergency', reasons: ['KEV'] },
});

const OPTIONS = { priority: [], type: [], limit: '50' };

describe('a kernel fix installed but not booted', () => {
  it('shows beside the installed version in the list, and in the state of one finding', async () => {
    const { out, io } = capture();
    await findingsList(answering({ total: 1, findings: [finding('5.14.0-427.13.1.el9_4')] }), OPTIONS, io);
    expect(out.stdout).toContain('5.14.0-362.24.1.el9_3 (5.14.0-427.13.1.el9_4 at reboot)');
    const shown = capture();
    await findingsShow(answering(finding('5.14.0-427.13.1.el9_4')), '17', {}, shown.io);
    expect(shown.out.stdout).toMatch(/^state\s+open: the fixed kernel 5\.14\.0-427\.13\.1\.el9_4 is installed, the host has not rebooted into it, first seen 2026-11-01/m);
  });

  it('is not mentioned when there is none', async () => {
    const { out, io } = capture();
    await findingsList(answering({ total: 1, findings: [finding(null)] }), OPTIONS, io);
    expect(out.stdout).not.toContain('at reboot');
    const shown = capture();
    await findingsShow(answering(finding(null)), '17', {}, shown.io);
    expect(shown.out.stdout).toMatch(/^state\s+open, first seen/m);
  });
});

/** An API client answering each GET path from `replies`; any other path fails as a 403 would. */
const routing = (replies: Record<string, unknown>) =>
  ({
    get: (path: string) => (path in replies ? Promise.resolve(replies[path]) : Promise.reject(new Error(`403 ${path}`))),
  }) as unknown as ApiClient;

describe('an empty findings list', () => {
  const empty = { total: 0, findings: [] };

  it('names the ecosystems no advisory covers, fleet-wide', async () => {
    const { out, io } = capture();
    await findingsList(routing({ '/api/v1/findings': empty, '/api/v1/feeds': { feeds: [], uncovered: [{ ecosystem: 'Debian:12', hosts: 3 }] } }), OPTIONS, io);
    expect(out.stderr).toBe("no findings, but no advisories are held for Debian:12 (3 hosts): those hosts' distribution packages were not assessed (see feeds status)\n");
  });

  it('says nothing more when every ecosystem is covered, or when the caller may not read feeds', async () => {
    const covered = capture();
    await findingsList(routing({ '/api/v1/findings': empty, '/api/v1/feeds': { feeds: [], uncovered: [] } }), OPTIONS, covered.io);
    expect(covered.out.stderr).toBe('');
    const scoped = capture();
    await findingsList(routing({ '/api/v1/findings': empty }), OPTIONS, scoped.io);
    expect(scoped.out.stderr).toBe('');
  });
});
