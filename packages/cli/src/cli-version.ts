import { readFileSync } from 'node:fs';

/** Set at build time by the agent packager (scripts/package-agent.ts), whose single file has no package.json beside it. */
declare const PATCHWISE_BUILD_VERSION: string | undefined;

/** The version `--version` prints and agents report: the CLI package's. */
export const CLI_VERSION: string =
  typeof PATCHWISE_BUILD_VERSION === 'string'
    ? PATCHWISE_BUILD_VERSION
    : (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
