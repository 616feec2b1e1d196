/**
 * Maintenance windows and freezes over the API and in the store, on PGlite and PostgreSQL:
 * validation, references to groups (both ways), audit events, the openings preview.
 */
import { describe, expect, it } from 'vitest';
import { MaintenanceStore, WindowCalendar, parseFreeze, parseMaintenanceWindow, scheduleForHost, type DatabaseHandle } from '@patchwise/core';
import { tablesOf, type Database } from '../src/database.js';
import { postgresAvailable } from './support/test-database.js';
import { admin, eachTestApp, personHeaders, type TestApp } from './support/test-app.js';

const kinds = ['pglite', ...((await postgresAvailable()) ? ['postgres' as const] : [])] as const;

const patchTuesday = { rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 4, start: '22:00', durationMinutes: 240, cutoffMinutes: 30, timeZone: 'Europe/Berlin', groups: ['web'], description: 'second Tuesday + 4 days' };

describe.each(kinds)('maintenance windows and freezes on %s', (kind) => {
  let t: TestApp;
  let db: DatabaseHandle<Database>;
  eachTestApp(kind, (app, handle) => {
    t = app;
    db = handle;
  });

  const call = async (method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers = admin(t)) => {
    const res = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: res.statusCode, body: res.body ? (res.json<Record<string, unknown>>()) : {} };
  };
  const group = async (name: string) => expect((await call('PUT', `/api/v1/groups/${name}`, { selector: { tags: [name] } })).status).toBe(200);
  const auditActions = async (prefix: string) =>
    ((await call('GET', '/api/v1/audit/events')).body.events as { action: string; target: { id: string } }[]).filter((e) => e.action.startsWith(prefix)).map((e) => `${e.action} ${e.target.id}`);

  it('creates, lists, shows, replaces and deletes a window, every change audited', async () => {
    const missing = await call('PUT', '/api/v1/windows/patch-tuesday', patchTuesday);
    expect(missing).toMatchObject({ status: 409, body: { error: { code: 'PW_CONFLICT', message: expect.stringMatching(/window patch-tuesday names group web, which does not exist/) as string } } });
    await group('web');
    const created = await call('PUT', '/api/v1/windows/patch-tuesday', { ...patchTuesday, rrule: 'rrule:freq=monthly;byday=tu;bysetpos=2' });
    expect(created).toEqual({ status: 200, body: { name: 'patch-tuesday', ...patchTuesday } });
    expect((await call('GET', '/api/v1/windows')).body).toEqual({ windows: [{ name: 'patch-tuesday', ...patchTuesday }] });
    expect((await call('GET', '/api/v1/windows/patch-tuesday')).body).toMatchObject({ rrule: 'FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2', offsetDays: 4 });
    expect((await call('PUT', '/api/v1/windows/patch-tuesday', { ...patchTuesday, cutoffMinutes: 60 })).body).toMatchObject({ cutoffMinutes: 60 });
    expect((await call('DELETE', '/api/v1/windows/patch-tuesday')).status).toBe(204);
    expect((await call('GET', '/api/v1/windows/patch-tuesday')).body).toMatchObject({ error: { code: 'PW_NOT_FOUND', message: 'no maintenance window named patch-tuesday' } });
    expect((await call('DELETE', '/api/v1/windows/patch-tuesday')).status).toBe(404);
    expect(await auditActions('window.')).toEqual(['window.create patch-tuesday', 'window.replace patch-tuesday', 'window.delete patch-tuesday']);
  });

  it('refuses bad windows naming the field and the reason, and a body naming another window', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...patchTuesday, groups: [], timeZone: 'Mars/Olympus' }, /window\.timeZone: "Mars\/Olympus" is not an IANA time zone/],
      [{ ...patchTuesday, groups: [], rrule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=DAILY' }, /window\.rrule: one RRULE line only/],
      [{ ...patchTuesday, groups: [], cutoffMinutes: 240 }, /window\.cutoffMinutes: 240 leaves no time to start/],
      [{ ...patchTuesday, groups: [], durationMinutes: 0 }, /window\.durationMinutes: expected whole minutes, more than 0/],
      [{ ...patchTuesday, groups: [], name: 'other' }, /window\.name: the body names "other", the path patch-tuesday/],
    ];
    for (const [body, message] of cases) {
      const res = await call('PUT', '/api/v1/windows/patch-tuesday', body);
      expect(res, JSON.stringify(body)).toMatchObject({ status: 400, body: { error: { code: 'PW_INPUT_INVALID', message: expect.stringMatching(message) as string } } });
    }
    expect((await call('GET', '/api/v1/windows')).body).toEqual({ windows: [] });
  });

  it('previews openings in the window’s zone, or the zone asked for when it has none', async () => {
    await group('web');
    expect((await call('PUT', '/api/v1/windows/patch-tuesday', patchTuesday)).status).toBe(200);
    // The test clock reads 2026-11-22T10:00Z; six weeks ahead hold December's opening only (8 Dec + 4).
    expect((await call('GET', '/api/v1/windows/patch-tuesday/openings')).body).toEqual({
      window: 'patch-tuesday',
      timeZone: 'Europe/Berlin',
      from: '2026-11-22T11:00:00+01:00',
      to: '2027-01-03T11:00:00+01:00',
      openings: [{ start: '2026-12-12T22:00:00+01:00', cutoff: '2026-12-13T01:30:00+01:00', end: '2026-12-13T02:00:00+01:00' }],
    });
    const half = (await call('GET', '/api/v1/windows/patch-tuesday/openings?from=2026-01-01&to=2026-07-01&timeZone=Asia/Tokyo')).body as { openings: { start: string }[] };
    expect(half.openings.map((o) => o.start)).toEqual(['2026-01-17T22:00:00+01:00', '2026-02-14T22:00:00+01:00', '2026-03-14T22:00:00+01:00', '2026-04-18T22:00:00+02:00', '2026-05-16T22:00:00+02:00', '2026-06-13T22:00:00+02:00']);
    const hostLocal = { rrule: 'FREQ=WEEKLY;BYDAY=SA', start: '02:00', durationMinutes: 120 };
    expect((await call('PUT', '/api/v1/windows/saturday', hostLocal)).status).toBe(200);
    const tokyo = (await call('GET', '/api/v1/windows/saturday/openings?from=2026-12-01T00:00:00Z&to=2026-12-08T00:00:00Z&timeZone=Asia/Tokyo')).body;
    expect(tokyo).toMatchObject({ timeZone: 'Asia/Tokyo', openings: [{ start: '2026-12-05T02:00:00+09:00', end: '2026-12-05T04:00:00+09:00' }] });
    expect((await call('GET', '/api/v1/windows/saturday/openings?from=2026-12-01&to=2026-12-08')).body).toMatchObject({ timeZone: 'UTC', openings: [{ start: '2026-12-05T02:00:00Z' }] });
    const refusals: [string, RegExp][] = [
      ['timeZone=Nowhere/Land', /timeZone: "Nowhere\/Land" is not an IANA time zone/],
      ['from=2026-12-08&to=2026-12-01', /to: must come after from/],
      ['from=2026-01-01&to=2027-06-01', /to: at most 400 days after from/],
      ['from=yesterday', /from: expected an instant with its offset/],
      ['from=2026-12-01T00:00:00', /from: expected an instant with its offset/],
    ];
    for (const [query, message] of refusals) {
      expect((await call('GET', `/api/v1/windows/saturday/openings?${query}`)).body, query).toMatchObject({ error: { code: 'PW_INPUT_INVALID', message: expect.stringMatching(message) as string } });
    }
    expect((await call('GET', '/api/v1/windows/nothing/openings')).status).toBe(404);
  });

  it('keeps freezes by name, audited, and checks their groups', async () => {
    const yearEnd = { start: '2026-12-24', end: '2027-01-01', timeZone: 'Europe/Berlin', groups: ['prod'], reason: 'year-end change freeze' };
    expect((await call('PUT', '/api/v1/freezes/year-end', yearEnd)).body).toMatchObject({ error: { code: 'PW_CONFLICT', message: expect.stringMatching(/freeze year-end names group prod, which does not exist/) as string } });
    await group('prod');
    expect(await call('PUT', '/api/v1/freezes/year-end', yearEnd)).toEqual({ status: 200, body: { name: 'year-end', ...yearEnd } });
    const release = { start: '2026-12-01T18:00:00+01:00', end: '2026-12-02T06:00:00Z', reason: 'release night' };
    expect((await call('PUT', '/api/v1/freezes/release', release)).body).toEqual({ name: 'release', ...release, groups: [] });
    expect(((await call('GET', '/api/v1/freezes')).body.freezes as { name: string }[]).map((f) => f.name)).toEqual(['release', 'year-end']);
    expect((await call('GET', '/api/v1/freezes/release')).body).toMatchObject({ reason: 'release night' });
    expect((await call('PUT', '/api/v1/freezes/bad', { start: '2026-12-24', end: '2026-12-26T00:00:00Z', reason: 'x' })).body).toMatchObject({ error: { message: expect.stringMatching(/freeze\.end: start and end must both be instants or both be dates/) as string } });
    expect((await call('DELETE', '/api/v1/freezes/release')).status).toBe(204);
    expect((await call('GET', '/api/v1/freezes/release')).status).toBe(404);
    expect(await auditActions('freeze.')).toEqual(['freeze.create year-end', 'freeze.create release', 'freeze.delete release']);
  });

  it('refuses to delete a group a window or freeze names, naming them', async () => {
    await group('web');
    expect((await call('PUT', '/api/v1/windows/patch-tuesday', patchTuesday)).status).toBe(200);
    expect((await call('PUT', '/api/v1/freezes/web-freeze', { start: '2026-12-24', end: '2026-12-26', groups: ['web'], reason: 'holidays' })).status).toBe(200);
    expect((await call('DELETE', '/api/v1/groups/web')).body).toEqual({ error: { code: 'PW_CONFLICT', message: 'group web is named by window patch-tuesday, freeze web-freeze; change or delete those first' } });
    expect((await call('DELETE', '/api/v1/windows/patch-tuesday')).status).toBe(204);
    expect((await call('DELETE', '/api/v1/groups/web')).body).toMatchObject({ error: { message: 'group web is named by freeze web-freeze; change or delete that first' } });
    expect((await call('DELETE', '/api/v1/freezes/web-freeze')).status).toBe(204);
    expect((await call('DELETE', '/api/v1/groups/web')).status).toBe(204);
  });

  it('never leaves a window naming a deleted group when both race', async () => {
    for (let round = 0; round < 5; round++) {
      await group('web');
      const [put, del] = await Promise.all([call('PUT', '/api/v1/windows/racer', patchTuesday), call('DELETE', '/api/v1/groups/web')]);
      const groups = ((await call('GET', '/api/v1/groups')).body.groups as { name: string }[]).map((g) => g.name);
      const windows = ((await call('GET', '/api/v1/windows')).body.windows as { name: string }[]).map((w) => w.name);
      // Either the window came first (the deletion is refused) or the deletion did (the window is refused).
      if (put.status === 200) expect([del.status, groups, windows]).toEqual([409, ['web'], ['racer']]);
      else expect([put.status, del.status, groups, windows]).toEqual([409, 204, [], []]);
      if (windows.length) expect((await call('DELETE', '/api/v1/windows/racer')).status).toBe(204);
      if (groups.length) expect((await call('DELETE', '/api/v1/groups/web')).status).toBe(204);
    }
  });

  it('lets viewers read and only admins write', async () => {
    const viewer = await personHeaders(t, 'vera', [{ role: 'viewer' }]);
    const operator = await personHeaders(t, 'otto', [{ role: 'operator' }]);
    expect((await call('GET', '/api/v1/windows', undefined, viewer)).status).toBe(200);
    expect((await call('GET', '/api/v1/freezes', undefined, operator)).status).toBe(200);
    expect((await call('PUT', '/api/v1/windows/w', { ...patchTuesday, groups: [] }, operator)).status).toBe(403);
    expect((await call('PUT', '/api/v1/freezes/f', { start: '2026-12-24', end: '2026-12-24', reason: 'r' }, viewer)).status).toBe(403);
  });

  it('stores documents that decide starts as the parsed ones do', async () => {
    const store = new MaintenanceStore(tablesOf(db.db), t.clock.read);
    const window = parseMaintenanceWindow({ name: 'nightly', rrule: 'FREQ=DAILY', start: '01:00', durationMinutes: 120, cutoffMinutes: 30, groups: ['db'] }, 'window');
    const freeze = parseFreeze({ name: 'db-upgrade', start: '2026-12-02T00:00:00Z', end: '2026-12-03T00:00:00Z', groups: ['db'], reason: 'major upgrade' }, 'freeze');
    expect(await store.putWindow(window)).toBeUndefined();
    expect(await store.putWindow({ ...window, description: 'every night' })).toEqual(window);
    expect(await store.putFreeze(freeze)).toBeUndefined();
    expect(await store.groupUsers('db')).toEqual({ windows: ['nightly'], freezes: ['db-upgrade'] });
    expect(await store.groupUsers('web')).toEqual({ windows: [], freezes: [] });
    const stored = await store.schedule();
    expect(stored).toEqual({ windows: [{ ...window, description: 'every night' }], freezes: [freeze] });
    const calendar = new WindowCalendar();
    const forDb = scheduleForHost(stored, (g) => g === 'db');
    expect(calendar.nextStart(forDb, 'Europe/Berlin', new Date('2026-12-01T23:00:00Z'))).toEqual(new Date('2026-12-03T00:00:00Z'));
    expect(calendar.startDecision(scheduleForHost(stored, () => false), null, new Date('2026-12-02T01:00:00Z'))).toMatchObject({ canStart: false, reason: 'no-window' });
    expect(await store.deleteFreeze('db-upgrade')).toEqual(freeze);
    await expect(store.deleteWindow('nope')).rejects.toMatchObject({ code: 'PW_NOT_FOUND' });
  });
});
