/**
 * Red Hat family and SUSE packages: the rpm database is a Berkeley DB, NDB or SQLite file that
 * only rpm itself reads reliably, so the agent asks `rpm` with the query format core's reader
 * expects (docs/inventory-format.md, "rpm database").
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PatchwiseError, RPM_QA_QUERY_FORMAT, parseRpmQa } from '@patchwise/core';
import type { CollectedPackages } from './collected-packages.js';
import { distroPackage } from './distro-package.js';
import type { RootedFs } from './rooted-fs.js';
import type { RunCommand } from './run-command.js';
import type { SystemOwners } from './python-packages.js';

/**
 * Where rpm keeps its database: /usr/lib/sysimage/rpm since rpm 4.16 (Fedora 36, RHEL 10, SUSE),
 * /var/lib/rpm before (RHEL 8 and 9, where one is often a symlink to the other).
 */
export const RPM_DB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];
/**
 * The file that marks each database format, with rpm's name for the backend that reads it:
 * SQLite (rpm ≥ 4.16: Fedora, RHEL 9+), Berkeley DB (RHEL ≤ 8, read by `bdb_ro` since rpm 4.16),
 * NDB (openSUSE and SLES 15+). The other files each needs beside it are listed too.
 */
const RPM_DB_FORMATS = [
  { file: 'rpmdb.sqlite', backend: 'sqlite', name: 'SQLite', files: ['rpmdb.sqlite', 'rpmdb.sqlite-wal'] },
  { file: 'Packages', backend: 'bdb_ro', name: 'Berkeley DB', files: ['Packages'] },
  { file: 'Packages.db', backend: 'ndb', name: 'NDB', files: ['Packages.db', 'Index.db'] },
] as const;
export type RpmDbFormat = (typeof RPM_DB_FORMATS)[number];
/** A large host's database is a few hundred MB; the copy of a mounted root's is bounded. */
const MAX_RPM_DB_BYTES = 4 * 1024 * 1024 * 1024;

/** The format of the database among a directory's entries (SQLite first, as rpm prefers it), if any. */
export function rpmDbFormat(entryNames: readonly string[]): RpmDbFormat | undefined {
  return RPM_DB_FORMATS.find((f) => entryNames.includes(f.file));
}

/**
 * The arguments of `rpm` listing the database at `dbPath` (inside `root`) in the format core's
 * reader expects. `backend` names the format found: without it rpm opens its default (SQLite)
 * when it has no reader for the files there, and creates an empty database beside them.
 */
export function rpmQueryArgs(root: string, dbPath: string, backend?: string): string[] {
  return [...rpmDbArgs(root, dbPath, backend), '-qa', '--qf', RPM_QA_QUERY_FORMAT];
}

/** The arguments that point rpm at the database at `dbPath` inside `root`, in format `backend`. */
export function rpmDbArgs(root: string, dbPath: string, backend?: string): string[] {
  return ['--root', root, '--dbpath', dbPath, ...(backend ? ['--define', `_db_backend ${backend}`] : [])];
}

/**
 * Every file every package installed, one path a line. `rpm -qf PATH…` would be narrower, but it
 * looks each path up on this machine's filesystem, not the root's, so it cannot answer for an image.
 */
export const RPM_FILES_QUERY = ['-qa', '--qf', '[%{FILENAMES}\\n]'] as const;

export interface RpmOptions {
  readonly run: RunCommand;
  /** The rpm program; `rpm` from PATH by default. */
  readonly rpmCommand: string;
  readonly timeoutMs: number;
  readonly maxBuffer: number;
}

/**
 * Finds the root's rpm database and lists it with
 * `rpm --root <root> --dbpath <dir> --define '_db_backend <format found>' -qa --qf <RPM_QA_QUERY_FORMAT>`;
 * `--dbpath` is given because rpm's built-in default differs between builds (Debian's rpm uses
 * ~/.rpmdb) and is the path checked to stay inside the root.
 *
 * rpm writes beside any database it opens (`.rpm.lock`, SQLite's `-shm` and `-wal`), and creates
 * a database where it finds none it can read. On this machine's own `/` that is rpm's own
 * database and files; any other root is inspected, never changed: its database files are copied
 * (through RootedFs, so never from outside the root) into a private temporary directory, which
 * rpm reads instead and which is removed afterwards. That also reads read-only mounts.
 *
 * Returns undefined when there is no database. A directory without a database file counts as
 * none (Debian's rpm package ships an empty /var/lib/rpm), and rpm is then not run at all.
 * When the rpm program is missing: a warning and `complete: false`, not an error.
 * Throws PW_INPUT_UNREADABLE naming the database when rpm fails or times out, or lists nothing
 * (this machine's rpm has no reader for the format: openSUSE's NDB on a Debian or RHEL machine),
 * PW_INPUT_TOO_LARGE when its output exceeds `maxBuffer`, PW_INPUT_MALFORMED on unexpected output.
 */
export async function collectRpmPackages(fs: RootedFs, options: RpmOptions): Promise<CollectedPackages | undefined> {
  return withRootRpmDb(fs, async (dbArgs, found) => {
    const where = `rpm database ${fs.display(found.dbPath)}`;
    const out = await runRpmQuery(options, [...dbArgs, '-qa', '--qf', RPM_QA_QUERY_FORMAT], where);
    if (out === undefined) return rpmProgramMissing(where, options.rpmCommand);
    return rpmPackagesFromOutput(out.stdout, out.stderr, where, `rpm -qa output for ${fs.display(found.dbPath)}`, found.format);
  });
}

/**
 * Runs `rpm` with `args` (a query; `where` names the database in errors). Resolves undefined when
 * the rpm program is missing. Throws PW_INPUT_TOO_LARGE when the output exceeds `maxBuffer`,
 * PW_INPUT_UNREADABLE when rpm fails or times out, naming the database.
 */
