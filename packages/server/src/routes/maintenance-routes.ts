import { Type } from '@fastify/type-provider-typebox';
import {
  AuditStore,
  MaintenanceStore,
  NEXT_START_HORIZON_DAYS,
  PatchwiseError,
  auditDigest,
  canonicalTimeZone,
  openingsBetween,
  parseFreeze,
  parseInstant,
  parseMaintenanceWindow,
  windowTimeZone,
  zonedIso,
  type Freeze,
  type MaintenanceWindow,
} from '@patchwise/core';
import type { Kysely } from 'kysely';
import type { App, AppDeps } from '../app-types.js';
import { personActor } from '../caller-actor.js';
import { tablesOf, type Database } from '../database.js';
import { requireGroups } from '../group-references.js';

const Loose = Type.Record(Type.String(), Type.Unknown());
const NameParam = Type.Object({ name: Type.String({ minLength: 1, maxLength: 64 }) });
const Instant = Type.String({ maxLength: 40, description: 'an instant with its offset (2026-12-01T00:00:00Z), or a date YYYY-MM-DD: its midnight in the zone used' });
const OpeningView = Type.Object({ start: Type.String(), cutoff: Type.String(), end: Type.String() });

/** How far ahead the preview looks when `to` is left out: six weeks hold a monthly window's next opening. */
const DEFAULT_PREVIEW_DAYS = 42;
const DAY_MS = 86_400_000;

/** A stored document as the API shows it: plain JSON, defaults filled in. */
const view = (item: MaintenanceWindow | Freeze): Record<string, unknown> => JSON.parse(JSON.stringify(item)) as Record<string, unknown>;

/**
 * Maintenance windows (when a host may start a change) and freezes (when none may), by name
 * (docs/maintenance-windows.md). Every change is audited in its own transaction; the groups a
 * window or freeze names must exist. `GET /api/v1/windows/:name/openings` previews a window's
 * openings in a time zone.
 */
