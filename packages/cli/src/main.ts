import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { isPatchwiseError } from '@patchwise/core/assessment';
import type { ApiClient } from './api-client.js';
import type { AgentRunOptions } from './commands/agent-run.js';
import type { EnrollTokenCreateOptions } from './commands/enroll-token.js';
import type { FindingsListOptions } from './commands/findings.js';
import type { HostListOptions } from './commands/hosts.js';
import type { ScanCommandOptions } from './commands/scan.js';
import type { ServerOptions } from './commands/server.js';

// Each command's module is imported when the command runs, not at start-up: the server, the
// agent and the API client bring the database layer, Fastify and their dependencies, which a
// `patchwise scan` would otherwise spend most of a second loading (issue 2).

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Builds the command tree. Each action sets `process.exitCode`; nothing calls process.exit(). */
export function buildProgram(): Command {
  const program = new Command('patchwise')
    .description('Patch management: inventory, exact vulnerability assessment, risk-ranked findings.')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError();

  program
    .command('scan')
    .description('Match host inventories against advisories and rank findings by risk')
    .argument('[inventory...]', 'inventory files or directories (CycloneDX, dpkg status, rpm -qa, apk db, Patchwise JSON)')
    .option('--advisories <path>', 'OSV advisories: file, directory, .zip or .tar.gz (repeatable)', collect, [])
    .option('--kev <file>', 'CISA Known Exploited Vulnerabilities JSON')
    .option('--epss <file>', 'FIRST EPSS scores CSV')
    .option('--nvd <path>', 'NVD CVE API 2.0 JSON (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv', 'sarif']).default('table'))
    .option('--fail-on <priority>', 'exit 1 when a finding is at or above this priority (P1..P4)')
    .option('--type <type>', 'only advisories of this type: security, bugfix, enhancement (repeatable)', collect, [])
    .option('--ecosystem <name>', 'ecosystem of dpkg/apk databases that do not name their distro, e.g. Debian:12')
    .option('--strict', 'treat any unreadable input as fatal (exit 2)', false)
    .action(async (inventories: string[], opts: ScanCommandOptions) => {
      const { scanCommand } = await import('./commands/scan.js');
      process.exitCode = await scanCommand(inventories, opts, { stdout: process.stdout, stderr: process.stderr, version: VERSION });
    });

  const version = program.command('version').description('Version semantics of each ecosystem');
  version
    .command('compare')
    .description('Read "A B" lines from stdin; print -1, 0 or 1 per line (or "error: …")')
    .requiredOption('--ecosystem <name>', 'OSV ecosystem, with or without release: Debian, Debian:12, AlmaLinux, PyPI, npm, …')
    .action(async (opts: { ecosystem: string }) => {
      const { versionCompare } = await import('./commands/version-compare.js');
      process.exitCode = await versionCompare(opts.ecosystem, process.stdin, process.stdout);
    });

  program
    .command('server')
    .description('Run the control plane: REST API under /api/v1, PGlite in --data (or PostgreSQL via DATABASE_URL)')
    .option('--data <dir>', 'data directory: embedded database, admin token', process.env.PATCHWISE_DATA ?? 'data')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8080')
    .option('--checkin-interval <duration>', 'how often agents check in (e.g. 60s, 5m)', '60s')
    .option('--stale-after <duration>', 'a host not seen for this long is stale', '7d')
    .option('--feeds <file>', 'feed sources to sync on a schedule: YAML/JSON list of { name, kind: osv|kev|epss|nvd, url, sha256Url?, interval }')
    .action(async (opts: ServerOptions) => {
      const { serverCommand } = await import('./commands/server.js');
      process.exitCode = await serverCommand(opts, { stderr: process.stderr });
    });

  const agent = program.command('agent').description('The Patchwise agent, run on each managed Linux host');
  agent
    .command('run')
    .description('Enroll (first run) and check in: facts, and the inventory when it changed')
    .option('--server <url>', 'server URL (needed to enroll)')
    .option('--enroll-token <token>', 'one-time enrollment secret (or PATCHWISE_ENROLL_TOKEN)')
    .option('--state <dir>', 'agent state: key pair and host id (default /var/lib/patchwise-agent as root)')
    .option('--root <dir>', 'inventory this mounted filesystem or chroot instead of /', '/')
    .option('--hostname <name>', 'host name to report instead of the collected one')
    .option('--attr <key=value>', 'host attribute from the agent config, e.g. tier=1 (repeatable)', collect, [])
    .option('--once', 'check in once and exit: 0 ok, 1 failed, 3 quarantined')
    .action(async (opts: AgentRunOptions) => {
      const { agentRunCommand } = await import('./commands/agent-run.js');
      process.exitCode = await agentRunCommand(opts, { stderr: process.stderr, version: VERSION });
    });

  const api = async (opts: { data?: string }): Promise<ApiClient> => {
    const { ApiClient, resolveApiTarget } = await import('./api-client.js');
    return new ApiClient(resolveApiTarget(process.env, opts.data));
  };
  const io = { stdout: process.stdout, stderr: process.stderr };
  const dataOption = () => new Option('--data <dir>', "a local server's data directory, to find its URL and admin token");

  const enrollToken = program.command('enroll-token').description('Enrollment secrets for agents');
  enrollToken
    .command('create')
    .description('Create an enrollment secret (printed once)')
    .option('--expires <duration>', 'lifetime, e.g. 1h, 24h, 30d', '24h')
    .option('--uses <n>', 'how many agents may use it (default unlimited)')
    .option('--attr <key=value>', 'attribute every host enrolled with it gets, e.g. tier=1 (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: EnrollTokenCreateOptions & { data?: string }) => {
      const { enrollTokenCreate } = await import('./commands/enroll-token.js');
      process.exitCode = await enrollTokenCreate(await api(opts), opts, io);
    });

  const hosts = program.command('hosts').description('Managed hosts');
  hosts
    .command('list')
    .description('List hosts')
    .option('--os <id[-version]>', 'e.g. debian, debian-12, almalinux-9')
    .option('--tier <n>', 'criticality tier 0-3')
    .option('--environment <name>')
    .option('--tag <tag>')
    .option('--stale', 'only hosts not seen for the stale period')
    .option('--offline', 'only hosts that missed three check-ins')
    .option('--quarantined', 'only quarantined hosts')
    .option('--eol', 'only hosts whose release is past every free support phase')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: HostListOptions & { data?: string }) => {
      const { hostsList } = await import('./commands/hosts.js');
      process.exitCode = await hostsList(await api(opts), opts, io);
    });
  hosts
    .command('show')
    .argument('<host>', 'host id or name')
    .addOption(dataOption())
    .action(async (host: string, opts: { data?: string }) => {
      const { hostsShow } = await import('./commands/hosts.js');
      process.exitCode = await hostsShow(await api(opts), host, io);
    });
  hosts
    .command('set')
    .argument('<host>', 'host id or name')
    .option('--attr <key=value>', 'tier, owner, environment, internetFacing, cluster, timezone, tags (comma list); empty value clears (repeatable)', collect, [])
    .option('--quarantine', 'quarantine the host (its agent is refused)')
    .option('--release', 'release the host from quarantine')
    .option('--reason <text>', 'why (with --quarantine)')
    .addOption(dataOption())
    .action(async (host: string, opts: { attr: string[]; quarantine?: boolean; release?: boolean; reason?: string; data?: string }) => {
      const { hostsSet } = await import('./commands/hosts.js');
      process.exitCode = await hostsSet(await api(opts), host, opts, io);
    });

  const findings = program.command('findings').description('Stored findings');
  findings
    .command('list')
    .description('List findings, most urgent first')
    .option('--host <host>', 'host id or name')
    .option('--priority <P1..P4>', 'repeatable', collect, [])
    .option('--kev', 'only known exploited')
    .option('--type <type>', 'security, bugfix, enhancement (repeatable)', collect, [])
    .addOption(new Option('--state <state>').choices(['open', 'fixed']).default('open'))
    .option('--package <name>')
    .option('--advisory <id>', 'advisory id or CVE')
    .addOption(new Option('--sort <key>').choices(['priority', 'first_seen', 'package', 'advisory']).default('priority'))
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: FindingsListOptions & { data?: string }) => {
      const { findingsList } = await import('./commands/findings.js');
      process.exitCode = await findingsList(await api(opts), opts, io);
    });

  const feeds = program.command('feeds').description('Advisory and enrichment feeds');
  feeds
    .command('import')
    .description('Import feed files: OSV (.json/.yaml/.zip/.tar.gz), CISA KEV JSON, EPSS CSV, NVD pages')
    .argument('<path...>', 'files or directories')
    .option('--source <name>', 'name of the origin, shown by feeds status', 'import')
    .addOption(dataOption())
    .action(async (paths: string[], opts: { source?: string; data?: string }) => {
      const { feedsImport } = await import('./commands/feeds.js');
      process.exitCode = await feedsImport(await api(opts), paths, opts, io);
    });
  feeds
    .command('status')
    .description("Each feed's age, record count and last error")
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { feedsStatus } = await import('./commands/feeds.js');
      process.exitCode = await feedsStatus(await api(opts), opts, io);
    });

  const cmdb = program.command('cmdb').description('Reconcile the CMDB with the hosts Patchwise sees');
  cmdb
    .command('import')
    .description('Import the expected assets: CSV (header row: hostname, machine_id, serial, ip, tier, owner, environment, os) or JSON')
    .argument('<file>')
    .addOption(dataOption())
    .action(async (file: string, opts: { data?: string }) => {
      const { cmdbImport } = await import('./commands/cmdb.js');
      process.exitCode = await cmdbImport(await api(opts), file, io);
    });
  cmdb
    .command('reconcile')
    .description('List missing, unknown, mismatched and ambiguous assets (exit 1 when any)')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { cmdbReconcile } = await import('./commands/cmdb.js');
      process.exitCode = await cmdbReconcile(await api(opts), opts, io);
    });

  return program;
}

/** Runs the CLI; usage and input errors print one line (no stack) and exit 2. */
export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and --version end "with an error" in commander's exitOverride mode; they succeeded.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isPatchwiseError(err)) {
      process.stderr.write(`patchwise: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}
