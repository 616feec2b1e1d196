import type { Command } from 'commander';
import type { AgentRunOptions } from './commands/agent-run.js';
import { collect } from './option-values.js';

/**
 * `run`, the agent's one command, under `parent`: `patchwise agent run` in the CLI, and
 * `patchwise-agent run` in the packaged agent (agent-program.ts), so both take the same options.
 */
export function addAgentRunCommand(parent: Command, version: string): Command {
  return parent
    .command('run')
    .description('Enroll (first run) and check in: facts, and the inventory when it changed; run deployment jobs signed by the pinned key')
    .option('--server <url>', 'server URL (needed to enroll)')
    .option('--enroll-token <token>', 'one-time enrollment secret (or PATCHWISE_ENROLL_TOKEN)')
    .option('--state <dir>', 'agent state: key pair and host id (default /var/lib/patchwise-agent as root)')
    .option('--root <dir>', 'inventory this mounted filesystem or chroot instead of /', '/')
    .option('--hostname <name>', 'host name to report instead of the collected one')
    .option('--attr <key=value>', 'host attribute from the agent config, e.g. tier=1 (repeatable)', collect, [])
    .option('--approvers <file>', 'pin these approvers at enrollment ({ approverKeys, requiredApprovals }, from `patchwise keys approvers`): jobs then need M of their signatures')
    .option('--once', 'check in once (running the jobs waiting now) and exit: 0 ok, 1 failed, 3 quarantined, 4 retired')
    .option('--no-jobs', 'only report; never run deployment jobs')
    .action(async (opts: AgentRunOptions) => {
      const { agentRunCommand } = await import('./commands/agent-run.js');
      process.exitCode = await agentRunCommand(opts, { stderr: process.stderr, version });
    });
}
