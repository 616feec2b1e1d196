import { describe, expect, it } from 'vitest';
import { almaFacts } from './support/fixtures.js';
import { postgresAvailable } from './support/test-database.js';
import { TestAgent, admin, eachTestApp, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

describe.each(kinds)('CMDB import on %s', (kind) => {
  let t: TestApp;
  eachTestApp(kind, (app) => {
    t = app;
  });

  function upload(filename: string, body: Buffer | string, query = '') {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    return t.app.inject({ method: 'POST', url: `/api/v1/cmdb/import?filename=${filename}${query}`, headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload });
  }

  async function expectedHostnames(): Promise<string[]> {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/cmdb/reconcile', headers: admin(t) });
    expect(r.statusCode, r.body).toBe(200);
    return r.json<{ missing: { asset: { hostname: string } }[] }>().missing.map((m) => m.asset.hostname);
  }

  it('names every bad row, up to a cap with a count of the rest, and imports nothing', async () => {
    expect((await upload('cmdb.csv', 'hostname\nkeep-01\n')).statusCode).toBe(200);
    const rows = Array.from({ length: 60 }, (_, i) => `web${i},9`);
    const bad = await upload('cmdb.csv', `hostname,tier\nok-01,1\n${rows.join('\n')}\n`);
    expect(bad.statusCode).toBe(400);
    const lines = bad.json<{ error: { message: string } }>().error.message.split('\n');
    expect(lines[0]).toBe('cmdb.csv: 60 bad row(s), nothing imported:');
    expect(lines.slice(1, 3)).toEqual(['  cmdb.csv: line 3: tier: must be 0–3, got "9"', '  cmdb.csv: line 4: tier: must be 0–3, got "9"']);
    expect(lines).toHaveLength(1 + 50 + 1);
    expect(lines.at(-2)).toBe('  cmdb.csv: line 52: tier: must be 0–3, got "9"');
    expect(lines.at(-1)).toBe('  … and 10 more');
    expect(await expectedHostnames()).toEqual(['keep-01']);
  });

  it('refuses a file with no assets and keeps the stored CMDB, unless emptying is asked for', async () => {
    expect((await upload('cmdb.csv', 'hostname,tier\nkeep-01,1\n')).statusCode).toBe(200);
    for (const body of ['hostname,tier\r\n', '[]', '\ufeff{"assets":[]}']) {
      const r = await upload('cmdb.csv', body);
      expect(r.statusCode, body).toBe(400);
      expect(r.json().error.message).toMatch(/^cmdb\.csv: no assets in the file, nothing imported and the stored CMDB kept; to empty the CMDB on purpose, import with allowEmpty=true/);
    }
    expect(await expectedHostnames()).toEqual(['keep-01']);
    const emptied = await upload('cmdb.csv', 'hostname,tier\n', '&allowEmpty=true');
    expect(emptied.json()).toEqual({ assets: 0, problems: [] });
    expect(await expectedHostnames()).toEqual([]);
  });

  it('imports CR-only, semicolon and UTF-16 exports instead of wiping the CMDB', async () => {
    expect((await upload('mac.csv', 'hostname,tier\rweb01,1\rweb02,2\r')).json()).toEqual({ assets: 2, problems: [] });
    expect((await upload('de.csv', 'sep=;\r\nhostname;owner\r\nweb03;Müller, Zoë\r\n')).json()).toEqual({ assets: 1, problems: [] });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('hostname\towner\r\nweb04\tZoë\r\n', 'utf16le')]);
    expect((await upload('unicode.txt', utf16)).json()).toEqual({ assets: 1, problems: [] });
    expect(await expectedHostnames()).toEqual(['web04']);
  });

  it('refuses bytes that are not UTF-8, naming the line, and keeps the stored CMDB', async () => {
    expect((await upload('cmdb.csv', 'hostname,owner\nkeep-01,ops\n')).statusCode).toBe(200);
    const r = await upload('cmdb.csv', Buffer.concat([Buffer.from('hostname,owner\nweb01,Zo'), Buffer.from([0xeb]), Buffer.from('\n')]));
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toEqual({ code: 'PW_INPUT_MALFORMED', message: 'cmdb.csv: line 2: not valid UTF-8 (a legacy encoding such as Windows-1252?); save it as UTF-8' });
    expect(await expectedHostnames()).toEqual(['keep-01']);
  });

  it('compares OS strings as vendors write them, and tells CentOS Stream from CentOS Linux by PRETTY_NAME', async () => {
    const enroll = async (name: string, os: { id: string; versionId: string; prettyName: string }) => {
      const token = (await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: admin(t), payload: {} })).json<{ token: string }>().token;
      expect((await new TestAgent(t).enroll(token, { ...almaFacts(`${name}-machine-id-0000000000000000`.slice(0, 32), name), os })).statusCode).toBe(201);
    };
    await enroll('stream', { id: 'centos', versionId: '8', prettyName: 'CentOS Stream 8' });
    await enroll('rocky', { id: 'rocky', versionId: '9.3', prettyName: 'Rocky Linux 9.3 (Blue Onyx)' });
    await enroll('sles', { id: 'sles', versionId: '15.4', prettyName: 'SUSE Linux Enterprise Server 15 SP4' });
    const csv = 'hostname,os\nstream,CentOS Linux 8\nrocky,Rocky Linux release 9.3 (Blue Onyx)\nsles,SLES 15-SP5\n';
    expect((await upload('cmdb.csv', csv)).statusCode).toBe(200);
    const r = (await t.app.inject({ method: 'GET', url: '/api/v1/cmdb/reconcile', headers: admin(t) })).json<{ matched: { host: { hostname: string }; mismatches: { field: string; expected: string }[] }[] }>();
    const mismatches = Object.fromEntries(r.matched.map((m) => [m.host.hostname, m.mismatches.map((x) => x.expected)]));
    expect(mismatches).toEqual({ stream: ['CentOS Linux 8'], rocky: [], sles: ['SLES 15-SP5'] });
    expect((await upload('cmdb.csv', 'hostname,os\nstream,CentOS Stream 8\n')).statusCode).toBe(200);
    const again = (await t.app.inject({ method: 'GET', url: '/api/v1/cmdb/reconcile', headers: admin(t) })).json<{ matched: { mismatches: unknown[] }[] }>();
    expect(again.matched.map((m) => m.mismatches)).toEqual([[]]);
  });
});
