import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { isPatchwiseError } from '@patchwise/core';
import { scanCommand } from './commands/scan.js';
import { versionCompare } from './commands/version-compare.js';

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
    .action(async (inventories: string[], opts: Parameters<typeof scanCommand>[1]) => {
      process.exitCode = await scanCommand(inventories, opts, { stdout: process.stdout, stderr: process.stderr, version: VERSION });
    });

  const version = program.command('version').description('Version semantics of each ecosystem');
  version
    .command('compare')
    .description('Read "A B" lines from stdin; print -1, 0 or 1 per line (or "error: …")')
    .requiredOption('--ecosystem <name>', 'OSV ecosystem, with or without release: Debian, Debian:12, AlmaLinux, PyPI, npm, …')
    .action(async (opts: { ecosystem: string }) => {
      process.exitCode = await versionCompare(opts.ecosystem, process.stdin, process.stdout);
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
