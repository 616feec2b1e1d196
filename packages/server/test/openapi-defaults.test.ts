/**
 * A parameter with a default is one a client may leave out: the OpenAPI document must not call it
 * required (generated clients would insist on it), and the server must still fill the default in
 * before the handler reads it.
 */
import { describe, expect, it } from 'vitest';
import { admin, eachTestApp, type TestApp } from './support/test-app.js';

interface Schema {
  readonly default?: unknown;
  readonly required?: readonly string[];
  readonly properties?: Record<string, Schema>;
  readonly items?: Schema;
  readonly anyOf?: readonly Schema[];
  readonly oneOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
}
interface Operation {
  readonly parameters?: readonly { name: string; in: string; required?: boolean; schema?: Schema }[];
  readonly requestBody?: { content: Record<string, { schema: Schema }> };
}

/** Each object property that has a default and is listed as required, with where it is. */
function requiredWithDefault(schema: Schema | undefined, at: string): string[] {
  if (!schema) return [];
  const found: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.default !== undefined && schema.required?.includes(name)) found.push(`${at}.${name}`);
    found.push(...requiredWithDefault(property, `${at}.${name}`));
  }
  found.push(...requiredWithDefault(schema.items, `${at}[]`));
  for (const branch of [...(schema.anyOf ?? []), ...(schema.oneOf ?? []), ...(schema.allOf ?? [])]) found.push(...requiredWithDefault(branch, at));
  return found;
}

describe('parameters with defaults', () => {
  let t: TestApp;
  eachTestApp('pglite', (app) => {
    t = app;
  });

  it('are never required in the OpenAPI document, on any route', async () => {
    const doc = (await t.app.inject('/api/v1/openapi.json')).json<{ paths: Record<string, Record<string, Operation>> }>();
    const wrong: string[] = [];
    let withDefault = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const p of operation.parameters ?? []) {
          if (p.schema?.default === undefined) continue;
          withDefault++;
          if (p.required === true) wrong.push(`${method.toUpperCase()} ${path} ${p.in} ${p.name}`);
        }
        for (const [type, content] of Object.entries(operation.requestBody?.content ?? {})) wrong.push(...requiredWithDefault(content.schema, `${method.toUpperCase()} ${path} body (${type})`));
      }
    }
    expect(wrong).toEqual([]);
    // The walk saw them: findings (state, sort, limit, offset), hosts, audit, reports, feeds.
    expect(withDefault).toBeGreaterThanOrEqual(11);
    const findings = doc.paths['/api/v1/findings']?.get?.parameters ?? [];
    expect(findings.filter((p) => ['state', 'sort', 'limit', 'offset'].includes(p.name)).map((p) => [p.name, p.required ?? false, p.schema?.default])).toEqual([
      ['state', false, 'open'],
      ['sort', false, 'priority'],
      ['limit', false, 100],
      ['offset', false, 0],
    ]);
  });

  it('are filled in before the handler reads them', async () => {
    // The compliance report echoes the threshold it used: the default, when none was sent.
    const report = await t.app.inject({ method: 'GET', url: '/api/v1/reports/compliance', headers: admin(t) });
    expect(report.statusCode, report.body).toBe(200);
    expect(report.json<{ failAt: string }>().failAt).toBe('P2');
  });
});
