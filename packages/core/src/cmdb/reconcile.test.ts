import { describe, expect, it } from 'vitest';
import { parseCmdbAssets } from './parse-cmdb-assets.js';
import { reconcile } from './reconcile.js';
import type { CmdbAsset, CmdbHost } from './types.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const OPTS = { now: NOW, staleAfterMs: 7 * DAY };
const MID_A = 'a'.repeat(32);
const MID_B = 'b'.repeat(32);
const MID_C = 'c'.repeat(32);

function assets(csv: string): CmdbAsset[] {
  const r = parseCmdbAssets(csv, 'cmdb.csv');
  expect(r.problems).toEqual([]);
  return r.assets;
}

function host(id: string, over: Partial<CmdbHost> = {}): CmdbHost {
  return { id, hostname: id, ips: [], lastSeenAt: new Date(NOW.getTime() - DAY), attributes: {}, ...over };
}

const HEAD = 'hostname,machine_id,serial,ip,tier,owner,environment,os\n';

describe('reconcile: precedence', () => {
  it('machine id beats serial, hostname and IP', () => {
    const r = reconcile(assets(`${HEAD}web01,${MID_A},S1,10.0.0.1,,,,\n`), [
      host('h-ip', { hostname: 'other', ips: ['10.0.0.1'] }),
      host('h-mid', { hostname: 'renamed', machineId: MID_A.toUpperCase() }),
    ], OPTS);
    expect(r.matched.map((m) => [m.host.id, m.by])).toEqual([['h-mid', 'machine_id']]);
    expect(r.matched[0]?.mismatches).toEqual([
      { field: 'hostname', expected: 'web01', actual: 'renamed' },
      { field: 'serial', expected: 'S1', actual: null },
      { field: 'ip', expected: '10.0.0.1', actual: null },
    ]);
    expect(r.unknown.map((u) => u.host.id)).toEqual(['h-ip']);
  });

  it('serial, then hostname, then IP when stronger identifiers are absent on either side', () => {
    const r = reconcile(
      assets(`${HEAD},,sn-9,,,,,\nweb02,,,,,,,\n,,,192.0.2.7,,,,\n`),
      [host('h1', { hostname: 'x1', serial: 'SN-9' }), host('h2', { hostname: 'WEB02' }), host('h3', { hostname: 'x3', ips: ['192.0.2.7'] })],
      OPTS,
    );
    expect(r.matched.map((m) => [m.asset.location, m.host.id, m.by])).toEqual([
      ['line 2', 'h1', 'serial'],
      ['line 3', 'h2', 'hostname'],
      ['line 4', 'h3', 'ip'],
    ]);
  });

  it('a rebuilt machine (new machine id) still pairs by hostname, and the id difference is reported', () => {
    const r = reconcile(assets(`${HEAD}db1,${MID_A},,,,,,\n`), [host('db1', { machineId: MID_B })], OPTS);
    expect(r.matched[0]).toMatchObject({ by: 'hostname', mismatches: [{ field: 'machine_id', expected: MID_A, actual: MID_B }] });
  });

  it('vendor placeholder serials never pair machines', () => {
    const r = reconcile(assets(`${HEAD}a1,,Default string,,,,,\n`), [host('h1', { hostname: 'zz', serial: 'Default string' })], OPTS);
    expect(r.matched).toEqual([]);
    expect(r.missing.map((m) => m.reason)).toEqual(['never-seen']);
  });

  it('loopback and link-local addresses never pair machines', () => {
    const r = reconcile(assets(`${HEAD},,,127.0.0.1 fe80::1,,,,\n`), [host('h1', { ips: ['127.0.0.1', 'fe80::1'] })], OPTS);
    expect(r.matched).toEqual([]);
  });
});

describe('reconcile: hostnames', () => {
  it('short name pairs with FQDN either way; case-insensitive; trailing dot ignored', () => {
    const r = reconcile(assets(`${HEAD}web01,,,,,,,\nDB01.corp.example.,,,,,,,\n`), [host('h1', { hostname: 'web01.corp.example' }), host('h2', { hostname: 'db01' })], OPTS);
    expect(r.matched.map((m) => [m.asset.hostname, m.host.id, m.by, m.mismatches.length])).toEqual([
      ['web01', 'h1', 'hostname', 0],
      ['db01.corp.example', 'h2', 'hostname', 0],
    ]);
  });

  it('two different FQDNs never pair, even with the same first label', () => {
    const r = reconcile(assets(`${HEAD}web01.prod.example,,,,,,,\n`), [host('h1', { hostname: 'web01.test.example' })], OPTS);
    expect(r.matched).toEqual([]);
    expect(r.unknown).toHaveLength(1);
  });

  it('an exact FQDN match is settled before the short-name rule', () => {
    const r = reconcile(assets(`${HEAD}web01.a.example,,,,,,,\nweb01,,,,,,,\n`), [host('web01.a.example'), host('web01.b.example')], OPTS);
    expect(r.matched.map((m) => [m.asset.hostname, m.host.id])).toEqual([
      ['web01.a.example', 'web01.a.example'],
      ['web01', 'web01.b.example'],
    ]);
    expect(r.ambiguous).toEqual([]);
  });
});