export async function runRpmQuery(options: RpmOptions, args: readonly string[], where: string): Promise<{ stdout: string; stderr: string } | undefined> {
  try {
    return await options.run(options.rpmCommand, [...args], { timeoutMs: options.timeoutMs, maxBuffer: options.maxBuffer });
  } catch (err) {
    const e = err as { code?: unknown; killed?: boolean; stderr?: unknown };
    if (e.code === 'ENOENT') return undefined;
    if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
      throw new PatchwiseError('PW_INPUT_TOO_LARGE', `rpm -qa printed more than ${options.maxBuffer} bytes`, { input: where, cause: err });
    }
    if (e.killed) {
      throw new PatchwiseError('PW_INPUT_UNREADABLE', `rpm -qa did not finish within ${options.timeoutMs} ms`, { input: where, cause: err });
    }
    const why = firstLines(typeof e.stderr === 'string' ? e.stderr : '') || (err instanceof Error ? err.message : String(err));
    throw new PatchwiseError('PW_INPUT_UNREADABLE', `rpm -qa failed: ${why}`, { input: where, cause: err });
  }
}

/**
 * Which of `paths` (as the root sees them) an rpm package installed: the Python collector leaves
 * those out (see collectPythonPackages). Asked only when there are paths; no database, no rpm
 * program or a failing query own nothing, the last with a warning (the distributions are then
 * reported, as before this check existed, rather than lost).
 */
export function rpmOwners(fs: RootedFs, options: RpmOptions): SystemOwners {
  return async (paths) => {
    const none = { owned: new Set<string>(), warnings: [] };
    if (paths.length === 0) return none;
    const owners = await withRootRpmDb(fs, async (dbArgs, found) => {
      try {
        const { stdout } = await options.run(options.rpmCommand, [...dbArgs, ...RPM_FILES_QUERY], { timeoutMs: options.timeoutMs, maxBuffer: options.maxBuffer });
        return { owned: ownedAmong(paths, stdout), warnings: [] };
      } catch (err) {
        const e = err as { code?: unknown; stderr?: unknown };
        if (e.code === 'ENOENT') return none;
        const why = firstLines(typeof e.stderr === 'string' ? e.stderr : '') || (err instanceof Error ? err.message : String(err));
        return { owned: new Set<string>(), warnings: [`rpm database ${fs.display(found.dbPath)}: could not list the files rpm installed (${why}); rpm-installed Python distributions are reported as PyPI packages`] };
      }
    });
    return owners ?? none;
  };
}

/** The paths among `paths` that are lines of `listing` (one path a line). */
export function ownedAmong(paths: readonly string[], listing: string): Set<string> {
  const wanted = new Set(paths);
  const owned = new Set<string>();
  for (const line of listing.split('\n')) if (wanted.has(line)) owned.add(line);
  return owned;
}

/**
 * Runs `use` with the arguments that point rpm at the root's database, or resolves undefined when
 * the root has none. On this machine's own `/` that is the database in place; for any other root
 * a private copy (see collectRpmPackages), removed afterwards.
 */
export async function withRootRpmDb<T>(fs: RootedFs, use: (dbArgs: string[], found: { dbPath: string; format: RpmDbFormat }) => Promise<T>): Promise<T | undefined> {
  const found = await findRpmDb(fs);
  if (found === undefined) return undefined;
  if (fs.isHostRoot) return use(rpmDbArgs(fs.root, found.dbPath, found.format.backend), found);
  const scratch = await mkdtemp(path.join(tmpdir(), 'pw-rpmdb-'));
  try {
    for (const file of found.format.files) await fs.copyOut(`${found.dbPath}/${file}`, path.join(scratch, file), MAX_RPM_DB_BYTES);
    return await use(rpmDbArgs('/', scratch, found.format.backend), found);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The packages of `rpm -qa --qf RPM_QA_QUERY_FORMAT` output (run here, or over SSH). What rpm
 * printed on stderr becomes a warning about `where`; `source` names the output in errors.
 * No package at all means rpm did not read the database it was pointed at (it falls back to an
 * empty "dummy" one when it has no reader for the format, and exits 0): PW_INPUT_UNREADABLE.
 */
export function rpmPackagesFromOutput(stdout: string, stderr: string, where: string, source: string, format?: RpmDbFormat): CollectedPackages {
  const { packages, skipped } = parseRpmQa(stdout, source);
  const warnings = stderr.trim() === '' ? [] : [`${where}: rpm -qa warned: ${firstLines(stderr)}`];
  if (packages.length === 0) {
    const noReader = /dummy database|invalid %_db_backend/i.test(stderr);
    const what = format ? `${format.name} database (${format.file})` : 'database';
    throw new PatchwiseError(
      'PW_INPUT_UNREADABLE',
      noReader
        ? `the ${what} cannot be read by this machine's rpm (it has no ${format?.backend ?? ''} backend); run the agent with an rpm that reads it, such as the distribution's own`
        : `rpm -qa listed no packages from the ${what}${stderr.trim() ? ` (${firstLines(stderr)})` : ''}; refusing to report the host as having none`,
      { input: where },
    );
  }
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

/** The first directory (resolved inside the root) that holds an rpm database file, and its format. */
async function findRpmDb(fs: RootedFs): Promise<{ dbPath: string; format: RpmDbFormat } | undefined> {
  for (const dir of RPM_DB_DIRS) {
    const resolved = await fs.resolve(dir);
    if (!resolved) continue;
    const entries = await fs.listDir(resolved.rootPath);
    const format = entries && rpmDbFormat(entries.map((e) => e.name));
    if (format) return { dbPath: resolved.rootPath, format };
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
