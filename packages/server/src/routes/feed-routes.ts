import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Type } from '@fastify/type-provider-typebox';
import { FeedStore, PatchwiseError, makeDirectoriesAsync } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { defaulted } from '../defaulted.js';
import { tablesOf } from '../database.js';
import type { FeedSyncer } from '../feed-syncer.js';
import { personActor } from '../caller-actor.js';
import { FindingChangesView } from '../views.js';
import { uploadedFile } from './uploaded-file.js';

declare module '../app-types.js' {
  interface AppDeps {
    /** Syncs the configured feed sources; absent in apps built without one (POST /feeds/sync answers 409). */
    readonly feedSyncer?: FeedSyncer;
  }
}

const FeedStatusView = Type.Object({
  name: Type.String(),
  kind: Type.String(),
  origin: Type.Union([Type.Literal('configured'), Type.Literal('no-longer-configured'), Type.Literal('import')], {
    description:
      "configured: a source of this server's --feeds file, synced on its interval; no-longer-configured: a source an earlier --feeds file named, no longer synced, its records still held and matched; import: files given to feeds import",
  }),
  url: Type.Union([Type.String(), Type.Null()]),
  records: Type.Integer(),
  lastSuccessAt: Type.Union([Type.String(), Type.Null()]),
  lastAttemptAt: Type.Union([Type.String(), Type.Null()]),
  ageSeconds: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

const DocumentEdition = Type.Object({ version: Type.String(), entries: Type.Integer() });

const DocumentKeptOutView = Type.Object({
  kind: Type.String(),
  source: Type.String({ description: 'the file it came from' }),
  reason: Type.Union([Type.Literal('older'), Type.Literal('same-edition')]),
  incoming: DocumentEdition,
  held: DocumentEdition,
  message: Type.String(),
});

const FeedSyncView = Type.Object({
  name: Type.String(),
  outcome: Type.Union([Type.Literal('imported'), Type.Literal('not-modified'), Type.Literal('skipped'), Type.Literal('failed')]),
  records: Type.Optional(Type.Integer()),
  hostsReassessed: Type.Optional(Type.Integer()),
  error: Type.Optional(Type.String()),
  dueAt: Type.Optional(Type.String()),
});

const NO_SOURCES =
  'no feed sources are configured: start the server with --feeds FILE, a YAML or JSON list of ' +
  '{ name, kind: osv|kev|epss|nvd, url, sha256Url?, interval? } (docs/feeds.md); without one, feeds come only from `patchwise feeds import`';

/** Feed import (air-gapped sites upload files), sync of the configured sources, and status. */
export function feedRoutes(app: App, deps: AppDeps): void {
  app.post(
    '/api/v1/feeds/import',
    {
      config: { auth: 'person', permission: 'feeds.write' },
      schema: {
        summary: 'Import one feed file: OSV records (.json, .yaml, .zip, .tar.gz), the CISA KEV JSON, an EPSS CSV or an NVD page',
        consumes: ['application/octet-stream'],
        querystring: Type.Object(
          {
            filename: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z0-9._-]+$', description: 'the file name; its extension tells archives apart' }),
            source: defaulted(Type.String({ minLength: 1, maxLength: 100, default: 'import' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            records: Type.Object({
              inserted: Type.Integer(),
              updated: Type.Integer(),
              unchanged: Type.Integer(),
              older: Type.Integer({ description: 'records kept as held: the imported copy has an older "modified"' }),
            }),
            documents: Type.Array(Type.String()),
            keptOut: Type.Array(DocumentKeptOutView, { description: 'enrichment documents not stored: older than the held edition, or the same edition with other content; the held one stays' }),
            nvd: Type.Object(
              {
                stored: Type.Integer({ description: 'CVEs whose held record is now this file\'s' }),
                unchanged: Type.Integer(),
                older: Type.Integer({ description: 'CVEs whose held record NVD modified later than this file\'s; the held one stays' }),
              },
              { description: 'the NVD CVE records of the file, held one per CVE (the copy NVD modified last)' },
            ),
            hostsReassessed: Type.Integer(),
            documentEntries: Type.Integer({ description: 'entries of the enrichment documents now held as this file gave them (stored or already held), NVD records included; kept-out documents and older NVD records count none' }),
            findings: FindingChangesView,
            problems: Type.Array(Type.String()),
            warnings: Type.Integer(),
          }),
        },
      },
    },
    async (request) => {
      // A configured source's records are its syncs': an import under its name would be replaced,
      // or forgotten, by them, and could not be forgotten apart from them.
      if (deps.feedSyncer?.configuredNames.has(request.query.source)) {
        throw new PatchwiseError('PW_CONFLICT', `source: ${request.query.source} is a feed source of the server's --feeds file, which the server syncs; import under another name`);
      }
      const body = uploadedFile(request.body, request.headers, request.query.filename);
      // Staged under a random directory: the client's file name only picks the reader by extension.
      const dir = join(deps.uploadDir, randomUUID());
      await makeDirectoriesAsync(dir, 0o700);
      const path = join(dir, request.query.filename);
      // Errors name the file as the client called it, never the staging path on the server.
      const shown = (text: string) => text.split(`${dir}/`).join('');
      try {
        await writeFile(path, body, { mode: 0o600 });
        const reply = await deps.controlPlane.importFeeds([path], request.query.source, personActor(request));
        return {
          ...reply,
          keptOut: reply.keptOut.map((k) => ({ ...k, source: shown(k.source), message: shown(k.message) })),
          problems: reply.problems.map(shown),
        };
      } catch (err) {
        if (!(err instanceof PatchwiseError) || err.input === undefined) throw err;
        const reason = err.message.startsWith(`${err.input}: `) ? err.message.slice(err.input.length + 2) : err.message;
        throw new PatchwiseError(err.code, shown(reason), { input: shown(err.input), cause: err });
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  app.post(
    '/api/v1/feeds/sync',
    {
      config: { auth: 'person', permission: 'feeds.write' },
      schema: {
        summary: 'Sync the configured feed sources that are due now (all of them with force=true); answers with what happened to each; 409 when the server was started without sources (--feeds FILE)',
        querystring: Type.Object({ force: defaulted(Type.Boolean({ default: false })) }, { additionalProperties: false }),
        response: { 200: Type.Object({ sources: Type.Array(FeedSyncView) }) },
      },
    },
    async (request) => {
      // An empty answer would read as "all synced": a server started without --feeds syncs nothing,
      // and a script calling sync on it should hear that it is misconfigured.
      if (!deps.feedSyncer || deps.feedSyncer.sourceCount === 0) throw new PatchwiseError('PW_CONFLICT', NO_SOURCES);
      const results = await deps.feedSyncer.tick({ force: request.query.force });
      return { sources: results.map(({ dueAt, ...r }) => ({ ...r, ...(dueAt ? { dueAt: dueAt.toISOString() } : {}) })) };
    },
  );

  app.delete(
    '/api/v1/feeds/:source',
    {
      config: { auth: 'person', permission: 'feeds.write' },
      schema: {
        summary:
          "Forget a feed source: remove the advisory records, NVD records and enrichment documents it stored, and its sync state, then re-assess the hosts they reached (their findings are retracted); 409 for a source of the server's --feeds file, 404 when nothing is held under the name (the message lists the names that can be forgotten)",
        params: Type.Object({ source: Type.String({ minLength: 1, maxLength: 100, description: 'a name GET /api/v1/feeds shows (a --feeds entry no longer configured; an import source, "import" unless feeds import was given --source; kev, epss or nvd for imported enrichment, whatever its source), or the source name an import was given' }) }),
        response: {
          200: Type.Object({
            advisories: Type.Integer({ description: 'advisory records removed' }),
            nvd: Type.Integer({ description: 'NVD CVE records removed' }),
            documents: Type.Array(Type.String(), { description: 'enrichment documents removed (kev, epss)' }),
            hostsReassessed: Type.Integer(),
            findings: FindingChangesView,
          }),
        },
      },
    },
    async (request) => deps.controlPlane.forgetFeedSource(request.params.source, personActor(request), deps.feedSyncer?.configuredNames ?? new Set()),
  );

  app.get(
    '/api/v1/feeds',
    {
      config: { auth: 'person', permission: 'feeds.read' },
      schema: {
        summary: 'Each feed: whether it is configured, age, record count, last error; and the ecosystems of active hosts that no advisory held covers',
        response: {
          200: Type.Object({
            feeds: Type.Array(FeedStatusView),
            uncovered: Type.Array(Type.Object({ ecosystem: Type.String(), hosts: Type.Integer() }), {
              description: 'ecosystems of active hosts for which no advisory is held (as matching applies them): those hosts show no findings because nothing is known',
            }),
          }),
        },
      },
    },
    async () => {
      const now = deps.clock().getTime();
      // This process's own --feeds file decides: it is the one syncing (several processes on one
      // PostgreSQL are started with the same file).
      const status = await new FeedStore(tablesOf(deps.db), deps.clock).status(deps.feedSyncer?.configuredNames);
      return {
        feeds: status.map((s) => ({
          ...s,
          lastSuccessAt: s.lastSuccessAt?.toISOString() ?? null,
          lastAttemptAt: s.lastAttemptAt?.toISOString() ?? null,
          ageSeconds: s.lastSuccessAt ? Math.round((now - s.lastSuccessAt.getTime()) / 1000) : null,
        })),
        uncovered: await deps.controlPlane.uncoveredEcosystems(),
      };
    },
  );
}
