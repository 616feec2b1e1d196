import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { keepsState, parseApproverPins, runAgent } from '@patchwise/agent';
import { PatchwiseError, attributePairsToObject, makeWritableDirectory, parseAttributePatch } from '@patchwise/core';
import { readDocumentFile } from '../read-document-file.js';
import { checkServerUrl } from '../server-url.js';

export interface AgentRunOptions {
  readonly server?: string;
  readonly enrollToken?: string;
  readonly state?: string;
  readonly root: string;
  readonly once?: boolean;
  /** False with --no-jobs. */
  readonly jobs?: boolean;
  readonly attr: string[];
  readonly hostname?: string;
  readonly approvers?: string;
}

/**
 * `patchwise agent run`: the agent loop, stopped cleanly by SIGINT or SIGTERM (exit 0; a job in
 * flight runs to its end first). The handlers are installed once: a second signal while a job
 * finishes takes Node's default action and ends the process at once, which the job journal
 * recovers from at the next start (docs/agent-execution.md, "Stopping the agent").
 */
export async function agentRunCommand(opts: AgentRunOptions, io: { stderr: NodeJS.WritableStream; version: string }): Promise<number> {
  if (opts.server !== undefined) checkServerUrl(opts.server, '--server');
  // Settings the agent would otherwise only find wrong inside its loop, where a service retries
  // them for ever with back-off: checked here, as bad usage (exit 2).
  const attributes = opts.attr.length > 0 ? attributePairsToObject(opts.attr) : undefined;
  if (attributes) parseAttributePatch(attributes, '--attr');
  const root = statSync(opts.root, { throwIfNoEntry: false });
  if (!root?.isDirectory()) throw new PatchwiseError('PW_USAGE', `--root ${opts.root}: ${root ? 'is not a directory' : 'no such directory'}`);
  const stateDir = opts.state ?? (process.getuid?.() === 0 ? '/var/lib/patchwise-agent' : join(homedir(), '.patchwise-agent'));
  const enrollToken = opts.enrollToken ?? process.env.PATCHWISE_ENROLL_TOKEN;
  // Made (and checked) only when there is state to keep, by the agent's own rule: one that can
  // neither enroll nor find an identity stops with its usage error, leaving no directory behind.
  if (keepsState({ stateDir, serverUrl: opts.server, enrollToken })) {
    try {
      makeWritableDirectory(stateDir, 0o700);
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
      throw new PatchwiseError('PW_USAGE', `--state ${stateDir}: cannot hold the agent's state (${reason})`, { cause: err });
    }
  }
  const approvers = opts.approvers === undefined ? undefined : parseApproverPins(readDocumentFile(opts.approvers, 'approvers'), opts.approvers);
  const controller = new AbortController();
  // The reason is the signal's name, for the agent's `stopping (SIGTERM)` line.
  const stop = (signal: NodeJS.Signals) => controller.abort(signal);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await runAgent({
      serverUrl: opts.server,
      enrollToken,
      stateDir,
      root: opts.root,
      once: opts.once ?? false,
      jobs: opts.jobs ?? true,
      attributes,
      hostName: opts.hostname,
      approvers,
      agentVersion: io.version,
      log: (line) => io.stderr.write(`${new Date().toISOString()} patchwise-agent: ${line}\n`),
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
