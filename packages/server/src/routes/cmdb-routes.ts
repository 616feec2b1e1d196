import { Type } from '@fastify/type-provider-typebox';
import { AuditStore, CmdbStore, HostStore, auditDigest, decodeCmdbText, importWarnings, PatchwiseError, parseCmdbAssets, reconcile, type CmdbHost, type HostRecord } from '@patchwise/core';
import { MAX_CMDB_ASSETS, MAX_CMDB_UPLOAD, type App, type AppDeps } from '../app-types.js';
import { tablesOf } from '../database.js';
import { personActor } from '../caller-actor.js';
import { prettyNameOf } from '../pretty-name-of.js';
import { uploadedFile } from './uploaded-file.js';

const Loose = Type.Record(Type.String(), Type.Unknown());
const MatchKey = Type.Union([Type.Literal('machine_id'), Type.Literal('serial'), Type.Literal('hostname'), Type.Literal('ip')]);
const HostRef = Type.Object({ id: Type.String(), hostname: Type.String(), lastSeenAt: Type.Union([Type.String(), Type.Null()]) });

/** Bad rows named in a refused import's message; enough to fix a file's pattern, not a flood. */
export const MAX_LISTED_PROBLEMS = 50;

/** CMDB reconciliation: import the expected assets, then compare them with the hosts seen. */
export function cmdbRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/api/v1/cmdb/import',
    {
      config: { auth: 'person', permission: 'cmdb.write' },
      bodyLimit: MAX_CMDB_UPLOAD,
      schema: {
        summary: 'Import the expected assets (CSV with a header row, or JSON); replaces the previous list',
        consumes: ['application/octet-stream'],
        querystring: Type.Object(
          {
            filename: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._-]+$' }),
            allowEmpty: Type.Optional(Type.Boolean({ description: 'accept a file with no assets, which empties the expected list' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            assets: Type.Integer(),
            problems: Type.Array(Type.String()),
            notExpected: Type.Integer({ description: 'rows left out because their status says the machine is not in service (retired, planned, offline…)' }),
            warnings: Type.Array(Type.String(), { description: 'columns not read, and the statuses of the rows left out; the import still happened' }),
          }),
        },
      },
    },
    async (request) => {
      const body = uploadedFile(request.body, request.headers, request.query.filename);
      const source = request.query.filename;
      const parsed = parseCmdbAssets(decodeCmdbText(body, source), source);
      const { assets, problems } = parsed;
      if (assets.length > MAX_CMDB_ASSETS) {
        throw new PatchwiseError('PW_INPUT_TOO_LARGE', `${assets.length} assets, more than the ${MAX_CMDB_ASSETS} one import takes; nothing imported and the stored CMDB kept`, { input: source });
      }
      // A file with bad rows is refused whole: a half-imported CMDB would report false "missing"
      // hosts. Every bad row is named (up to a cap), one per line, so one round fixes the file.
      if (problems.length > 0) {
        const listed = problems.slice(0, MAX_LISTED_PROBLEMS).map((p) => `  ${p.message}`);
        if (problems.length > MAX_LISTED_PROBLEMS) listed.push(`  … and ${problems.length - MAX_LISTED_PROBLEMS} more`);
        throw new PatchwiseError('PW_INPUT_INVALID', `${problems.length} bad row(s), nothing imported:\n${listed.join('\n')}`, { input: source });
      }
      // An export that reads as no assets is far more often a wrong format than an empty CMDB;
      // replacing the list with nothing would make every host "unknown". Emptying it is explicit.
      if (assets.length === 0 && request.query.allowEmpty !== true) {
        const leftOut = parsed.notExpected.length > 0 ? ` (${parsed.notExpected.length} row(s) left out as not in service by their status)` : '';
        throw new PatchwiseError('PW_INPUT_INVALID', `no assets in the file${leftOut}, nothing imported and the stored CMDB kept; to empty the CMDB on purpose, import with allowEmpty=true (patchwise cmdb import --allow-empty)`, { input: source });
      }
      await deps.db.transaction().execute(async (trx) => {
        await new CmdbStore(tablesOf(trx), deps.clock).saveImport(request.query.filename, assets);
        const target = { kind: 'cmdb', id: request.query.filename };
        await new AuditStore(tablesOf(trx), deps.clock).append({ actor: personActor(request), action: 'cmdb.import', target, after: auditDigest(assets), details: { assets: assets.length, notExpected: parsed.notExpected.length } });
      });
      return { assets: assets.length, problems: [], notExpected: parsed.notExpected.length, warnings: importWarnings(parsed) };
    },
  );

  app.get(
    '/api/v1/cmdb/reconcile',
    {
      config: { auth: 'person', permission: 'cmdb.read' },
      schema: {
        summary: 'Missing (expected, never or no longer seen), unknown (seen, not expected), mismatched attributes, duplicate records of one host, ambiguous claims',
        response: {
          200: Type.Object({
            importedAt: Type.Union([Type.String(), Type.Null()]),
            matched: Type.Array(Loose),
            missing: Type.Array(Loose),
            unknown: Type.Array(Loose),
            ambiguous: Type.Array(Loose),
            duplicate: Type.Array(
              Type.Object({
                asset: Loose,
                of: Loose,
                host: HostRef,
                by: MatchKey,
                ofBy: MatchKey,
                mismatches: Type.Array(Type.Object({ field: Type.String(), expected: Type.String(), actual: Type.Union([Type.String(), Type.Null()]) })),
                reason: Type.String(),
              }),
              { description: 'records that pair with no host of their own because their identifiers name a host another record (`of`) already pairs with; not counted as missing' },
            ),
          }),
        },
      },
    },
    async () => {
      const latest = await new CmdbStore(tablesOf(deps.db), deps.clock).latest();
      if (!latest) throw new PatchwiseError('PW_NOT_FOUND', 'no CMDB import yet: run patchwise cmdb import FILE first');
      const hosts = (await new HostStore(tablesOf(deps.db), deps.clock).list()).map(cmdbHostOf);
      const result = reconcile(latest.assets, hosts, { now: deps.clock(), staleAfterMs: deps.policy.staleAfterMs });
      const host = (h: CmdbHost) => ({ id: h.id, hostname: h.hostname, lastSeenAt: h.lastSeenAt?.toISOString() ?? null });
      return {
        importedAt: latest.importedAt.toISOString(),
        matched: result.matched.map((m) => ({ asset: m.asset, host: host(m.host), by: m.by, mismatches: m.mismatches })),
        missing: result.missing.map((m) => ({ asset: m.asset, reason: m.reason, host: m.host ? host(m.host) : null })),
        unknown: result.unknown.map((u) => ({ host: host(u.host) })),
        ambiguous: result.ambiguous.map((a) => ({ by: a.by, reason: a.reason, assets: a.assets, hosts: a.hosts.map(host) })),
        duplicate: result.duplicate.map((d) => ({ asset: { ...d.asset }, of: { ...d.of }, host: host(d.host), by: d.by, ofBy: d.ofBy, mismatches: [...d.mismatches], reason: d.reason })),
      };
    },
  );
}

function cmdbHostOf(h: HostRecord): CmdbHost {
  const ips = Array.isArray(h.facts.ips) ? h.facts.ips.filter((ip): ip is string => typeof ip === 'string') : [];
  return {
    id: h.id,
    hostname: h.name,
    machineId: h.machineId ?? undefined,
    serial: typeof h.facts.serial === 'string' ? h.facts.serial : undefined,
    ips,
    lastSeenAt: h.lastSeenAt,
    attributes: { tier: h.attributes.tier ?? undefined, owner: h.attributes.owner ?? undefined, environment: h.attributes.environment ?? undefined },
    os: h.os ? { id: h.os.id, versionId: h.os.versionId ?? '', name: prettyNameOf(h) } : undefined,
  };
}
