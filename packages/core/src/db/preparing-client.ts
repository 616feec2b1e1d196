import type pg from 'pg';
import type { StatementNames } from './statement-names.js';

/**
 * node-postgres's client, sending the statements `names` picks as named (prepared) ones. Kysely
 * calls `query(text, values)`; that form becomes `query({ name, text, values })`, which
 * node-postgres parses once per connection and afterwards only binds and executes. Statements
 * without parameters (`begin`, `commit`) go by the simple protocol, as before.
 */
export function preparingClient(Client: typeof pg.Client, names: StatementNames): typeof pg.Client {
  class PreparingClient extends Client {}
  const { query } = Client.prototype as unknown as { query: (this: pg.Client, ...args: unknown[]) => unknown };
  // Assigned, not overridden in the class body: `query`'s many overloads cannot be restated.
  PreparingClient.prototype.query = function (this: pg.Client, text: unknown, values?: unknown, callback?: unknown) {
    if (typeof text === 'string' && Array.isArray(values) && values.length > 0) {
      const name = names.nameOf(text);
      if (name !== undefined) return query.call(this, { name, text, values }, callback);
    }
    return query.call(this, text, values, callback);
  } as pg.Client['query'];
  return PreparingClient;
}
