/**
 * Whether a CMDB record's lifecycle status makes it an expected host. Expected means "in service
 * now, even if down for a while": an asset that is broken, in repair or maintenance, or a
 * disaster-recovery standby is still one Patchwise should see (reported missing or stale when it
 * does not, which is true). Ordered, planned, staged, in stock, retired, stolen or
 * decommissioning records are not expected; listing them would turn every one into a false
 * "missing". A host that still reports while its record says retired shows up as "unknown",
 * which is the finding people want.
 *
 * Values not in the tables are refused, not guessed: a custom status could mean either.
 * Sources: ServiceNow cmdb_ci `install_status` and `operational_status` choice lists (the
 * out-of-the-box values and labels; checked against ServiceNow's community documentation of the
 * fields, as the product docs list them per release); NetBox DeviceStatusChoices and
 * VirtualMachineStatusChoices (netbox-community/netbox, dcim/choices.py, virtualization/choices.py).
 */
import { FieldProblem } from './asset-fields.js';

/** ServiceNow install_status: stored value and label. */
const INSTALL_STATUS: readonly [string, string, boolean][] = [
  ['1', 'installed', true],
  ['2', 'on order', false],
  ['3', 'in maintenance', true],
  ['4', 'pending install', false],
  ['5', 'pending repair', true],
  ['6', 'in stock', false],
  ['7', 'retired', false],
  ['8', 'stolen', false],
  ['100', 'absent', false],
];

/** ServiceNow operational_status: stored value and label. */
const OPERATIONAL_STATUS: readonly [string, string, boolean][] = [
  ['1', 'operational', true],
  ['2', 'non operational', false],
  ['3', 'repair in progress', true],
  ['4', 'dr standby', true],
  ['5', 'ready', false],
  ['6', 'retired', false],
  ['7', 'pipeline', false],
  ['8', 'catalog', false],
];

/** NetBox device and virtual machine status (value; the label is the same word capitalised). */
const NETBOX_STATUS: Readonly<Record<string, boolean>> = {
  active: true,
  failed: true,
  offline: false,
  planned: false,
  staged: false,
  inventory: false,
  decommissioning: false,
};

/** Words a hand-kept sheet uses that none of the vocabularies above has. */
const OTHER_WORDS: Readonly<Record<string, boolean>> = {
  'in use': true,
  decommissioned: false,
  disposed: false,
};

export type StatusSlot = 'status' | 'install_status' | 'operational_status';

function statusKey(value: string): string {
  return value.trim().toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

function table(rows: readonly [string, string, boolean][], numbers: boolean): Map<string, boolean> {
  const m = new Map<string, boolean>();
  for (const [n, label, expected] of rows) {
    m.set(label, expected);
    if (numbers) m.set(n, expected);
  }
  return m;
}

/**
 * A generic Status column reads labels of every vocabulary (ServiceNow's Excel export labels
 * install_status "Status"), but not the numbers, which only ServiceNow's own columns define.
 */
const VOCABULARY: Readonly<Record<StatusSlot, ReadonlyMap<string, boolean>>> = {
  install_status: table(INSTALL_STATUS, true),
  operational_status: table(OPERATIONAL_STATUS, true),
  status: new Map([
    ...table(INSTALL_STATUS, false),
    ...table(OPERATIONAL_STATUS, false),
    ...Object.entries(NETBOX_STATUS),
    ...Object.entries(OTHER_WORDS),
  ]),
};

/** The values a status column accepts, with their verdict: for docs and tests. */
export function statusVocabulary(slot: StatusSlot): ReadonlyMap<string, boolean> {
  return VOCABULARY[slot];
}

/**
 * True when a record with this status is expected to be seen. `column` is the header as written,
 * named in the error for a value outside the tables.
 */
export function isExpectedStatus(slot: StatusSlot, value: string, column: string): boolean {
  const verdict = VOCABULARY[slot].get(statusKey(value));
  if (verdict !== undefined) return verdict;
  throw new FieldProblem(column, `"${value}" is not a known status; see docs/cmdb.md for the statuses read as expected and not expected`);
}