export function maintenanceRoutes(app: App, deps: AppDeps): void {
  const store = (db: Kysely<Database> = deps.db) => new MaintenanceStore(tablesOf(db), deps.clock);
  const bodyName = (body: Record<string, unknown>, path: string, what: string) => {
    if (body.name !== undefined && body.name !== path) throw new PatchwiseError('PW_INPUT_INVALID', `${what}.name: the body names ${JSON.stringify(body.name)}, the path ${path}`);
  };

  app.get(
    '/api/v1/windows',
    { config: { auth: 'person', permission: 'maintenance.read' }, schema: { summary: 'Every maintenance window, by name', response: { 200: Type.Object({ windows: Type.Array(Loose) }) } } },
    async () => ({ windows: (await store().windows()).map(view) }),
  );

  app.get(
    '/api/v1/windows/:name',
    { config: { auth: 'person', permission: 'maintenance.read' }, schema: { summary: 'One maintenance window', params: NameParam, response: { 200: Loose } } },
    async (request) => view(await store().requireWindow(request.params.name)),
  );

  app.put(
    '/api/v1/windows/:name',
    {
      config: { auth: 'person', permission: 'maintenance.write' },
      schema: {
        summary: 'Create or replace a maintenance window: { rrule, start, durationMinutes, cutoffMinutes?, offsetDays?, startDate?, timeZone?, groups?, description? } (docs/maintenance-windows.md)',
        params: NameParam,
        body: Loose,
        response: { 200: Loose },
      },
    },
    async (request) => {
      bodyName(request.body, request.params.name, 'window');
      const window = parseMaintenanceWindow({ ...request.body, name: request.params.name }, 'window');
      await deps.db.transaction().execute(async (trx) => {
        await requireGroups(trx, deps.clock, `window ${window.name}`, window.groups);
        const before = await store(trx).putWindow(window);
        await new AuditStore(tablesOf(trx), deps.clock).append({
          actor: personActor(request),
          action: before ? 'window.replace' : 'window.create',
          target: { kind: 'window', id: window.name },
          before: before ? auditDigest(view(before)) : null,
          after: auditDigest(view(window)),
          details: { rrule: window.rrule, start: window.start, offsetDays: window.offsetDays, durationMinutes: window.durationMinutes, cutoffMinutes: window.cutoffMinutes, timeZone: window.timeZone ?? null, groups: [...window.groups] },
        });
      });
      return view(window);
    },
  );

  app.delete(
    '/api/v1/windows/:name',
    { config: { auth: 'person', permission: 'maintenance.write' }, schema: { summary: 'Delete a maintenance window', params: NameParam, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        const gone = await store(trx).deleteWindow(request.params.name);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'window.delete', target: { kind: 'window', id: gone.name }, before: auditDigest(view(gone)) });
      });
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/windows/:name/openings',
    {
      config: { auth: 'person', permission: 'maintenance.read' },
      schema: {
        summary: `A window's openings from \`from\` (default now) to \`to\` (default ${DEFAULT_PREVIEW_DAYS} days later, at most ${NEXT_START_HORIZON_DAYS}), in its own time zone or, when it has none, in \`timeZone\` (a host's; default UTC); times carry that zone's offset`,
        params: NameParam,
        querystring: Type.Object({ from: Type.Optional(Instant), to: Type.Optional(Instant), timeZone: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ window: Type.String(), timeZone: Type.String(), from: Type.String(), to: Type.String(), openings: Type.Array(OpeningView) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const window = await store().requireWindow(request.params.name);
      const hostZone = q.timeZone === undefined ? null : canonicalTimeZone(q.timeZone, 'timeZone');
      const zone = windowTimeZone(window, hostZone);
      const from = q.from === undefined ? deps.clock() : parseInstant(q.from, zone, 'from');
      const to = q.to === undefined ? new Date(from.getTime() + DEFAULT_PREVIEW_DAYS * DAY_MS) : parseInstant(q.to, zone, 'to');
      if (to.getTime() <= from.getTime()) throw new PatchwiseError('PW_INPUT_INVALID', 'to: must come after from');
      if (to.getTime() - from.getTime() > NEXT_START_HORIZON_DAYS * DAY_MS) throw new PatchwiseError('PW_INPUT_INVALID', `to: at most ${NEXT_START_HORIZON_DAYS} days after from`);
      const local = (d: Date) => zonedIso(d, zone);
      return {
        window: window.name,
        timeZone: zone,
        from: local(from),
        to: local(to),
        openings: openingsBetween(window, hostZone, from, to).map((o) => ({ start: local(o.start), cutoff: local(o.cutoff), end: local(o.end) })),
      };
    },
  );

  app.get(
    '/api/v1/freezes',
    { config: { auth: 'person', permission: 'maintenance.read' }, schema: { summary: 'Every freeze, by name', response: { 200: Type.Object({ freezes: Type.Array(Loose) }) } } },
    async () => ({ freezes: (await store().freezes()).map(view) }),
  );

  app.get(
    '/api/v1/freezes/:name',
    { config: { auth: 'person', permission: 'maintenance.read' }, schema: { summary: 'One freeze', params: NameParam, response: { 200: Loose } } },
    async (request) => view(await store().requireFreeze(request.params.name)),
  );

  app.put(
    '/api/v1/freezes/:name',
    {
      config: { auth: 'person', permission: 'maintenance.write' },
      schema: {
        summary: 'Create or replace a freeze: { start, end (instants with offsets, or dates YYYY-MM-DD, both days included), timeZone? (dates only), groups?, reason }',
        params: NameParam,
        body: Loose,
        response: { 200: Loose },
      },
    },
    async (request) => {
      bodyName(request.body, request.params.name, 'freeze');
      const freeze = parseFreeze({ ...request.body, name: request.params.name }, 'freeze');
      await deps.db.transaction().execute(async (trx) => {
        await requireGroups(trx, deps.clock, `freeze ${freeze.name}`, freeze.groups);
        const before = await store(trx).putFreeze(freeze);
        await new AuditStore(tablesOf(trx), deps.clock).append({
          actor: personActor(request),
          action: before ? 'freeze.replace' : 'freeze.create',
          target: { kind: 'freeze', id: freeze.name },
          before: before ? auditDigest(view(before)) : null,
          after: auditDigest(view(freeze)),
          details: { start: freeze.start, end: freeze.end, timeZone: freeze.timeZone ?? null, groups: [...freeze.groups], reason: freeze.reason },
        });
      });
      return view(freeze);
    },
  );

  app.delete(
    '/api/v1/freezes/:name',
    { config: { auth: 'person', permission: 'maintenance.write' }, schema: { summary: 'Delete a freeze', params: NameParam, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        const gone = await store(trx).deleteFreeze(request.params.name);
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'freeze.delete', target: { kind: 'freeze', id: gone.name }, before: auditDigest(view(gone)) });
      });
      return reply.status(204).send(null);
    },
  );
}
