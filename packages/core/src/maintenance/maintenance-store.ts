import { sql, type Kysely } from 'kysely';
import { PatchwiseError } from '../errors/index.js';
import type { Freeze } from './freeze.js';
import type { MaintenanceWindow } from './maintenance-window.js';
import type { MaintenanceTables } from './tables.js';
import type { MaintenanceSchedule } from './window-calendar.js';

type Kind = 'window' | 'freeze';
const TABLE = { window: 'maintenance_windows', freeze: 'maintenance_freezes' } as const;

/** Who names a host group: what must change before the group may go. */
export interface GroupUsers {
  readonly windows: readonly string[];
  readonly freezes: readonly string[];
}

/**
 * Maintenance windows and freezes as stored, by name. Validation happens before
 * (parseMaintenanceWindow, parseFreeze); that named groups exist is the caller's check, since
 * groups belong to the policy module (see `groupUsers` for the other direction).
 */
export class MaintenanceStore {
  constructor(
    private readonly db: Kysely<MaintenanceTables>,
    private readonly clock: () => Date,
  ) {}

  /** Creates or replaces a window; returns the one it replaced (for the audit trail). */
  putWindow(window: MaintenanceWindow): Promise<MaintenanceWindow | undefined> {
    return this.put('window', window);
  }

  async window(name: string): Promise<MaintenanceWindow | undefined> {
    return (await this.get('window', name)) as MaintenanceWindow | undefined;
  }

  async requireWindow(name: string): Promise<MaintenanceWindow> {
    return (await this.require('window', name)) as MaintenanceWindow;
  }

  /** Every window, by name. */
  async windows(): Promise<MaintenanceWindow[]> {
    return (await this.all('window')) as MaintenanceWindow[];
  }

  /** Deletes a window; returns it (for the audit trail). */
  async deleteWindow(name: string): Promise<MaintenanceWindow> {
    return (await this.delete('window', name)) as MaintenanceWindow;
  }

  putFreeze(freeze: Freeze): Promise<Freeze | undefined> {
    return this.put('freeze', freeze);
  }

  async freeze(name: string): Promise<Freeze | undefined> {
    return (await this.get('freeze', name)) as Freeze | undefined;
  }

  async requireFreeze(name: string): Promise<Freeze> {
    return (await this.require('freeze', name)) as Freeze;
  }

  /** Every freeze, by name. */
  async freezes(): Promise<Freeze[]> {
    return (await this.all('freeze')) as Freeze[];
  }

  async deleteFreeze(name: string): Promise<Freeze> {
    return (await this.delete('freeze', name)) as Freeze;
  }

  /** Every window and freeze; which apply to a host is the caller's choice (`scheduleForHost`). */
  async schedule(): Promise<MaintenanceSchedule> {
    return { windows: await this.windows(), freezes: await this.freezes() };
  }

  /** The windows and freezes that name a group, by name. */
  async groupUsers(group: string): Promise<GroupUsers> {
    const named = (kind: Kind) =>
      this.db
        .selectFrom(TABLE[kind])
        .select('name')
        .where(sql<boolean>`groups @> ${JSON.stringify([group])}::jsonb`)
        .orderBy('name')
        .execute();
    return { windows: (await named('window')).map((r) => r.name), freezes: (await named('freeze')).map((r) => r.name) };
  }

  private async put<T extends { readonly name: string; readonly groups: readonly string[] }>(kind: Kind, item: T): Promise<T | undefined> {
    const before = (await this.get(kind, item.name)) as T | undefined;
    const now = this.clock();
    const columns = { document: JSON.stringify(item), groups: JSON.stringify(item.groups) };
    await this.db
      .insertInto(TABLE[kind])
      .values({ name: item.name, ...columns, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doUpdateSet({ ...columns, updated_at: now }))
      .execute();
    return before;
  }

  private async get(kind: Kind, name: string): Promise<unknown> {
    const row = await this.db.selectFrom(TABLE[kind]).select('document').where('name', '=', name).executeTakeFirst();
    return row?.document;
  }

  private async require(kind: Kind, name: string): Promise<unknown> {
    const found = await this.get(kind, name);
    if (found === undefined) throw new PatchwiseError('PW_NOT_FOUND', `no maintenance ${kind} named ${name}`);
    return found;
  }

  private async all(kind: Kind): Promise<unknown[]> {
    return (await this.db.selectFrom(TABLE[kind]).select('document').orderBy('name').execute()).map((r) => r.document);
  }

  private async delete(kind: Kind, name: string): Promise<unknown> {
    const row = await this.db.deleteFrom(TABLE[kind]).where('name', '=', name).returning('document').executeTakeFirst();
    if (!row) throw new PatchwiseError('PW_NOT_FOUND', `no maintenance ${kind} named ${name}`);
    return row.document;
  }
}