describe('reconcile: ambiguity is reported, not resolved', () => {
  it('two assets claim one host', () => {
    const r = reconcile(assets(`${HEAD}a1,,SN1,,,,,\na2,,sn1,,,,,\n`), [host('h1', { hostname: 'zz', serial: 'SN1' })], OPTS);
    expect(r.matched).toEqual([]);
    expect(r.missing).toEqual([]);
    expect(r.unknown).toEqual([]);
    expect(r.ambiguous).toHaveLength(1);
    expect(r.ambiguous[0]).toMatchObject({ by: 'serial', reason: '2 assets (cmdb.csv line 2, cmdb.csv line 3) claim host h1 by serial' });
  });

  it('one asset matches two hosts (short name, two domains); they stay out of weaker levels', () => {
    const r = reconcile(assets(`${HEAD}web01,,,10.0.0.9,,,,\n`), [host('web01.a.example', { ips: ['10.0.0.9'] }), host('web01.b.example')], OPTS);
    expect(r.ambiguous.map((a) => [a.by, a.hosts.map((h) => h.id), a.reason])).toEqual([
      ['hostname', ['web01.a.example', 'web01.b.example'], 'asset cmdb.csv line 2 matches 2 hosts (web01.a.example, web01.b.example) by hostname'],
    ]);
    expect(r.matched).toEqual([]);
    expect(r.unknown).toEqual([]);
  });

  it('every asset lands exactly once, every host at most once', () => {
    const as = assets(`${HEAD}a,,,,,,,\nb,,S,,,,,\nc,,S,,,,,\nd,,,10.0.0.1,,,,\ne,,,,,,,\n`);
    const hs = [host('a'), host('x', { serial: 'S' }), host('y', { ips: ['10.0.0.1'] }), host('z')];
    const r = reconcile(as, hs, OPTS);
    const seenAssets = [...r.matched.map((m) => m.asset), ...r.missing.map((m) => m.asset), ...r.duplicate.map((d) => d.asset), ...r.ambiguous.flatMap((a) => a.assets)];
    expect(seenAssets.sort((p, q) => p.location.localeCompare(q.location))).toEqual(as);
    const seenHosts = [...r.matched.map((m) => m.host), ...r.missing.flatMap((m) => (m.host ? [m.host] : [])), ...r.unknown.map((u) => u.host), ...r.ambiguous.flatMap((a) => a.hosts)];
    expect(new Set(seenHosts).size).toBe(seenHosts.length);
    expect(seenHosts).toHaveLength(hs.length);
  });
});

