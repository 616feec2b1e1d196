/**
 * Reading facts one at a time, shared by the agent's collector (collectFacts) and the agentless
 * reader over SSH (collectRemoteInventory), so a host's facts are judged the same whichever reads
 * them: a fact that cannot be read is null and reported, and the others are still read. A host
 * whose machine id or time zone file is unreadable is still a host whose packages can be assessed;
 * failing the whole check-in or scan for it would hide every finding of that host instead.
 */
import { isPatchwiseError, type PatchwiseError } from '@patchwise/core';
import type { FactName, HostFacts } from './host-facts.js';

/** Told about each fact that could not be read, with the typed error naming the file or call. */
export type OnUnreadableFact = (fact: FactName, err: PatchwiseError) => void;

/** A fact that could not be read, and why (PW_INPUT_UNREADABLE, PW_INPUT_TOO_LARGE, …). */
export interface UnreadableFact {
  readonly fact: FactName;
  readonly error: PatchwiseError;
}

/** Reads one fact: its value, or null when `read` failed with a typed error and `onUnreadable` took it. */
export type FactReader = <K extends FactName>(name: K, read: () => HostFacts[K] | Promise<HostFacts[K]>) => Promise<HostFacts[K] | null>;

/**
 * A FactReader reporting to `onUnreadable`. Without one, the first failure is thrown (callers
 * that want all or nothing, as tests comparing collectors do). Only PatchwiseErrors count as a
 * fact that cannot be read; anything else is a bug in the reader and is thrown either way.
 */
export function factReader(onUnreadable: OnUnreadableFact | undefined): FactReader {
  return async (name, read) => {
    try {
      return await read();
    } catch (err) {
      if (!isPatchwiseError(err) || !onUnreadable) throw err;
      onUnreadable(name, err);
      return null;
    }
  };
}

/** The one line the agent logs and an agentless scan reports for a fact it could not read. */
export function unreadableFactMessage(fact: FactName, err: PatchwiseError): string {
  return `fact ${fact} could not be read, reported as unknown: ${err.message}`;
}
