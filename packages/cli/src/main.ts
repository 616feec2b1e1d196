import { Command, Option } from 'commander';
import { registerDeployCommands } from './deploy-program.js';
import { ADVISORY_TYPES, PRIORITIES } from '@patchwise/core/assessment';
import { choiceOption, collect, integerOption } from './option-values.js';
import type { ApiClient } from './api-client.js';
import type { AgentlessAddOptions } from './commands/agentless.js';
import type { EnrollTokenCreateOptions } from './commands/enroll-token.js';
import type { FindingsListOptions } from './commands/findings.js';
import type { HostListOptions } from './commands/hosts.js';
import type { ScanCommandOptions } from './commands/scan.js';
import type { ServerOptions } from './commands/server.js';
import type { SimulateOptions } from './commands/simulate.js';
import type { ExceptionRequestOptions } from './commands/exceptions.js';
import type { ChangeRequestOptions } from './commands/changes.js';
import type { GroupSetOptions } from './commands/groups.js';
import type { PatchSetCreateOptions } from './commands/patch-sets.js';
import type { TokenCreateOptions } from './commands/tokens.js';
import type { ScopeOptions } from './commands/users.js';
import { addMaintenanceCommands } from './maintenance-commands.js';
import { addAgentRunCommand } from './agent-commands.js';
import { runProgram } from './run-program.js';
import { CLI_VERSION as VERSION } from './cli-version.js';

