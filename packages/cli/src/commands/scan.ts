import type { Writable } from 'node:stream';
import { ADVISORY_TYPES, PRIORITIES, PatchwiseError, atOrAbove, listInputFiles, type AdvisoryType, type Priority } from '@patchwise/core';
import { BufferedWriter, FORMAT_NAMES, Progress, type FormatName, type ScanSummary } from '../output/index.js';
import { ScanSession, type SessionConfig } from './scan-session.js';

export interface ScanCommandOptions {
  readonly advisories: readonly string[];
  readonly kev?: string | undefined;
  readonly epss?: string | undefined;
  readonly nvd: readonly string[];
  readonly format: string;
  readonly failOn?: string | undefined;
  readonly type: readonly string[];
  readonly strict: boolean;
  readonly ecosystem?: string | undefined;
}

export interface ScanIo {
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  readonly version: string;
}

/** Inventory files per unit of work handed to the session. */
const BATCH_FILES = 16;

/**
 * `patchwise scan`: exit 0 when done with nothing at or above --fail-on, 1 when something is,
 * 2 for bad usage or when inputs could not be read (any at all with --strict; all of them
 * otherwise). Skipped inputs are always named on stderr.
 */
export async function scanCommand(inventories: readonly string[], opts: ScanCommandOptions, io: ScanIo): Promise<number> {
  const format = checkFormat(opts.format);
  const failOn = opts.failOn === undefined ? undefined : checkPriority(opts.failOn);
  const types = opts.type.map(checkType);
  if (opts.advisories.length === 0) usage('no advisories given: pass --advisories PATH (OSV files, directories or archives)');
  if (inventories.length === 0) usage('no inventory given: pass one or more INVENTORY files or directories');

  const listed = listInputFiles(inventories);
  const batches: string[][] = [];
  for (let i = 0; i < listed.files.length; i += BATCH_FILES) batches.push(listed.files.slice(i, i + BATCH_FILES));

  const config: SessionConfig = {
    advisories: opts.advisories,
    kev: opts.kev,
    epss: opts.epss,
    nvd: opts.nvd,
    types,
    format,
    version: io.version,
    ecosystem: opts.ecosystem,
    strict: opts.strict,
  };
  const { session, start } = await ScanSession.open(config);
  const stderr = (line: string): void => void io.stderr.write(`${line}\n`);
  let skipped = start.skipped + listed.problems.length;
  start.messages.forEach(stderr);
  for (const p of listed.problems) stderr(`patchwise: skipped ${p.error.message}`);
  if (opts.strict && skipped > 0) return 2;

  const out = new BufferedWriter(io.stdout);
  const output = session.format;
  const summary = { hosts: 0, findings: 0, byPriority: { P1: 0, P2: 0, P3: 0, P4: 0 } };
  const progress = io.stderr.isTTY ? new Progress(io.stderr) : undefined;
  let wroteHost = false;
  await out.write(output.begin());
  for (const files of batches) {
    const batch = await session.scan(files);
    if (batch.messages.length > 0) {
      progress?.clear();
      batch.messages.forEach(stderr);
    }
    skipped += batch.skipped;
    summary.hosts += batch.hosts;
    summary.findings += batch.findings;
    for (const p of PRIORITIES) summary.byPriority[p] += batch.byPriority[p];
    for (const chunks of batch.texts) {
      if (chunks.length === 0) continue;
      if (wroteHost) await out.write(output.separator);
      await out.writeAll(chunks);
      wroteHost = true;
    }
    progress?.update(summary.hosts, summary.findings);
    if (opts.strict && skipped > 0) break;
  }
  progress?.clear();
  session.finish().forEach(stderr);
  await out.write(output.end({ ...summary, skipped } satisfies ScanSummary));
  await out.close();

  if (skipped > 0 && (opts.strict || summary.hosts === 0)) return 2;
  const failing = failOn !== undefined && PRIORITIES.some((p) => atOrAbove(p, failOn) && summary.byPriority[p] > 0);
  return failing ? 1 : 0;
}

function checkFormat(value: string): FormatName {
  if ((FORMAT_NAMES as readonly string[]).includes(value)) return value as FormatName;
  usage(`--format must be one of ${FORMAT_NAMES.join(', ')}, not "${value}"`);
}

function checkPriority(value: string): Priority {
  const upper = value.toUpperCase();
  if ((PRIORITIES as readonly string[]).includes(upper)) return upper as Priority;
  usage(`--fail-on must be one of ${PRIORITIES.join(', ')}, not "${value}"`);
}

function checkType(value: string): AdvisoryType {
  const lower = value.toLowerCase();
  if ((ADVISORY_TYPES as readonly string[]).includes(lower)) return lower as AdvisoryType;
  usage(`--type must be one of ${ADVISORY_TYPES.join(', ')}, not "${value}"`);
}

function usage(message: string): never {
  throw new PatchwiseError('PW_USAGE', message);
}
