/**
 * A CommandRunner for package managers that cannot run on this machine (dnf, yum, zypper, apk):
 * each expected command is listed with the exact argv the driver must send and the output the
 * real tool prints in that situation. The outputs are written by hand from the tools' documented
 * formats (man pages, and dnf's own behaviour tests for needs-restarting), not captured here;
 * docs/agent-execution.md says so. A command out of order or not listed fails the test.
 */
import type { CommandRecord } from '@patchwise/core';
import type { CommandRunner, CommandRunOptions } from '@patchwise/agent';

export interface ScriptedCommand {
  readonly argv: readonly string[];
  readonly exitCode?: number | null;
  readonly stdout?: string;
  readonly stderr?: string;
}

export class ScriptedRunner implements CommandRunner {
  readonly description = 'scripted';
  readonly calls: { step: string; argv: readonly string[]; options: CommandRunOptions | undefined }[] = [];
  readonly #expected: ScriptedCommand[];

  constructor(expected: readonly ScriptedCommand[]) {
    this.#expected = [...expected];
  }

  run(step: string, argv: readonly string[], options?: CommandRunOptions): Promise<CommandRecord> {
    this.calls.push({ step, argv, options });
    const next = this.#expected.shift();
    const got = JSON.stringify(argv);
    if (!next) return Promise.reject(new Error(`unexpected command ${got}`));
    if (JSON.stringify(next.argv) !== got) return Promise.reject(new Error(`expected command ${JSON.stringify(next.argv)}, got ${got}`));
    return Promise.resolve({
      step,
      argv: [...argv],
      exitCode: next.exitCode === undefined ? 0 : next.exitCode,
      signal: null,
      stdout: next.stdout ?? '',
      stderr: next.stderr ?? '',
      startedAt: '2026-01-01T00:00:00.000Z',
      durationMs: 1,
    });
  }

  /** The expected commands not run yet (a test ends with none). */
  get remaining(): readonly ScriptedCommand[] {
    return this.#expected;
  }
}