// Each command's module is imported when the command runs, not at start-up: the server, the
// agent and the API client bring the database layer, Fastify and their dependencies, which a
// `patchwise scan` would otherwise spend most of a second loading (issue 2).

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
    .argument('[inventory...]', 'inventory files or directories (CycloneDX JSON, SPDX 2.2/2.3 JSON, dpkg status, rpm -qa, apk db, Patchwise JSON)')
    .option('--advisories <path>', 'OSV advisories: file, directory, .zip or .tar.gz (repeatable)', collect, [])
    .option('--kev <file>', 'CISA Known Exploited Vulnerabilities JSON')
    .option('--epss <file>', 'FIRST EPSS scores CSV')
    .option('--nvd <path>', 'NVD CVE API 2.0 JSON (repeatable)', collect, [])
    .addOption(choiceOption('--format <format>', 'output format', ['table', 'json', 'csv', 'sarif']).default('table'))
    .addOption(choiceOption('--fail-on <priority>', 'exit 1 when a finding is at or above this priority', PRIORITIES, { anyCase: true }))
    .addOption(choiceOption('--type <type>', 'only advisories of this type (repeatable)', ADVISORY_TYPES, { repeatable: true, anyCase: true }))
    .option('--ecosystem <name>', 'OSV ecosystem of the distribution packages in dpkg status files, rpm -qa output and apk installed databases (which never name their release), and of CycloneDX or SPDX packages whose purl names no distro, e.g. Debian:12, AlmaLinux:9, Alpine:v3.20')
    .option('--os-release <file>', "instead of --ecosystem: the host's /etc/os-release, naming its release (--ecosystem wins when both are given)")
    .option('--strict', 'treat any unreadable input as fatal (exit 2)', false)
    .addOption(integerOption('--jobs <n>', 'threads that read and parse inventories beside the main one (0: none; default: by input size and cores)', { min: 0, max: 64 }))
    .action(async (inventories: string[], opts: ScanCommandOptions) => {
      const { scanCommand } = await import('./commands/scan.js');
      process.exitCode = await scanCommand(inventories, opts, { stdout: process.stdout, stderr: process.stderr, version: VERSION });
    });

  const version = program
    .command('version')
    .description("Print Patchwise's version (as --version does); version compare: version semantics of each ecosystem")
    .action(() => {
      process.stdout.write(`${VERSION}\n`);
    });
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
    .option('--enroll-limit <n>', 'enrollment attempts one client address may make per minute (a fleet behind one NAT shares one address)', '120')
    .option('--auth-failure-limit <n>', 'failed authentications (a refused API token or session) one client address may have per minute before it is answered 429', '30')
    .option('--feeds <file>', 'feed sources to sync on a schedule: YAML/JSON list of { name, kind: osv|kev|epss|nvd, url, sha256Url?, interval?, apiKeyEnv? } (docs/feeds.md)')
    .option('--sla <file>', 'SLA policy, YAML/JSON: { days: { P1: { 0: 7, default: 14 }, … }, warnFraction, clock, restartOnExceptionExpiry, emergency } (docs/sla.md)')
    .action(async (opts: ServerOptions) => {
      const { serverCommand } = await import('./commands/server.js');
      process.exitCode = await serverCommand(opts, { stderr: process.stderr });
    });

  const agent = program.command('agent').description('The Patchwise agent, run on each managed Linux host');
  addAgentRunCommand(agent, VERSION);

  const api = async (opts: { data?: string }): Promise<ApiClient> => {
    const { ApiClient, resolveApiTarget } = await import('./api-client.js');
    return new ApiClient(resolveApiTarget(process.env, opts.data));
  };
  const io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
  const dataOption = () => new Option('--data <dir>', "a local server's data directory, to find its URL and admin token");

  const enrollToken = program.command('enroll-token').description('Enrollment secrets for agents');
  enrollToken
    .command('create')
    .description('Create an enrollment secret (printed once)')
    .option('--expires <duration>', 'lifetime, e.g. 1h, 24h, 30d', '24h')
    .addOption(integerOption('--uses <n>', 'how many agents may use it (default unlimited)', { min: 1 }))
    .option('--attr <key=value>', 'attribute every host enrolled with it gets, e.g. tier=1 (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: EnrollTokenCreateOptions & { data?: string }) => {
      const { enrollTokenCreate } = await import('./commands/enroll-token.js');
      process.exitCode = await enrollTokenCreate(await api(opts), opts, io);
    });
  enrollToken
    .command('list')
    .description('Every enrollment token: id, created, expires, uses left, attributes, state (usable, revoked, expired, used-up); never the secret')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { enrollTokenList } = await import('./commands/enroll-token.js');
      process.exitCode = await enrollTokenList(await api(opts), opts, io);
    });
  enrollToken
    .command('revoke')
    .description('Revoke an enrollment token: no agent enrolls with it any more (hosts enrolled with it stay)')
    .argument('<id>', 'the token id, as enroll-token list shows it')
    .addOption(dataOption())
    .action(async (id: string, opts: { data?: string }) => {
      const { enrollTokenRevoke } = await import('./commands/enroll-token.js');
      process.exitCode = await enrollTokenRevoke(await api(opts), id, io);
    });

  const hosts = program.command('hosts').description('Managed hosts');
  hosts
    .command('list')
    .description('List hosts')
    .option('--os <id[-version]>', 'e.g. debian, debian-12, "ubuntu 22.04", opensuse-leap-15.5')
    .addOption(integerOption('--tier <n>', 'criticality tier 0-3', { min: 0, max: 3 }))
    .option('--environment <name>')
    .option('--tag <tag>')
    .option('--stale', 'only hosts not seen for the stale period')
    .option('--offline', 'only hosts that missed three check-ins')
    .option('--quarantined', 'only quarantined hosts')
    .option('--retired', 'only retired hosts (left out otherwise)')
    .option('--eol', 'only hosts whose release is past every free support phase')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: HostListOptions & { data?: string }) => {
      const { hostsList } = await import('./commands/hosts.js');
      process.exitCode = await hostsList(await api(opts), opts, io);
    });
  hosts
    .command('show')
    .description('One host: OS, state, last check-in, inventory, support, open findings by priority, attributes')
    .argument('<host>', 'host id or name')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (host: string, opts: { json?: boolean; data?: string }) => {
      const { hostsShow } = await import('./commands/hosts.js');
      process.exitCode = await hostsShow(await api(opts), host, opts, io);
    });
  hosts
    .command('set')
    .description("Set a host's attributes, or quarantine or release it")
    .argument('<host>', 'host id or name')
    .option('--attr <key=value>', 'tier, owner, environment, internetFacing (or exposure=internet|internal), cluster, timezone, tags (comma list); empty value clears (repeatable)', collect, [])
    .option('--quarantine', 'quarantine the host (its agent is refused)')
    .option('--release', 'release the host from quarantine')
    .option('--reason <text>', 'why (with --quarantine or --release)')
    .option('--json', 'print the host as the API returns it')
    .addOption(dataOption())
    .action(async (host: string, opts: { attr: string[]; quarantine?: boolean; release?: boolean; reason?: string; json?: boolean; data?: string }) => {
      const { hostsSet } = await import('./commands/hosts.js');
      process.exitCode = await hostsSet(await api(opts), host, opts, io);
    });

  hosts
    .command('retire')
    .description('Take hosts out of the fleet for good: their agents are refused, lists, findings, reports and selections leave them out; they and their history stay')
    .argument('[hosts...]', 'host ids or names')
    .option('--reason <text>', 'why (kept on the host and in the audit trail)')
    .option('--name-prefix <prefix>', 'every host whose name starts with this, e.g. sim- for simulated hosts (lists them; add --yes to retire)')
    .option('--yes', 'with --name-prefix: retire the hosts listed')
    .addOption(dataOption())
    .action(async (hostArgs: string[], opts: { reason?: string; namePrefix?: string; yes?: boolean; data?: string }) => {
      const { hostsRetire } = await import('./commands/hosts.js');
      process.exitCode = await hostsRetire(await api(opts), hostArgs, opts, io);
    });

  const agentless = program.command('agentless').description('Hosts reached over SSH instead of an agent (docs/agentless.md)');
  agentless
    .command('add')
    .description('Register a host reached over SSH; prints its id')
    .argument('<name>', 'host name, as hosts list shows it')
    .requiredOption('--address <host>', 'DNS name or IP address')
    .option('--port <n>', 'SSH port (default 22)')
    .requiredOption('--user <name>', 'the account commands run as')
    .requiredOption('--host-key <SHA256:…>', 'the pinned host key fingerprint, as ssh-keygen -lf prints it on the host')
    .option('--attr <key=value>', 'tier, owner, environment, internetFacing (or exposure=internet|internal), cluster, timezone, tags (repeatable)', collect, [])
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (name: string, opts: AgentlessAddOptions & { data?: string }) => {
      const { agentlessAdd } = await import('./commands/agentless.js');
      process.exitCode = await agentlessAdd(await api(opts), name, opts, io);
    });
  agentless
    .command('list')
    .description('Agentless hosts and how their last scan went')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { agentlessList } = await import('./commands/agentless.js');
      process.exitCode = await agentlessList(await api(opts), opts, io);
    });
  agentless
    .command('remove')
    .description('Stop reaching a host over SSH (the host and its history stay)')
    .argument('<host>', 'host id or name')
    .addOption(dataOption())
    .action(async (host: string, opts: { data?: string }) => {
      const { agentlessRemove } = await import('./commands/agentless.js');
      process.exitCode = await agentlessRemove(await api(opts), host, io);
    });
  agentless
    .command('scan')
    .description('Collect the inventory over SSH now and assess it')
    .argument('<host>', 'host id or name')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (host: string, opts: { json?: boolean; data?: string }) => {
      const { agentlessScan } = await import('./commands/agentless.js');
      process.exitCode = await agentlessScan(await api(opts), host, opts, io);
    });
  agentless
    .command('public-key')
    .description("Print the server's SSH public key, for each host's authorized_keys")
    .addOption(dataOption())
    .action(async (opts: { data?: string }) => {
      const { agentlessPublicKey } = await import('./commands/agentless.js');
      process.exitCode = await agentlessPublicKey(await api(opts), io);
    });
  agentless
    .command('host-key')
    .description('Print the fingerprint of the host key ADDRESS presents from here (compare it on the host before pinning)')
    .argument('<address>', 'DNS name or IP address')
    .option('--port <n>', 'SSH port (default 22)')
    .action(async (address: string, opts: { port?: string }) => {
      const { agentlessHostKey } = await import('./commands/agentless.js');
      process.exitCode = await agentlessHostKey(address, opts, io);
    });

  const findings = program.command('findings').description('Stored findings');
  findings
    .command('list')
    .description('List findings, most urgent first')
    .option('--host <host>', 'host id or name')
    .addOption(choiceOption('--priority <P1..P4>', 'repeatable', PRIORITIES, { repeatable: true, anyCase: true }))
    .option('--kev', 'only known exploited')
    .addOption(choiceOption('--type <type>', 'repeatable', ADVISORY_TYPES, { repeatable: true, anyCase: true }))
    .addOption(choiceOption('--state <state>', 'fixed: the host upgraded or removed the package; retracted: the advisory was withdrawn or no longer covers the installed version', ['open', 'fixed', 'retracted']).default('open'))
    .option('--package <name>')
    .option('--advisory <id>', 'advisory id or CVE')
    .addOption(choiceOption('--sort <key>', undefined, ['priority', 'first_seen', 'package', 'advisory']).default('priority'))
    .addOption(integerOption('--limit <n>', 'at most this many', { min: 1, max: 1000 }).default('100'))
    .option('--overdue', 'only open findings past their SLA due date')
    .addOption(choiceOption('--lane <lane>', 'only fixes in this lane (docs/sla.md)', ['emergency', 'scheduled']))
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: FindingsListOptions & { data?: string }) => {
      const { findingsList } = await import('./commands/findings.js');
      process.exitCode = await findingsList(await api(opts), opts, io);
    });
  findings
    .command('show')
    .description("One finding with its priority, SLA, exception, baseline decision and lane, each with its reasons")
    .argument('<id>', 'the finding id (findings list shows it)')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (id: string, opts: { json?: boolean; data?: string }) => {
      const { findingsShow } = await import('./commands/findings.js');
      process.exitCode = await findingsShow(await api(opts), id, opts, io);
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
  feeds
    .command('forget')
    .description("Remove what a feed source brought (advisory records, NVD records, KEV/EPSS documents) and re-assess the hosts it reached; not a source of the server's --feeds file")
    .argument('<source>', 'a name feeds status shows (a source no longer in --feeds, an import source, or kev, epss, nvd for imported enrichment), or the --source an import was given')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (source: string, opts: { json?: boolean; data?: string }) => {
      const { feedsForget } = await import('./commands/feeds.js');
      process.exitCode = await feedsForget(await api(opts), source, opts, io);
    });
  feeds
    .command('sync')
    .description('Sync the sources the server was started with (--feeds FILE) that are due now; exit 1 when one failed, 2 when the server has no sources configured')
    .option('--force', 'sync every source, due or not')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { force?: boolean; json?: boolean; data?: string }) => {
      const { feedsSync } = await import('./commands/feeds.js');
      process.exitCode = await feedsSync(await api(opts), opts, io);
    });

  program
    .command('simulate')
    .description('Drive N simulated agents (own keys, realistic AlmaLinux inventories) against a local server; report rates and latencies')
    .requiredOption('--agents <n>', 'how many agents (each enrolls as its own host)')
    .option('--server <url>', 'server URL, only http://127.0.0.1:PORT (default: the local server)')
    .option('--enroll-token <token>', 'enrollment secret (default: one made with the admin token for exactly N uses)')
    .option('--interval <duration>', 'each agent checks in this often, ±10 % (open loop)', '60s')
    .option('--duration <duration>', 'how long to check in after enrolling and first inventories', '60s')
    .option('--concurrency <n>', 'closed loop instead: this many requests in flight, as fast as the server answers')
    .option('--changed-fraction <f>', 'share of check-ins preceded by a package change (the inventory is then sent)', '0')
    .option('--packages <n>', 'packages per host', '1000')
    .option('--seed <n>', 'seed of the synthetic fleet', '1')
    .option('--setup-concurrency <n>', 'requests in flight while enrolling and sending first inventories', '8')
    .option('--feed <file>', 'AlmaLinux OSV archive the inventories are drawn from (default: ../shared/data/osv/almalinux-osv-database.tar.gz)')
    .option('--json', 'print the report as JSON')
    .addOption(dataOption())
    .action(async (opts: SimulateOptions & { data?: string }) => {
      const { simulateCommand } = await import('./commands/simulate.js');
      process.exitCode = await simulateCommand(opts, { ...io, version: VERSION, api: () => api(opts) });
    });

  const cmdb = program.command('cmdb').description('Reconcile the CMDB with the hosts Patchwise sees');
  cmdb
    .command('import')
    .description('Import the expected assets: CSV (header row: hostname, machine_id, serial, ip, tier, owner, environment, os) or JSON')
    .argument('<file>')
    .option('--allow-empty', 'accept a file with no assets (empties the CMDB); without it such a file is refused')
    .addOption(dataOption())
    .action(async (file: string, opts: { data?: string; allowEmpty?: boolean }) => {
      const { cmdbImport } = await import('./commands/cmdb.js');
      process.exitCode = await cmdbImport(await api(opts), file, io, { allowEmpty: opts.allowEmpty === true });
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

  const report = program.command('report').description('Reports over the fleet');
  report
    .command('compliance')
    .description("Hosts that are not compliant (EOL release or packages, fixes their baseline approved), with reasons; exit 1 when any")
    .addOption(choiceOption('--fail-at <priority>', 'for hosts without a baseline: open security findings at or above this priority fail a host', PRIORITIES, { anyCase: true }).default('P2'))
    .option('--all', 'list compliant hosts too')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { failAt?: string; all?: boolean; json?: boolean; data?: string }) => {
      const { reportCompliance } = await import('./commands/report.js');
      process.exitCode = await reportCompliance(await api(opts), opts, io);
    });

  const groups = program.command('groups').description('Host groups: static lists and selectors over attributes and facts');
  groups
    .command('set')
    .description('Create or replace a group; every option given must hold, repeated values are alternatives (tags: all)')
    .argument('<name>', 'lower-case name, e.g. prod-tier0')
    .option('--description <text>')
    .option('--host <id|name>', 'a member by id or name (repeatable; a static group)', collect, [])
    .addOption(integerOption('--tier <n>', 'tier 0-3 (repeatable)', { min: 0, max: 3, repeatable: true }))
    .option('--environment <name>', '(repeatable)', collect, [])
    .option('--tag <tag>', 'hosts carrying every tag given (repeatable)', collect, [])
    .option('--os <id[-version]>', 'e.g. debian, debian-12 (repeatable)', collect, [])
    .option('--cluster <name>', '(repeatable)', collect, [])
    .option('--internet-facing', 'only internet-facing hosts')
    .option('--no-internet-facing', 'only hosts marked not internet-facing')
    .addOption(dataOption())
    .action(async (name: string, opts: GroupSetOptions & { data?: string }) => {
      const { groupsSet } = await import('./commands/groups.js');
      process.exitCode = await groupsSet(await api(opts), name, opts, io);
    });
  groups
    .command('list')
    .description('Every host group and its selector')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { groupsList } = await import('./commands/groups.js');
      process.exitCode = await groupsList(await api(opts), opts, io);
    });
  groups
    .command('show')
    .description('The hosts the group selects now')
    .argument('<name>')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (name: string, opts: { json?: boolean; data?: string }) => {
      const { groupsShow } = await import('./commands/groups.js');
      process.exitCode = await groupsShow(await api(opts), name, opts, io);
    });
  groups
    .command('delete')
    .description('Delete a group (refused, naming them, while a baseline, window or freeze names it)')
    .argument('<name>')
    .addOption(dataOption())
    .action(async (name: string, opts: { data?: string }) => {
      const { groupsDelete } = await import('./commands/groups.js');
      process.exitCode = await groupsDelete(await api(opts), name, io);
    });

  const exceptions = program.command('exceptions').description('Time-boxed, owned, approved decisions not to fix something now');
  exceptions
    .command('request')
    .description('Ask for an exception; it counts once another person approves it')
    .option('--host <id|name>', 'the host it is for (or --group)')
    .option('--group <name>', 'the host group it is for (or --host)')
    .option('--advisory <id>', 'advisory id or CVE (and/or --package)')
    .option('--package <name>', 'package name as findings show it')
    .addOption(choiceOption('--category <category>', 'why', ['technical-blocker', 'no-vendor-support', 'pending-test-capacity', 'compensating-control', 'risk-accepted']).makeOptionMandatory())
    .requiredOption('--reason <text>', 'the reason in words')
    .requiredOption('--owner <who>', 'who answers for it')
    .requiredOption('--expires <when>', 'days (30d) or a date; at most a year')
    .addOption(dataOption())
    .action(async (opts: ExceptionRequestOptions & { data?: string }) => {
      const { data, ...request } = opts;
      const { exceptionsRequest } = await import('./commands/exceptions.js');
      process.exitCode = await exceptionsRequest(await api({ data }), request, io);
    });
  for (const decision of ['approve', 'reject', 'revoke'] as const) {
    exceptions
      .command(decision)
      .description(decision === 'revoke' ? 'End an approved exception now' : `${decision === 'approve' ? 'Approve' : 'Reject'} a requested exception (not one you requested)`)
      .argument('<id>')
      .option('--comment <text>')
      .addOption(dataOption())
      .action(async (id: string, opts: { comment?: string; data?: string }) => {
        const { exceptionsDecide } = await import('./commands/exceptions.js');
        process.exitCode = await exceptionsDecide(await api(opts), id, decision, opts, io);
      });
  }
  exceptions
    .command('list')
    .description('The exception register: scope, category, owner, requester, approver, expiry, state (* in force)')
    .addOption(choiceOption('--state <state>', undefined, ['requested', 'approved', 'expired', 'revoked', 'rejected']))
    .option('--expiring-within <days>', 'only requested or approved ones expiring within this many days (14d)')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { state?: string; expiringWithin?: string; json?: boolean; data?: string }) => {
      const { exceptionsList } = await import('./commands/exceptions.js');
      process.exitCode = await exceptionsList(await api(opts), opts, io);
    });

  const baselines = program.command('baselines').description('Patch baselines: which fixes are approved for a group (docs/baselines.md)');
  baselines
    .command('set')
    .description('Create or replace a baseline from a YAML or JSON file: group, precedence, rules, approve, reject, holds')
    .argument('<name>', 'lower-case name, e.g. prod-web')
    .argument('<file>', 'the baseline, .yaml or .json')
    .addOption(dataOption())
    .action(async (name: string, file: string, opts: { data?: string }) => {
      const { baselinesSet } = await import('./commands/baselines.js');
      process.exitCode = await baselinesSet(await api(opts), name, file, io);
    });
  baselines
    .command('list')
    .description('Every baseline, in the order hosts take them (precedence, then the default)')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { baselinesList } = await import('./commands/baselines.js');
      process.exitCode = await baselinesList(await api(opts), opts, io);
    });
  baselines
    .command('show')
    .description('A baseline in full and the hosts that follow it now')
    .argument('<name>')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (name: string, opts: { json?: boolean; data?: string }) => {
      const { baselinesShow } = await import('./commands/baselines.js');
      process.exitCode = await baselinesShow(await api(opts), name, opts, io);
    });
  baselines
    .command('delete')
    .description('Delete a baseline')
    .argument('<name>')
    .addOption(dataOption())
    .action(async (name: string, opts: { data?: string }) => {
      const { baselinesDelete } = await import('./commands/baselines.js');
      process.exitCode = await baselinesDelete(await api(opts), name, io);
    });

  const tokens = program.command('tokens').description("API tokens: each acts as its user, optionally narrowed to some permissions");
  tokens
    .command('create')
    .description('Create a token; prints the secret once')
    .argument('<name>', 'who or what it is for')
    .option('--expires <days>', 'lifetime, e.g. 90d (default: none)')
    .option('--permission <name>', 'narrow the token to this permission (repeatable; see roles list --permissions)', collect, [])
    .option('--user <name>', "another user's token (needs users.manage)")
    .addOption(dataOption())
    .action(async (name: string, opts: TokenCreateOptions & { data?: string }) => {
      const { tokensCreate } = await import('./commands/tokens.js');
      process.exitCode = await tokensCreate(await api(opts), name, opts, io);
    });
  tokens
    .command('list')
    .description('Your tokens, or (with users.manage) one user\'s or everyone\'s')
    .option('--user <name>')
    .option('--all', "everyone's tokens")
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { user?: string; all?: boolean; json?: boolean; data?: string }) => {
      const { tokensList } = await import('./commands/tokens.js');
      process.exitCode = await tokensList(await api(opts), opts, io);
    });
  tokens
    .command('revoke')
    .description('Revoke a token: it stops working')
    .argument('<id>')
    .addOption(dataOption())
    .action(async (id: string, opts: { data?: string }) => {
      const { tokensRevoke } = await import('./commands/tokens.js');
      process.exitCode = await tokensRevoke(await api(opts), id, io);
    });

  const users = program.command('users').description('People: users, passwords, lock-outs and role bindings (users.manage)');
  users
    .command('create')
    .description('Create a user, with a password from standard input (--password-stdin)')
    .argument('<name>')
    .option('--password-stdin', 'read the password from the first line of standard input (at least 12 characters)')
    .addOption(dataOption())
    .action(async (name: string, opts: { passwordStdin?: boolean; data?: string }) => {
      const { usersCreate } = await import('./commands/users.js');
      process.exitCode = await usersCreate(await api(opts), name, opts, io);
    });
  users
    .command('list')
    .description('Every user with their role bindings')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { usersList } = await import('./commands/users.js');
      process.exitCode = await usersList(await api(opts), opts, io);
    });
  users
    .command('show')
    .description('One user')
    .argument('<name>')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (name: string, opts: { json?: boolean; data?: string }) => {
      const { usersShow } = await import('./commands/users.js');
      process.exitCode = await usersShow(await api(opts), name, opts, io);
    });
  users
    .command('set-password')
    .description("Set a user's password from the first line of standard input; ends their sessions")
    .argument('<name>')
    .addOption(dataOption())
    .action(async (name: string, opts: { data?: string }) => {
      const { usersSetPassword } = await import('./commands/users.js');
      process.exitCode = await usersSetPassword(await api(opts), name, io);
    });
  for (const change of ['disable', 'enable', 'unlock'] as const) {
    users
      .command(change)
      .description(change === 'unlock' ? 'Lift a lock-out after failed logins' : change === 'disable' ? 'Stop a user: their sessions end and their tokens stop working' : 'Let a disabled user back in')
      .argument('<name>')
      .addOption(dataOption())
      .action(async (name: string, opts: { data?: string }) => {
        const { usersChange } = await import('./commands/users.js');
        process.exitCode = await usersChange(await api(opts), name, change, io);
      });
  }
  for (const verb of ['grant', 'revoke'] as const) {
    users
      .command(verb)
      .description(verb === 'grant' ? 'Give a role, fleet-wide or (with --group/--environment) for those hosts only' : 'Take away the binding of a role with exactly this scope')
      .argument('<name>')
      .argument('<role>')
      .option('--group <name>', 'hosts of this group (repeatable)', collect, [])
      .option('--environment <name>', 'hosts of this environment (repeatable)', collect, [])
      .addOption(dataOption())
      .action(async (name: string, role: string, opts: ScopeOptions & { data?: string }) => {
        const { usersGrant, usersRevoke } = await import('./commands/users.js');
        process.exitCode = await (verb === 'grant' ? usersGrant : usersRevoke)(await api(opts), name, role, opts, io);
      });
  }
  program
    .command('whoami')
    .description('Who the token speaks for, and every permission it holds with its scope')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { whoami } = await import('./commands/users.js');
      process.exitCode = await whoami(await api(opts), opts, io);
    });

  const roles = program.command('roles').description('Roles: built-in viewer, operator, approver, admin, and custom sets of permissions');
  roles
    .command('list')
    .description('Built-in and custom roles (--permissions: every permission)')
    .option('--permissions', 'list every permission instead')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; permissions?: boolean; data?: string }) => {
      const { rolesList } = await import('./commands/roles.js');
      process.exitCode = await rolesList(await api(opts), opts, io);
    });
  roles
    .command('create')
    .description('Create a custom role: a set of permissions')
    .argument('<name>')
    .requiredOption('--permission <name>', 'a permission (repeatable)', collect, [])
    .option('--description <text>')
    .addOption(dataOption())
    .action(async (name: string, opts: { permission: string[]; description?: string; data?: string }) => {
      const { rolesCreate } = await import('./commands/roles.js');
      process.exitCode = await rolesCreate(await api(opts), name, opts, io);
    });
  roles
    .command('delete')
    .description('Delete a custom role')
    .argument('<name>')
    .addOption(dataOption())
    .action(async (name: string, opts: { data?: string }) => {
      const { rolesDelete } = await import('./commands/roles.js');
      process.exitCode = await rolesDelete(await api(opts), name, io);
    });

  const patchSets = program.command('patch-sets').description('Immutable, numbered lists of target versions and what they fix');
  patchSets
    .command('create')
    .description('From open findings (filters optional), from what the hosts\' baselines require now (--from-baseline), or from exact --target versions')
    .argument('<name>')
    .option('--description <text>')
    .option('--target <eco:pkg=version>', 'an exact target, e.g. AlmaLinux:9:openssl=1:3.0.7-27.el9 (repeatable; instead of findings)', collect, [])
    .option('--host <id|name>', 'findings of this host')
    .option('--group <name>', 'findings of this group\'s hosts')
    .addOption(choiceOption('--priority <P1..P4>', 'findings of this priority (repeatable)', PRIORITIES, { repeatable: true, anyCase: true }))
    .option('--advisory <id>', 'findings of this advisory')
    .option('--kev', 'only known exploited')
    .option('--from-baseline', 'only fixes the hosts\' baselines approve now (not rejected, held, pending or under an exception)')
    .addOption(dataOption())
    .action(async (name: string, opts: PatchSetCreateOptions & { data?: string }) => {
      const { patchSetsCreate } = await import('./commands/patch-sets.js');
      process.exitCode = await patchSetsCreate(await api(opts), name, opts, io);
    });
  patchSets
    .command('list')
    .description('Every patch set')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { patchSetsList } = await import('./commands/patch-sets.js');
      process.exitCode = await patchSetsList(await api(opts), opts, io);
    });
  patchSets
    .command('show')
    .description('A patch set: its targets and the advisories they fix')
    .argument('<number>')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (number: string, opts: { json?: boolean; data?: string }) => {
      const { patchSetsShow } = await import('./commands/patch-sets.js');
      process.exitCode = await patchSetsShow(await api(opts), number, opts, io);
    });

  registerDeployCommands(program, api, io, dataOption);

  const changes = program.command('changes').description('Change requests (CAB): deployments and promotions that need approval');
  changes
    .command('request')
    .description('Ask for a deployment or promotion of a patch set; others approve it as the environment\'s policy says')
    .addOption(choiceOption('--kind <kind>', undefined, ['deployment', 'promotion']).default('deployment'))
    .requiredOption('--environment <name>')
    .requiredOption('--patch-set <id>')
    .requiredOption('--title <text>')
    .requiredOption('--reason <text>')
    .option('--group <name>', 'only this host group of the environment')
    .option('--emergency', 'the emergency lane: at least two approvers')
    .addOption(dataOption())
    .action(async (opts: ChangeRequestOptions & { data?: string }) => {
      const { data, ...request } = opts;
      const { changesRequest } = await import('./commands/changes.js');
      process.exitCode = await changesRequest(await api({ data }), request, io);
    });
  changes
    .command('list')
    .description('Change requests in your scope, newest first')
    .addOption(choiceOption('--state <state>', undefined, ['requested', 'approved', 'rejected', 'cancelled', 'expired']))
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { state?: string; json?: boolean; data?: string }) => {
      const { changesList } = await import('./commands/changes.js');
      process.exitCode = await changesList(await api(opts), opts, io);
    });
  changes
    .command('show')
    .description('One change request with its decisions')
    .argument('<id>')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (id: string, opts: { json?: boolean; data?: string }) => {
      const { changesShow } = await import('./commands/changes.js');
      process.exitCode = await changesShow(await api(opts), id, opts, io);
    });
  for (const decision of ['approve', 'reject', 'cancel'] as const) {
    changes
      .command(decision)
      .description(decision === 'cancel' ? 'Withdraw a change you requested' : `${decision === 'approve' ? 'Approve' : 'Reject'} a change someone else requested`)
      .argument('<id>')
      .option('--comment <text>')
      .addOption(dataOption())
      .action(async (id: string, opts: { comment?: string; data?: string }) => {
        const { changesDecide } = await import('./commands/changes.js');
        process.exitCode = await changesDecide(await api(opts), id, decision, opts, io);
      });
  }

  changes
    .command('sign')
    .description('Sign a change you approved with your own key (patchwise keys generate): agents that pinned your key count it')
    .argument('<id>')
    .option('--key <file>', 'your signing key (default ~/.config/patchwise/signing-key)')
    .option('--valid-for <duration>', 'how long the signature counts, e.g. 72h', '72h')
    .addOption(dataOption())
    .action(async (id: string, opts: { key?: string; validFor?: string; data?: string }) => {
      const { changesSign } = await import('./commands/changes.js');
      process.exitCode = await changesSign(await api(opts), id, opts, io);
    });

  const keys = program.command('keys').description("Your own Ed25519 key for signing approvals: made and kept here, only its public half goes to the server");
  keys
    .command('generate')
    .description('Make a key pair; the private key is written with mode 0600 and never leaves this machine')
    .option('--out <file>', 'where to write it (default ~/.config/patchwise/signing-key)')
    .option('--force', 'replace an existing key')
    .action(async (opts: { out?: string; force?: boolean }) => {
      const { keysGenerate } = await import('./commands/keys.js');
      process.exitCode = keysGenerate(opts, io);
    });
  keys
    .command('register')
    .description('Register the public half of your key with the server')
    .option('--key <file>', 'your signing key (default ~/.config/patchwise/signing-key)')
    .option('--name <text>', 'a label, e.g. the laptop it lives on')
    .addOption(dataOption())
    .action(async (opts: { key?: string; name?: string; data?: string }) => {
      const { keysRegister } = await import('./commands/keys.js');
      process.exitCode = await keysRegister(await api(opts), opts, io);
    });
  keys
    .command('list')
    .description("Your registered keys (--all: every user's)")
    .option('--all', "every user's keys (users.manage)")
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { all?: boolean; json?: boolean; data?: string }) => {
      const { keysList } = await import('./commands/keys.js');
      process.exitCode = await keysList(await api(opts), opts, io);
    });
  keys
    .command('approvers')
    .description('Print the approvers document agents pin at enrollment (agent run --approvers FILE)')
    .option('--user <name>', "an approver's current keys (repeatable)", collect, [])
    .option('--key <keyId>', 'an approver key by id (repeatable)', collect, [])
    .requiredOption('--required <m>', 'how many distinct approvers must sign each job')
    .option('--environment <name>', "the agents' environment: only approvals of changes to it count")
    .addOption(dataOption())
    .action(async (opts: { user: string[]; key: string[]; required: string; environment?: string; data?: string }) => {
      const { keysApprovers } = await import('./commands/keys.js');
      process.exitCode = await keysApprovers(await api(opts), opts, io);
    });

  const approvalPolicies = program.command('approval-policies').description('How many approvers, of which roles, each environment needs');
  approvalPolicies
    .command('set')
    .description('Set the approval policy of an environment (* for every environment without its own)')
    .argument('<environment>', 'an environment, or * for every environment without its own')
    .addOption(integerOption('--approvals <n>', 'distinct approvers other than the requester (1-5)', { min: 1, max: 5 }).makeOptionMandatory())
    .option('--role <name>', 'a role approvers must hold over the environment (repeatable; default approver, admin)', collect, [])
    .option('--valid-for <hours>', 'how long an approval lets the change start, e.g. 72h')
    .addOption(dataOption())
    .action(async (environment: string, opts: { approvals: string; role: string[]; validFor?: string; data?: string }) => {
      const { approvalPoliciesSet } = await import('./commands/changes.js');
      process.exitCode = await approvalPoliciesSet(await api(opts), environment, opts, io);
    });
  approvalPolicies
    .command('list')
    .description('Approval policies per environment (*: every other one)')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { approvalPoliciesList } = await import('./commands/changes.js');
      process.exitCode = await approvalPoliciesList(await api(opts), opts, io);
    });
  approvalPolicies
    .command('delete')
    .description("Remove an environment's approval policy (the * policy or the default then applies)")
    .argument('<environment>')
    .addOption(dataOption())
    .action(async (environment: string, opts: { data?: string }) => {
      const { approvalPoliciesDelete } = await import('./commands/changes.js');
      process.exitCode = await approvalPoliciesDelete(await api(opts), environment, io);
    });

  const policy = program.command('policy').description('Governance as code: groups, baselines, approval policies, custom roles, windows, freezes, SLA (docs/policy-as-code.md)');
  policy
    .command('export')
    .description('Write the policy as YAML')
    .option('--output <file>', 'write to this file instead of stdout')
    .addOption(dataOption())
    .action(async (opts: { output?: string; data?: string }) => {
      const { policyExport } = await import('./commands/policy.js');
      process.exitCode = await policyExport(await api(opts), opts, io);
    });
  policy
    .command('apply')
    .description('Show what a policy file changes, then apply it in one transaction, audited')
    .argument('<file>', 'YAML or JSON, as policy export writes it')
    .option('--dry-run', 'only show the changes')
    .addOption(dataOption())
    .action(async (file: string, opts: { dryRun?: boolean; data?: string }) => {
      const { policyApply } = await import('./commands/policy.js');
      process.exitCode = await policyApply(await api(opts), file, opts, io);
    });

  addMaintenanceCommands(program, { api, io, dataOption, collect });

  const audit = program.command('audit').description('The tamper-evident audit trail');
  audit
    .command('verify')
    .description('Check the hash chain and the signed checkpoints; exit 1 naming the first tampered event')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      const { auditVerify } = await import('./commands/audit.js');
      process.exitCode = await auditVerify(await api(opts), opts, io);
    });
  audit
    .command('export')
    .description('Write audit events as JSON Lines, in order, with their hashes')
    .option('--since <time>', 'only events at or after this date or time (ISO 8601)')
    .option('--output <file>', 'write here instead of stdout')
    .addOption(dataOption())
    .action(async (opts: { since?: string; output?: string; data?: string }) => {
      const { auditExport } = await import('./commands/audit.js');
      process.exitCode = await auditExport(await api(opts), opts, io);
    });

  return program;
}

/** Runs the CLI; usage and input errors print one line (no stack) and exit 2. */
export async function main(argv: readonly string[]): Promise<void> {
  await runProgram(buildProgram(), argv, 'patchwise');
}
