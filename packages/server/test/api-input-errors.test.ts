/**
 * What the API says about requests its schemas refuse: the field, the reason and, for a fixed
 * list of values, the list and what was sent; and 415 for a body in a media type the route does
 * not take. Same error code and status as before: only the messages got clearer.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@patchwise/core';
import type { Database } from '../src/database.js';
import { admin, eachTestApp, openTestApp, type TestApp } from './support/test-app.js';

describe('schema errors', () => {
  let t: TestApp;
  eachTestApp('pglite', (app) => {
    t = app;
  });

  async function refusal(method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) {
    const res = await t.app.inject({ method, url, headers: admin(t), ...(payload === undefined ? {} : { payload: payload as object }) });
    expect(res.statusCode, res.body).toBe(400);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('PW_INPUT_INVALID');
    return error.message;
  }

  const HOST = '/api/v1/hosts/00000000-0000-0000-0000-000000000000';

  it('name an unknown body field and an unknown query parameter', async () => {
    expect(await refusal('PATCH', HOST, { attrs: { tier: 1 } })).toBe('body: unknown field "attrs"');
    expect(await refusal('GET', '/api/v1/hosts?sort=name')).toBe('querystring: unknown parameter "sort"');
  });

  it('say an anyOf of literals once, as the list of allowed values and the value sent', async () => {
    expect(await refusal('GET', '/api/v1/findings?sort=bogus')).toBe('querystring sort: must be one of priority, first_seen, package, advisory (got "bogus")');
    expect(await refusal('GET', '/api/v1/findings?priority=P9')).toBe('querystring priority: must be one of P1, P2, P3, P4 (got "P9")');
    // The second of two repeated parameters: its index means nothing to the caller.
    expect(await refusal('GET', '/api/v1/findings?priority=P1&priority=P9')).toBe('querystring priority: must be one of P1, P2, P3, P4 (got "P9")');
    expect(await refusal('GET', '/api/v1/reports/compliance?failAt=P0')).toBe('querystring failAt: must be one of P1, P2, P3, P4 (got "P0")');
    expect(await refusal('PATCH', HOST, { status: 'gone' })).toBe('body status: must be one of active, quarantined (got "gone")');
  });

  it('give nested body fields as a path, with array positions', async () => {
    expect(await refusal('POST', '/api/v1/patch-sets', { name: 'x', fromFindings: { priority: ['P1', 'P7'] } })).toBe('body fromFindings.priority[1]: must be one of P1, P2, P3, P4 (got "P7")');
    expect(await refusal('POST', '/api/v1/patch-sets', { name: 'x', targets: [{ ecosystem: 'AlmaLinux:9', package: 'openssl' }] })).toBe('body targets[0]: missing required field "version"');
    expect(await refusal('POST', '/api/v1/patch-sets', { name: 'x', fromFindings: { kev: true, cve: 'CVE-1' } })).toBe('body fromFindings: unknown field "cve"');
  });

  it('keep the reason of other keywords, after the field', async () => {
    expect(await refusal('POST', '/api/v1/enroll-tokens', { maxUses: 0 })).toBe('body maxUses: must be >= 1');
    expect(await refusal('GET', '/api/v1/hosts?limit=abc')).toBe('querystring limit: must be integer (got "abc")');
    expect(await refusal('GET', '/api/v1/hosts?limit=5000')).toBe('querystring limit: must be <= 1000');
    expect(await refusal('GET', '/api/v1/hosts/not-an-id')).toBe('params id: must match format "uuid"');
    expect(await refusal('POST', '/api/v1/sessions', { name: 'admin' })).toBe('body: missing required field "password"');
  });
});

describe('a body in a media type the route does not take', () => {
  let t: TestApp;
  eachTestApp('pglite', (app) => {
    t = app;
  });

  async function unsupported(url: string, contentType: string | undefined, payload: string) {
    const res = await t.app.inject({ method: 'POST', url, headers: { ...admin(t), ...(contentType ? { 'content-type': contentType } : {}) }, payload });
    expect(res.statusCode, res.body).toBe(415);
    const { error } = res.json<{ error: { code: string; message: string } }>();
    expect(error.code).toBe('PW_MEDIA_TYPE_UNSUPPORTED');
    return error.message;
  }

  it('is refused with 415 naming the type to send, not validated as the wrong value', async () => {
    expect(await unsupported('/api/v1/enroll-tokens', 'text/plain', '{"maxUses":1}')).toBe('content-type text/plain is not accepted here; send application/json');
    expect(await unsupported('/api/v1/enroll-tokens', 'application/xml', '<x/>')).toBe('content-type application/xml is not accepted here; send application/json');
    // The raw-bytes parser exists for file uploads; a JSON route does not take raw bytes.
    expect(await unsupported('/api/v1/enroll-tokens', 'application/octet-stream', '{}')).toBe('content-type application/octet-stream is not accepted here; send application/json');
    expect(await unsupported('/api/v1/feeds/import?filename=a.json', 'application/json', '[]')).toBe('content-type application/json is not accepted here; send application/octet-stream');
  });

  it('leaves JSON with a charset, raw-bytes uploads and bodiless requests alone', async () => {
    const json = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: { ...admin(t), 'content-type': 'application/json; charset=utf-8' }, payload: '{"maxUses":1}' });
    expect(json.statusCode, json.body).toBe(201);
    const upload = await t.app.inject({ method: 'POST', url: '/api/v1/feeds/import?filename=a.json', headers: { ...admin(t), 'content-type': 'application/octet-stream' }, payload: Buffer.from('[]') });
    expect(upload.statusCode, upload.body).toBe(200);
    const bodiless = await t.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: { ...admin(t), 'content-type': 'text/plain' } });
    expect(bodiless.statusCode, bodiless.body).toBe(200);
  });

  it('is checked after authentication: a caller without credentials learns nothing more', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/v1/enroll-tokens', headers: { 'content-type': 'text/plain' }, payload: 'x' });
    expect(res.statusCode).toBe(401);
  });
});

describe('a request that fails unexpectedly', () => {
  let t: TestApp;
  let db: DatabaseHandle<Database>;
  eachTestApp('pglite', (app, handle) => {
    t = app;
    db = handle;
  });

  it('tells the client only PW_INTERNAL, and writes the stack to the server log even without a Fastify logger', async () => {
    const lines: string[] = [];
    const logged = await openTestApp(db, { empty: false, log: (line) => lines.push(line) });
    // A table gone from under the server: an error no route expects.
    await sql`alter table cmdb_imports rename to cmdb_imports_away`.execute(t.db);
    try {
      const res = await logged.app.inject({ method: 'GET', url: '/api/v1/cmdb/reconcile?x=1', headers: admin(logged) });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: { code: 'PW_INTERNAL', message: 'internal error; see the server log' } });
      expect(res.body).not.toMatch(/cmdb_imports|\bat /);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: GET \/api\/v1\/cmdb\/reconcile failed \(req-\d+\): error: relation "cmdb_imports" does not exist\n\s+at /);
    } finally {
      await sql`alter table cmdb_imports_away rename to cmdb_imports`.execute(t.db);
      await logged.close();
    }
  });
});
