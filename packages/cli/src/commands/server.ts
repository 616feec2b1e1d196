import { loadFeedSources, loadSlaPolicy, parseServerConfig, startServer } from '@patchwise/server';

export interface ServerOptions {
  readonly data?: string;
  readonly listen?: string;
  readonly checkinInterval?: string;
  readonly staleAfter?: string;
  readonly feeds?: string;
  readonly sla?: string;
}

/** Runs the server until SIGINT or SIGTERM, then closes the HTTP listener and the database. */
export async function serverCommand(opts: ServerOptions, io: { stderr: NodeJS.WritableStream }): Promise<number> {
  const { feeds, sla, ...settings } = opts;
  const config = parseServerConfig({ ...settings, env: process.env });
  const feedSources = feeds ? await loadFeedSources(feeds) : [];
  const slaPolicy = sla ? await loadSlaPolicy(sla) : undefined;
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const server = await startServer(config, { log, logger: process.env.PATCHWISE_LOG === 'debug', feedSources, ...(slaPolicy ? { slaPolicy } : {}) });
  log(`patchwise server listening on ${server.url} (${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`})`);
  log(`admin API token ${server.adminTokenCreated ? 'created' : 'kept'} in ${server.adminTokenPath} (mode 0600)`);
  log(`enroll this machine: patchwise enroll-token create, then sudo patchwise agent run --server ${server.url} --enroll-token <token>`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('shutting down');
  await server.close();
  return 0;
}
