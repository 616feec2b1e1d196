import { Command } from 'commander';
import { addAgentRunCommand } from './agent-commands.js';
import { CLI_VERSION } from './cli-version.js';
import { runProgram } from './run-program.js';

/**
 * The packaged agent, `patchwise-agent` (scripts/package-agent.ts bundles this file into one
 * executable with Node.js inside): only `run`, with the options of `patchwise agent run`, so a
 * managed host needs neither Node.js nor a checkout of this repository.
 */
export function buildAgentProgram(): Command {
  const program = new Command('patchwise-agent')
    .description('The Patchwise agent: inventories this host for a Patchwise server and runs the deployment jobs it signs')
    .version(CLI_VERSION)
    .exitOverride()
    .showHelpAfterError();
  addAgentRunCommand(program, CLI_VERSION);
  return program;
}

export async function agentMain(argv: readonly string[]): Promise<void> {
  await runProgram(buildAgentProgram(), argv, 'patchwise-agent');
}
