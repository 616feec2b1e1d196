/**
 * Red Hat family and SUSE packages: the rpm database is a Berkeley DB, NDB or SQLite file that
 * only rpm itself reads reliably, so the agent asks `rpm` with the query format core's reader
 * expects (docs/inventory-format.md, "rpm database").
 */
import { PatchwiseError, RPM_QA_QUERY_FORMAT, parseRpmQa } from '@patchwise/core';
import type { CollectedPackages } from './collected-packages.js';
import { distroPackage } from './distro-package.js';
import type { RootedFs } from './rooted-fs.js';
import type { RunCommand } from './run-command.js';

/**
 * Where rpm keeps its database: /usr/lib/sysimage/rpm since rpm 4.16 (Fedora 36, RHEL 10, SUSE),
 * /var/lib/rpm before (RHEL 8 and 9, where one is often a symlink to the other).
 */
export const RPM_DB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];
/** SQLite (rpm ≥ 4.16), Berkeley DB, NDB (SUSE). */
const RPM_DB_FILES = ['rpmdb.sqlite', 'Packages', 'Packages.db'];

/** Whether a directory with these entries holds an rpm database (a directory without one is not a database). */
export function holdsRpmDatabase(entryNames: readonly string[]): boolean {
  return entryNames.some((name) => RPM_DB_FILES.includes(name));
}

/** The arguments of `rpm` listing the database at `dbPath` (inside `root`) in the format core's reader expects. */
export function rpmQueryArgs(root: string, dbPath: string): string[] {
  return ['--root', root, '--dbpath', dbPath, '-qa', '--qf', RPM_QA_QUERY_FORMAT];
}

export interface RpmOptions {
  readonly run: RunCommand;
  /** The rpm program; `rpm` from PATH by default. */
  readonly rpmCommand: string;
  readonly timeoutMs: number;
  readonly maxBuffer: number;
}

/**
 * Finds the root's rpm database and lists it with
 * `rpm --root <root> --dbpath <dir> -qa --qf <RPM_QA_QUERY_FORMAT>`; `--dbpath` is given because
 * rpm's built-in default differs between builds (Debian's rpm uses ~/.rpmdb) and is the path
 * checked to stay inside the root.
 *
 * Returns undefined when there is no database. A directory without a database file counts as
 * none (Debian's rpm package ships an empty /var/lib/rpm), and rpm is then not run at all, since
 * `rpm -qa` on an empty directory creates a database there.
 * When the rpm program is missing: a warning and `complete: false`, not an error.
 * Throws PW_INPUT_UNREADABLE naming the database when rpm fails or times out,
 * PW_INPUT_TOO_LARGE when its output exceeds `maxBuffer`, PW_INPUT_MALFORMED on unexpected output.
 */
export async function collectRpmPackages(fs: RootedFs, options: RpmOptions): Promise<CollectedPackages | undefined> {
  const dbPath = await findRpmDb(fs);
  if (dbPath === undefined) return undefined;
  const where = `rpm database ${fs.display(dbPath)}`;
  const args = rpmQueryArgs(fs.root, dbPath);
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await options.run(options.rpmCommand, args, { timeoutMs: options.timeoutMs, maxBuffer: options.maxBuffer }));
  } catch (err) {
    const e = err as { code?: unknown; killed?: boolean; stderr?: unknown };
    if (e.code === 'ENOENT') return rpmProgramMissing(where, options.rpmCommand);
    if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      throw new PatchwiseError('PW_INPUT_TOO_LARGE', `rpm -qa printed more than ${options.maxBuffer} bytes`, { input: where, cause: err });
    }
    if (e.killed) {
      throw new PatchwiseError('PW_INPUT_UNREADABLE', `rpm -qa did not finish within ${options.timeoutMs} ms`, { input: where, cause: err });
    }
    const why = firstLines(typeof e.stderr === 'string' ? e.stderr : '') || (err instanceof Error ? err.message : String(err));
    throw new PatchwiseError('PW_INPUT_UNREADABLE', `rpm -qa failed: ${why}`, { input: where, cause: err });
  }
  return rpmPackagesFromOutput(stdout, stderr, where, `rpm -qa output for ${fs.display(dbPath)}`);
}

/**
 * The packages of `rpm -qa --qf RPM_QA_QUERY_FORMAT` output (run here, or over SSH). What rpm
 * printed on stderr becomes a warning about `where`; `source` names the output in errors.
 */
export function rpmPackagesFromOutput(stdout: string, stderr: string, where: string, source: string): CollectedPackages {
  const { packages, skipped } = parseRpmQa(stdout, source);
  const warnings = stderr.trim() === '' ? [] : [`${where}: rpm -qa warned: ${firstLines(stderr)}`];
  return { packages: packages.map(distroPackage), warnings, skipped, complete: true };
}

/** The warning and result when an rpm database exists but no rpm program can read it. */
export function rpmProgramMissing(where: string, rpmCommand: string): CollectedPackages {
  return {
    packages: [],
    warnings: [`${where}: found, but the "${rpmCommand}" program is not installed here; rpm packages were not collected`],
    skipped: [],
    complete: false,
  };
}

/** The first directory (resolved inside the root) that holds an rpm database file. */
async function findRpmDb(fs: RootedFs): Promise<string | undefined> {
  for (const dir of RPM_DB_DIRS) {
    const resolved = await fs.resolve(dir);
    if (!resolved) continue;
    const entries = await fs.listDir(resolved.rootPath);
    if (entries && holdsRpmDatabase(entries.map((e) => e.name))) return resolved.rootPath;
  }
  return undefined;
}

/** A program's complaint, short enough for a message: its first three non-empty lines. */
export function firstLines(text: string): string {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, 3)
    .join(' / ');
}
