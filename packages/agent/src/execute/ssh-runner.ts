/**
 * Agentless mode: the CommandRunner of a host reached over one SSH connection (ssh2), so job
 * executors and collectors work on it exactly as on the machine they run on.
 *
 * Trust: the host key is checked against the pinned fingerprint inside the key exchange, before
 * the client authenticates; a different key ends the connection with PW_HOST_KEY_MISMATCH, so no
 * credential is offered to an impostor and nothing runs. Commands: the argument vector is sent as
 * one string of single-quoted words (remote-command-line.ts), so the remote shell runs exactly
 * the program and arguments given.
 */
import { performance } from 'node:perf_hooks';
import ssh2, { type ClientChannel } from 'ssh2';
import { PatchwiseError, parseHostKeySha256, type CommandRecord } from '@patchwise/core';
import type { CommandRunOptions, CommandRunner } from './command-runner.js';
import { ANNOUNCE_PID, AnnouncedPid, killCommand } from './announced-pid.js';
import { HOST_KEY_ALGORITHMS, sshFingerprint } from './fetch-host-key.js';
import { OutputTail } from './output-tail.js';
import { remoteCommandLine } from './remote-command-line.js';
import { describeSshError, sshWhere } from './describe-ssh-error.js';

/** What a local runner keeps of each stream by default, and so does this one. */
export const DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
const DEFAULT_COMMAND_MS = 10 * 60_000;

export interface SshTimeouts {
  /** Milliseconds for the TCP connection, key exchange and authentication together (default 20 000). */
  readonly connectMs?: number;
  /** A command's limit when `run` is given none (default 10 minutes). */
  readonly commandMs?: number;
  /** Keep-alive interval while connected; three unanswered in a row end the connection (default 15 000). */
  readonly keepaliveMs?: number;
}

export interface SshConnectOptions {
  /** DNS name or IP address. */
  readonly host: string;
  /** Default 22. */
  readonly port?: number;
  readonly username: string;
  /** The client's private key, OpenSSH or PEM format, unencrypted. */
  readonly privateKey: string | Buffer;
  /** The pinned host key fingerprint, `SHA256:…` as `ssh-keygen -lf` prints it. */
  readonly hostKeySha256: string;
  readonly timeouts?: SshTimeouts;
  /** For `startedAt` of the records; defaults to the system clock. */
  readonly clock?: () => Date;
}

export class SshRunner implements CommandRunner {
  readonly description: string;
  private closed = false;
  private readonly closing: Promise<void>;
  /** Runs in flight, ended with a note should the connection drop under them. */
  private readonly inFlight = new Set<(note: string) => void>();

  private constructor(
    private readonly client: ssh2.Client,
    description: string,
    private readonly commandMs: number,
    private readonly clock: () => Date,
  ) {
    this.description = description;
    this.closing = new Promise((resolve) => {
      client.once('close', () => {
        this.closed = true;
        for (const end of [...this.inFlight]) end('patchwise: the SSH connection closed before the command finished');
        resolve();
      });
    });
    // After the handshake, errors surface as closed channels and records; none may crash the process.
    client.on('error', () => undefined);
  }

  /**
   * Connects and authenticates as `username` with `privateKey`, after checking the host key.
   * Throws PW_HOST_KEY_MISMATCH (naming the host and both fingerprints) when the host presents
   * another key; PW_HOST_UNREACHABLE when it cannot be reached, refuses the key or is too slow;
   * PW_INPUT_INVALID for a malformed pinned fingerprint; PW_CONFIG_INVALID for an unusable private key.
   */
  static async connect(options: SshConnectOptions): Promise<SshRunner> {
    const port = options.port ?? 22;
    const where = sshWhere(options.username, options.host, port);
    const pinned = parseHostKeySha256(options.hostKeySha256, `host key pinned for ${where}`);
    const connectMs = options.timeouts?.connectMs ?? 20_000;
    const client = new ssh2.Client();
    let presented: string | undefined;
    return new Promise<SshRunner>((resolve, reject) => {
      let settled = false;
      const detach = () => {
        client.off('ready', onReady);
        client.off('error', onError);
        client.off('close', onClose);
      };
      const fail = (err: PatchwiseError) => {
        if (settled) return;
        settled = true;
        detach();
        client.on('error', () => undefined); // the socket may still report its end
        client.end();
        reject(err);
      };
      const onReady = () => {
        if (settled) return;
        settled = true;
        detach();
        resolve(new SshRunner(client, where, options.timeouts?.commandMs ?? DEFAULT_COMMAND_MS, options.clock ?? (() => new Date())));
      };
      const onError = (err: Error & { level?: string }) => {
        if (presented !== undefined && presented !== pinned) {
          fail(
            new PatchwiseError(
              'PW_HOST_KEY_MISMATCH',
              `the host presented key ${presented} but ${pinned} is pinned for it; nothing was run. A reinstalled host has a new key, and so does someone in between: compare with ssh-keygen -lf on the host itself before pinning the new one`,
              { input: where },
            ),
          );
        } else {
          fail(new PatchwiseError('PW_HOST_UNREACHABLE', describeSshError(err, connectMs), { input: where, cause: err }));
        }
      };
      const onClose = () => fail(new PatchwiseError('PW_HOST_UNREACHABLE', 'the connection closed before authentication finished', { input: where }));
      client.on('ready', onReady);
      client.on('error', onError);
      client.on('close', onClose);
      try {
        client.connect({
          host: options.host,
          port,
          username: options.username,
          privateKey: options.privateKey,
          readyTimeout: connectMs,
          keepaliveInterval: options.timeouts?.keepaliveMs ?? 15_000,
          keepaliveCountMax: 3,
          tryKeyboard: false,
          algorithms: { serverHostKey: [...HOST_KEY_ALGORITHMS] },
          // Called during key exchange, before any authentication request is sent.
          hostVerifier: (key: Buffer) => {
            presented = sshFingerprint(key);
            return presented === pinned;
          },
        });
      } catch (err) {
        // ssh2 parses the private key synchronously and throws when it cannot.
        fail(new PatchwiseError('PW_CONFIG_INVALID', `the SSH client key cannot be used: ${(err as Error).message}`, { input: where, cause: err }));
      }
    });
  }

