import type { Command, Option } from 'commander';
import type { ApiClient } from './api-client.js';
import type { DeploySelectionOptions } from './commands/deploy.js';
import { choiceOption, collect, integerOption } from './option-values.js';

type Io = { stdout: NodeJS.WritableStream & { isTTY?: boolean } };
type Api = (opts: { data?: string }) => Promise<ApiClient>;

/** The selection and strategy options shared by `deploy plan` and `deploy create`. */
function selection(cmd: Command): Command {
  return cmd
    .requiredOption('--patch-set <number>', 'the patch set to install')
    .requiredOption('--environment <name>', "the hosts of this environment (hosts' environment attribute)")
    .option('--group <name>', 'only hosts of this group (repeatable)', collect, [])
    .option('--host <id|name>', 'only these hosts (repeatable)', collect, [])
    .option('--window <name>', 'maintenance window hosts may start in (repeatable; none: any time)', collect, [])
    .option('--strategy <file>', 'strategy as YAML/JSON (docs/deployments.md); the flags below override its fields')
    .option('--canary <n|p%>', 'hosts in the first wave')
    .option('--waves <sizes>', 'later wave sizes, e.g. 10%,25% (the last repeats), or exponential')
    .option('--concurrency <n|p%>', 'jobs in flight at once')
    .option('--wave-budget <n|p%>', 'failed hosts a wave tolerates before the deployment halts')
    .option('--total-budget <n|p%>', 'failed hosts the deployment tolerates before it halts')
    .option('--soak <minutes>', 'wait after each wave before the next')
    .option('--cluster-max <n>', 'hosts of one cluster patching or rebooting at once')
    .option('--blitz', 'emergency lane: no soak; concurrency, cluster limits and budgets still hold')
    .addOption(choiceOption('--reboot <policy>', 'when hosts reboot after installing', ['never', 'if-required', 'always']))
    .option('--pre-step <script>', 'approved library script to run before installing (repeatable)', collect, [])
    .option('--post-step <script>', 'approved library script to run after installing (repeatable)', collect, [])
    .option('--pre-check <check>', 'service:UNIT, http(s)://URL or script:NAME, before (repeatable)', collect, [])
    .option('--post-check <check>', 'the same, after; a failure rolls the host back (repeatable)', collect, [])
    .option('--change <id>', 'the approved change request to start it with');
}

/** `patchwise deploy …`, `rings …` and `scripts …`. */
export function registerDeployCommands(program: Command, api: Api, io: Io, dataOption: () => Option): void {
  const load = () => import('./commands/deploy.js');
  const deploy = program.command('deploy').description('Deployments: a patch set to hosts in waves, inside windows, within budgets');
  selection(deploy.command('plan').description('Dry run: each host in its wave and window, expected finish; stores nothing'))
    .addOption(integerOption('--job-minutes <n>', 'expected minutes per host', { min: 1, max: 24 * 60 }).default('15'))
    .option('--hosts', 'list every host')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: DeploySelectionOptions & { jobMinutes?: string; hosts?: boolean; json?: boolean; data?: string }) => {
      process.exitCode = await (await load()).deployPlan(await api(opts), opts, io);
    });
  selection(deploy.command('create').description('Create a deployment (started separately, with an approved change)').argument('<name>'))
    .addOption(dataOption())
    .action(async (name: string, opts: DeploySelectionOptions & { data?: string }) => {
      process.exitCode = await (await load()).deployCreate(await api(opts), name, opts, io);
    });
  deploy
    .command('start')
    .description('Start a created deployment: needs an approved change for its patch set and environment')
    .argument('<id>')
    .option('--change <id>', 'the approved change request (unless given at create)')
    .addOption(dataOption())
    .action(async (id: string, opts: { change?: string; data?: string }) => {
      process.exitCode = await (await load()).deployCommand(await api(opts), id, 'start', opts, io);
    });
  const what = {
    pause: 'Dispatch nothing new; jobs in flight finish',
    resume: 'Go on with a paused deployment',
    halt: 'Stop a running or paused deployment',
    cancel: 'Cancel a created, paused or halted deployment and its pending jobs',
    rollback: 'Cancel pending installs and put back the previous versions on every host that installed',
  } as const;
  for (const command of ['pause', 'resume', 'halt', 'cancel', 'rollback'] as const) {
    deploy
      .command(command)
      .description(what[command])
      .argument('<id>')
      .option('--reason <text>', 'kept in the audit trail')
      .addOption(dataOption())
      .action(async (id: string, opts: { reason?: string; data?: string }) => {
        process.exitCode = await (await load()).deployCommand(await api(opts), id, command, opts, io);
      });
  }
  deploy
    .command('status')
    .description('Progress per wave, and why pending hosts wait')
    .argument('<id>')
    .option('--watch', 'redraw live until the deployment ends (exit 1 if it halted)')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (id: string, opts: { watch?: boolean; json?: boolean; data?: string }) => {
      process.exitCode = await (await load()).deployStatus(await api(opts), id, opts, io);
    });
  deploy
    .command('list')
    .description('Every deployment')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (opts: { json?: boolean; data?: string }) => {
      process.exitCode = await (await load()).deployList(await api(opts), opts, io);
    });
  deploy
    .command('jobs')
    .description("A deployment's jobs (--host: one host's)")
    .argument('<id>')
    .option('--host <id|name>')
    .option('--json', 'print JSON')
    .addOption(dataOption())
    .action(async (id: string, opts: { host?: string; json?: boolean; data?: string }) => {
      process.exitCode = await (await load()).deployJobs(await api(opts), id, opts, io);
    });

  const rings = program.command('rings').description('The environments patch sets are promoted through, in order');
  rings.command('show').description('The rings, in promotion order, with their soak times').addOption(dataOption()).action(async (opts: { data?: string }) => {
    process.exitCode = await (await load()).ringsShow(await api(opts), io);
  });
  rings
    .command('set')
    .description('e.g. rings set test:120 staging:1440 production:0 (ENVIRONMENT:SOAK_MINUTES)')
    .argument('<rings...>')
    .addOption(dataOption())
    .action(async (specs: string[], opts: { data?: string }) => {
      process.exitCode = await (await load()).ringsSet(await api(opts), specs, io);
    });

  const scripts = program.command('scripts').description('The approved script library: the only commands deployments run besides the package manager');
  scripts.command('list').description('The approved script library').option('--json', 'print JSON').addOption(dataOption()).action(async (opts: { json?: boolean; data?: string }) => {
    process.exitCode = await (await load()).scriptsList(await api(opts), opts, io);
  });
  scripts.command('put').description('Add or change a script (a change needs a new approval)').argument('<name>').argument('<file>').addOption(dataOption()).action(async (name: string, file: string, opts: { data?: string }) => {
    process.exitCode = await (await load()).scriptsPut(await api(opts), name, file, io);
  });
  scripts.command('approve').description('approve a script someone else wrote, naming the SHA-256 you read').argument('<name>').argument('<sha256>').addOption(dataOption()).action(async (name: string, sha256: string, opts: { data?: string }) => {
    process.exitCode = await (await load()).scriptsApprove(await api(opts), name, sha256, io);
  });
}
