import { describe, expect, it } from 'vitest';
import { almaAdvisory, almaFacts } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

describe.each(kinds)('host list, paged in SQL, on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  async function enroll(name: string, os?: { id: string; versionId: string }) {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} });
    const agent = new TestAgent(t);
    const facts = almaFacts(`machine-${name}`, name);
    expect((await agent.enroll(res.json<{ token: string }>().token, os ? { ...facts, os } : facts)).statusCode).toBe(201);
  }

  async function list(query: string) {
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/hosts?${query}`, headers: admin(t) });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ total: number; hosts: { name: string; connectivity: string }[] }>();
    return { total: body.total, names: body.hosts.map((h) => h.name), connectivity: body.hosts.map((h) => h.connectivity) };
  }

  it('pages by name with the total, and filters connectivity with the thresholds the views use', async () => {
    // Interval 60 s (offline after 3 missed check-ins), stale after 7 days; time moves, no sleeps.
    await enroll('stale-1');
    t.clock.advance(7 * 86400_000 + 1);
    await enroll('offline-1');
    await enroll('offline-2');
    t.clock.advance(180_001);
    await enroll('online-1');
    await enroll('online-2');
    await enroll('online-3');

    expect(await list('limit=2&offset=1')).toEqual({ total: 6, names: ['offline-2', 'online-1'], connectivity: ['offline', 'online'] });
    expect(await list('connectivity=online')).toMatchObject({ total: 3, names: ['online-1', 'online-2', 'online-3'] });
    expect(await list('connectivity=offline&limit=1')).toMatchObject({ total: 2, names: ['offline-1'] });
    expect(await list('connectivity=stale')).toMatchObject({ total: 1, names: ['stale-1'], connectivity: ['stale'] });
    expect(await list('connectivity=never')).toMatchObject({ total: 0, names: [] });
    // Exactly at the offline threshold a host is still online (the views count "more than").
    t.clock.advance(180_000);
    expect(await list('connectivity=online')).toMatchObject({ total: 3 });
    t.clock.advance(1);
    expect(await list('connectivity=online')).toMatchObject({ total: 0 });
    expect(await list('connectivity=offline')).toMatchObject({ total: 5 });
    expect(await list('eol=false&limit=2')).toMatchObject({ total: 6, names: ['offline-1', 'offline-2'] });
  });

  it('selects by os-release ids that hold dashes, in every spelling', async () => {
    await enroll('leap-155', { id: 'opensuse-leap', versionId: '15.5' });
    await enroll('leap-156', { id: 'opensuse-leap', versionId: '15.6' });
    await enroll('tw', { id: 'opensuse-tumbleweed', versionId: '20240601' });
    await enroll('deb-12', { id: 'debian', versionId: '12' });
    expect((await list('os=opensuse-leap')).names).toEqual(['leap-155', 'leap-156']);
    for (const os of ['opensuse-leap-15.5', 'opensuse-leap%2015.5', 'opensuse-leap:15.5']) expect((await list(`os=${os}`)).names, os).toEqual(['leap-155']);
    expect((await list('os=opensuse-tumbleweed')).names).toEqual(['tw']);
    for (const os of ['debian-12', 'debian:12', 'debian%2012', 'debian']) expect((await list(`os=${os}`)).names, os).toEqual(['deb-12']);
    const bad = await t.app.inject({ method: 'GET', url: '/api/v1/hosts?os=12', headers: admin(t) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^os: "12": expected an os-release id/);
  });

  it('says of each host whether any advisory held covers its ecosystem, in both the paged and the end-of-life list', async () => {
    await enroll('alma-1');
    await enroll('deb-12', { id: 'debian', versionId: '12' });
    const held = async (query: string) => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/hosts?${query}`, headers: admin(t) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ hosts: { name: string; ecosystem: string | null; advisoriesHeld: boolean | null }[] }>().hosts.map((h) => [h.name, h.ecosystem, h.advisoriesHeld]);
    };
    // Nothing held yet: no host is assessed.
    expect(await held('limit=10')).toEqual([
      ['alma-1', 'AlmaLinux:9', false],
      ['deb-12', 'Debian:12', false],
    ]);
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/feeds/import?filename=alma.json',
      headers: { ...admin(t), 'content-type': 'application/octet-stream' },
      payload: Buffer.from(JSON.stringify([almaAdvisory('ALSA-2026:0001', 'openssl', '1:3.0.7-18.el9_2')])),
    });
    expect(imported.statusCode, imported.body).toBe(200);
    const expected = [
      ['alma-1', 'AlmaLinux:9', true],
      ['deb-12', 'Debian:12', false],
    ];
    expect(await held('limit=10')).toEqual(expected);
    expect(await held('eol=false')).toEqual(expected);
  });
});