describe('reconcile: two records of one host are a duplicate, not a missing machine', () => {
  it('a second record naming an already matched host by a weaker key (hostname, serial, IP) is a duplicate of the first', () => {
    const r = reconcile(
      assets(`${HEAD}web01,${MID_A},,,,,,\nWEB01,,,,,,,\ndb01,${MID_C},,,,,,\n,,sn-1,,,,,\n,,,10.0.0.5,,,,\napp01,${MID_B},,10.0.0.5,,,,\n`),
      [host('web01', { machineId: MID_A }), host('db01', { machineId: MID_C, serial: 'SN-1' }), host('app01', { machineId: MID_B, ips: ['10.0.0.5'] })],
      OPTS,
    );
    expect(r.missing).toEqual([]);
    expect(r.matched.map((m) => [m.asset.location, m.host.id, m.by])).toEqual([
      ['line 2', 'web01', 'machine_id'],
      ['line 4', 'db01', 'machine_id'],
      ['line 7', 'app01', 'machine_id'],
    ]);
    expect(r.duplicate.map((d) => [d.asset.location, d.of.location, d.host.id, d.by])).toEqual([
      ['line 3', 'line 2', 'web01', 'hostname'],
      ['line 5', 'line 4', 'db01', 'serial'],
      ['line 6', 'line 7', 'app01', 'ip'],
    ]);
    expect(r.duplicate[0]?.reason).toBe('cmdb.csv line 3 and cmdb.csv line 2 both match host web01 (web01): cmdb.csv line 3 by hostname, cmdb.csv line 2 by machine_id');
    // What the second record says that the host contradicts tells a stale copy from another machine.
    expect(r.duplicate[2]?.mismatches).toEqual([]);
    expect(r.ambiguous).toEqual([]);
  });

  it('names the short-name rule and the hosts that are missing with their first record', () => {
    const r = reconcile(assets(`${HEAD}web01.corp.example,,,,,,,\nweb01,,,,,,,\n`), [host('web01.corp.example', { lastSeenAt: null })], OPTS);
    expect(r.missing.map((m) => [m.asset.location, m.reason, m.host?.id])).toEqual([['line 2', 'never-seen', 'web01.corp.example']]);
    expect(r.duplicate.map((d) => [d.asset.location, d.of.location, d.by])).toEqual([['line 3', 'line 2', 'hostname']]);
  });

  it('a record whose strongest key names several hosts already claimed is ambiguous, not a guess', () => {
    const r = reconcile(
      assets(`${HEAD}lb1,,,10.0.0.100,,,,\nlb2,,,10.0.0.100,,,,\nlb3,,,10.0.0.100,,,,\n`),
      [host('lb1', { ips: ['10.0.0.100'] }), host('lb2', { ips: ['10.0.0.100'] })],
      OPTS,
    );
    expect(r.matched.map((m) => m.host.id)).toEqual(['lb1', 'lb2']);
    expect(r.missing).toEqual([]);
    expect(r.duplicate).toEqual([]);
    expect(r.ambiguous.map((a) => [a.by, a.assets.map((x) => x.location), a.hosts.map((h) => h.id), a.reason])).toEqual([
      ['ip', ['line 4'], ['lb1', 'lb2'], 'asset cmdb.csv line 4 matches 2 hosts (lb1, lb2) by ip, each already claimed by another record (cmdb.csv line 2; cmdb.csv line 3)'],
    ]);
  });

  it('a third record of a host two records already contest joins no pairing either', () => {
    const r = reconcile(assets(`${HEAD}a1,,SN1,,,,,\na2,,sn1,,,,,\nzz,,,,,,,\n`), [host('h1', { hostname: 'zz', serial: 'SN1' })], OPTS);
    expect(r.missing).toEqual([]);
    expect(r.duplicate).toEqual([]);
    expect(r.ambiguous.map((a) => [a.by, a.assets.map((x) => x.location), a.reason])).toEqual([
      ['serial', ['line 2', 'line 3'], '2 assets (cmdb.csv line 2, cmdb.csv line 3) claim host h1 by serial'],
      ['hostname', ['line 4'], 'asset cmdb.csv line 4 matches host h1 by hostname, already claimed by other records (cmdb.csv line 2, cmdb.csv line 3)'],
    ]);
  });
});

describe('reconcile: missing, stale, unknown', () => {
  it('never-seen (no host, or a host that never reported) and stale by staleAfterMs', () => {
    const r = reconcile(assets(`${HEAD}gone,,,,,,,\nnew,,,,,,,\nold,,,,,,,\nfresh,,,,,,,\n`), [
      host('new', { lastSeenAt: null }),
      host('old', { lastSeenAt: new Date(NOW.getTime() - 8 * DAY) }),
      host('fresh', { lastSeenAt: new Date(NOW.getTime() - 7 * DAY) }),
      host('stray'),
    ], OPTS);
    expect(r.missing.map((m) => [m.asset.hostname, m.reason, m.host?.id])).toEqual([
      ['gone', 'never-seen', undefined],
      ['new', 'never-seen', 'new'],
      ['old', 'stale', 'old'],
    ]);
    expect(r.matched.map((m) => m.host.id)).toEqual(['fresh']);
    expect(r.unknown.map((u) => u.host.id)).toEqual(['stray']);
  });
});

describe('reconcile: mismatches', () => {
  it('tier, owner, environment and os: stated by the asset, missing or different on the host', () => {
    const r = reconcile(assets(`${HEAD}h1,,,,1,Team A,Production,debian 12\nh2,,,,0,team b,prod,rhel 9\n`), [
      host('h1', { attributes: { tier: 1, owner: 'team a', environment: 'production' }, os: { id: 'debian', versionId: '12.5' } }),
      host('h2', { attributes: { tier: 2, environment: 'staging' }, os: { id: 'rocky', versionId: '9.3' } }),
    ], OPTS);
    expect(r.matched[0]?.mismatches).toEqual([]);
    expect(r.matched[1]?.mismatches).toEqual([
      { field: 'tier', expected: '0', actual: '2' },
      { field: 'owner', expected: 'team b', actual: null },
      { field: 'environment', expected: 'prod', actual: 'staging' },
      { field: 'os', expected: 'rhel 9', actual: 'rocky 9.3' },
    ]);
  });

  it('host facts that do not normalise identify nothing instead of failing the run', () => {
    const r = reconcile(assets(`${HEAD}h1,${MID_A},,,,,,\n`), [host('h1', { machineId: 'garbage', ips: ['not-an-ip'] })], OPTS);
    expect(r.matched[0]).toMatchObject({ by: 'hostname', mismatches: [{ field: 'machine_id', expected: MID_A, actual: 'garbage' }] });
  });
});
