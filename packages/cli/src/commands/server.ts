import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { loadFeedSources, loadSlaPolicy, parseServerConfig, startServer } from '@patchwise/server';

export interface ServerOptions {
  readonly data?: string;
  readonly listen?: string;
  readonly checkinInterval?: string;
  readonly staleAfter?: string;
  readonly enrollLimit?: string;
  readonly authFailureLimit?: string;
  readonly feeds?: string;
  readonly sla?: string;
}

/**
 * How far V8 lets the JavaScript heap grow past what survived the last full collection before
 * it collects again. V8's own factor goes up to 4× on a machine with memory to spare: under
 * uploads of 1,000-package inventories, short-lived request garbage outlives the young
 * generation and piles up in the old one, and a live heap of ~350 MB reached ~1 GB (most of the
 * server's peak resident memory) before the next collection. Full collections come more often
 * the lower this is: at 30 % they cost uploads ~10 % more server CPU, at 50 % about what
 * sharing package objects by position saves, at 100 % less, with the peak growing each step
 * (docs/benchmarks.md). V8 reads the flag at each collection, so setting it once the process
 * runs takes effect (`--trace-gc-verbose` shows the limit factor go from 4.0 to 1.5).
 */
const HEAP_GROWING_PERCENT = 50;

/** Runs the server until SIGINT or SIGTERM, then closes the HTTP listener and the database. */
export async function serverCommand(opts: ServerOptions, io: { stderr: NodeJS.WritableStream }): Promise<number> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const { feeds, sla, ...settings } = opts;
  const config = parseServerConfig({ ...settings, env: process.env });
  const feedSources = feeds ? await loadFeedSources(feeds) : [];
  const slaPolicy = sla ? await loadSlaPolicy(sla) : undefined;
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const server = await startServer(config, { log, logger: process.env.PATCHWISE_LOG === 'debug', feedSources, ...(slaPolicy ? { slaPolicy } : {}) });
  log(`patchwise server listening on ${server.url} (${config.databaseUrl ? 'PostgreSQL' : `PGlite in ${config.dataDir}`})`);
  log(`admin API token ${server.adminTokenCreated ? 'created' : 'kept'} in ${server.adminTokenPath} (mode 0600)`);
  for (const line of enrollmentHint(server.url, config.dataDir)) log(line);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log('shutting down');
  await server.close();
  return 0;
}

/** A path as a POSIX shell word: as it is when safe, else single-quoted. */
const shellWord = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`);

/** The repository this CLI runs from, where `npx patchwise` finds it (node_modules/.bin). */
const REPOSITORY = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');

/**
 * How to enroll the machine the server runs on, as commands that run as printed from the
 * repository root (`npx patchwise`: after `npm ci` nothing is on the PATH), with `--data` when the
 * admin token is not in the repository's ./data. The agent runs as root: it reads files only root
 * may read and installs packages; how a person becomes root (sudo, su, a root shell) is theirs.
 */
export function enrollmentHint(url: string, dataDir: string, repository: string = REPOSITORY): string[] {
  const dir = resolve(dataDir);
  const data = dir === resolve(repository, 'data') ? '' : ` --data ${shellWord(dir)}`;
  return [
    `enroll this machine, from ${shellWord(repository)}: npx patchwise enroll-token create${data}`,
    `  then as root (the agent reads files only root can read, and installs packages): npx patchwise agent run --server ${url} --enroll-token <token>`,
  ];
}