  /**
   * Runs `argv` on the host (quoted word by word; `options.env` through env(1)) and resolves with
   * its record whatever happens: exit code, or the signal that ended it; stdout and stderr, each
   * the last `maxOutputBytes` (default 64 KiB). After `timeoutMs` (default the connection's
   * `commandMs`) the program and its process group are killed (SIGKILL; announced-pid.ts says
   * how), its channel is closed, and the record has
   * `exitCode: null`, `signal: 'SIGKILL'` and a note at the end of stderr; so does a program whose
   * connection dropped or whose channel could not be opened (`signal: null`). Throws only for an
   * argument vector or environment that cannot be sent (PW_INPUT_INVALID) and after `close()`.
   */
  async run(step: string, argv: readonly string[], options: CommandRunOptions = {}): Promise<CommandRecord> {
    const command = ANNOUNCE_PID + remoteCommandLine(argv, options.env);
    if (this.closed) throw new PatchwiseError('PW_INPUT_INVALID', 'the SSH connection is closed', { input: this.description });
    const maxBytes = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const timeoutMs = options.timeoutMs ?? this.commandMs;
    const startedAt = this.clock().toISOString();
    const t0 = performance.now();
    const stdout = new OutputTail(maxBytes);
    const stderr = new OutputTail(maxBytes);
    const announced = new AnnouncedPid();
    let exitCode: number | null = null;
    let signal: string | null = null;
    let channel: ClientChannel | undefined;
    return new Promise<CommandRecord>((resolve) => {
      let done = false;
      let timedOut = false;
      const finish = (note?: string) => {
        if (done || (timedOut && note === undefined)) return;
        done = true;
        clearTimeout(timer);
        this.inFlight.delete(finish);
        const held = announced.flush();
        if (held) stderr.push(held);
        const err = stderr.text();
        resolve({
          step,
          argv: [...argv],
          exitCode,
          signal,
          stdout: stdout.text(),
          stderr: note === undefined ? err : `${err}${err === '' || err.endsWith('\n') ? '' : '\n'}${note}\n`,
          startedAt,
          durationMs: Math.round(performance.now() - t0),
        });
      };
      const timer = setTimeout(() => {
        timedOut = true;
        exitCode = null;
        signal = 'SIGKILL';
        const note = `patchwise: killed after ${timeoutMs} ms (timeout); the channel was closed`;
        // See announced-pid.ts for why a second command does the killing; the channel closes
        // once the kill has run (or could not), so the record comes after the program is gone.
        const pid = announced.pid;
        const killed = pid === undefined ? Promise.resolve() : this.execQuietly(killCommand(pid), 10_000);
        void killed.then(() => {
          channel?.close();
          finish(note);
        });
      }, timeoutMs);
      this.inFlight.add(finish);
      this.client.exec(command, (err, stream) => {
        if (err) return finish(`patchwise: the command could not be started over SSH: ${err.message}`);
        channel = stream;
        if (done || timedOut) {
          stream.close(); // timed out while the channel was being opened
          return;
        }
        stream.on('data', (chunk: Buffer) => stdout.push(chunk));
        stream.stderr.on('data', (chunk: Buffer) => stderr.push(announced.take(chunk)));
        stream.on('exit', (code: number | null, sig?: string) => {
          if (timedOut) return; // the record says timeout, whatever the program did meanwhile
          if (typeof code === 'number') exitCode = code;
          else signal = sig ?? null;
        });
        stream.on('close', () => finish());
      });
    });
  }

  /** Runs an internal command line, output ignored; resolves when it ends, fails or `timeoutMs` passes. */
  private execQuietly(command: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      if (this.closed) return done();
      this.client.exec(command, (err, stream) => {
        if (err) return done();
        stream.on('close', done);
        stream.resume();
        stream.stderr.resume();
      });
    });
  }

  /** Ends the connection; resolves once it is closed. Idempotent. */
  close(): Promise<void> {
    if (!this.closed) this.client.end();
    return this.closing;
  }
}
