/**
 * A runner that keeps the record of every command it runs, in order, on top of another runner.
 * executeJob runs a whole job (driver commands, steps, checks) through one, so the report holds
 * every command whoever issued it.
 */
import type { CommandRecord } from '@patchwise/core';
import type { CommandRunner, CommandRunOptions } from './command-runner.js';

export class RecordingRunner implements CommandRunner {
  readonly #records: CommandRecord[] = [];
  /**
   * The job phase commands run in now (`install`, `rollback`…). When set it is the records' step,
   * whatever step the caller (a driver) named: the report says what the job was doing, and the
   * argv says which command it was.
   */
  phase: string | undefined;

  constructor(readonly inner: CommandRunner) {}

  get description(): string {
    return this.inner.description;
  }

  /** The records so far, oldest first. */
  get records(): readonly CommandRecord[] {
    return this.#records;
  }

  /** Adds a record of something that is not a program (an HTTP check), so the report shows it in its place. */
  add(record: CommandRecord): void {
    this.#records.push(record);
  }

  async run(step: string, argv: readonly string[], options?: CommandRunOptions): Promise<CommandRecord> {
    const record = await this.inner.run(this.phase ?? step, argv, options);
    this.#records.push(record);
    return record;
  }
}
