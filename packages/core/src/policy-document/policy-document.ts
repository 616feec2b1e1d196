import { PatchwiseError } from '../errors/index.js';
import { isPermission, BUILTIN_ROLES } from '../access/index.js';
import { parseApprovalPolicy, type ApprovalPolicy } from '../approvals/index.js';
import { parseFreeze, parseMaintenanceWindow, type Freeze, type MaintenanceWindow } from '../maintenance/index.js';
import { parseHostGroup, parsePatchBaseline, parseSlaPolicy, type HostGroup, type PatchBaseline, type SlaPolicy } from '../policy/index.js';

/** A custom role as policy code holds it (built-in roles are not policy: they come with the code). */
export interface RoleDefinition {
  readonly name: string;
  readonly description: string;
  readonly permissions: readonly string[];
}

/**
 * Governance as one reviewable file: host groups, patch baselines, approval policies, custom
 * roles, maintenance windows and freezes, and the SLA. A section present in a document is the whole truth about its kind (what it
 * does not name is deleted on apply); a section left out is left alone.
 */
export interface PolicyDocument {
  readonly groups?: readonly HostGroup[] | undefined;
  readonly baselines?: readonly PatchBaseline[] | undefined;
  readonly approvalPolicies?: readonly ApprovalPolicy[] | undefined;
  readonly roles?: readonly RoleDefinition[] | undefined;
  readonly windows?: readonly MaintenanceWindow[] | undefined;
  readonly freezes?: readonly Freeze[] | undefined;
  readonly sla?: SlaPolicy | undefined;
}

export const POLICY_DOCUMENT_VERSION = 1;
const SECTIONS = ['version', 'groups', 'baselines', 'approvalPolicies', 'roles', 'windows', 'freezes', 'sla'] as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseRole(value: unknown, label: string): RoleDefinition {
  const bad = (why: string) => new PatchwiseError('PW_INPUT_INVALID', `${label}: ${why}`);
  if (!isObject(value)) throw bad('expected { name, description?, permissions }');
  const unknown = Object.keys(value).filter((k) => !['name', 'description', 'permissions'].includes(k));
  if (unknown.length) throw bad(`unknown field ${unknown[0]!} (expected name, description, permissions)`);
  const { name, description, permissions } = value;
  if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(name)) throw bad('name: 1–64 letters, digits, . _ @ -');
  if (Object.hasOwn(BUILTIN_ROLES, name)) throw bad(`name: ${name} is a built-in role; policy code holds custom roles only`);
  if (description !== undefined && typeof description !== 'string') throw bad('description: expected text');
  if (!Array.isArray(permissions) || permissions.length === 0 || permissions.some((p) => typeof p !== 'string')) throw bad('permissions: a non-empty list of permission names');
  const unknownPermissions = (permissions as string[]).filter((p) => !isPermission(p));
  if (unknownPermissions.length) throw bad(`permissions: unknown ${unknownPermissions.join(', ')}`);
  return { name, description: description ?? '', permissions: [...new Set(permissions as string[])].sort() };
}

function section<T>(value: unknown, name: string, source: string, parse: (v: unknown, label: string) => T, key: (t: T) => string): T[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new PatchwiseError('PW_INPUT_INVALID', `${name}: expected a list`, { input: source });
  const seen = new Set<string>();
  return value.map((entry, i) => {
    const parsed = parse(entry, `${source}: ${name}[${i}]`);
    const k = key(parsed);
    if (seen.has(k)) throw new PatchwiseError('PW_INPUT_INVALID', `${name}[${i}]: ${k} appears twice`, { input: source });
    seen.add(k);
    return parsed;
  });
}

/** A policy document from parsed YAML or JSON, each entry checked by its own kind's rules. */
export function parsePolicyDocument(value: unknown, source: string): PolicyDocument {
  if (!isObject(value)) throw new PatchwiseError('PW_INPUT_INVALID', `expected a policy document: an object with version and some of ${SECTIONS.slice(1).join(', ')}`, { input: source });
  const unknown = Object.keys(value).filter((k) => !(SECTIONS as readonly string[]).includes(k));
  if (unknown.length) throw new PatchwiseError('PW_INPUT_INVALID', `${unknown[0]!}: unknown section (expected ${SECTIONS.join(', ')})`, { input: source });
  if (value.version !== POLICY_DOCUMENT_VERSION) throw new PatchwiseError('PW_INPUT_INVALID', `version: expected ${POLICY_DOCUMENT_VERSION}`, { input: source });
  return {
    groups: section(value.groups, 'groups', source, parseHostGroup, (g) => g.name),
    baselines: section(value.baselines, 'baselines', source, parsePatchBaseline, (b) => b.name),
    approvalPolicies: section(value.approvalPolicies, 'approvalPolicies', source, parseApprovalPolicy, (p) => p.environment),
    roles: section(value.roles, 'roles', source, parseRole, (r) => r.name),
    windows: section(value.windows, 'windows', source, parseMaintenanceWindow, (w) => w.name),
    freezes: section(value.freezes, 'freezes', source, parseFreeze, (f) => f.name),
    sla: value.sla === undefined ? undefined : parseSlaPolicy(value.sla, `${source}: sla`),
  };
}

/** The document as plain data (for YAML or JSON), sections in a fixed order, absent ones left out. */
export function policyDocumentData(doc: PolicyDocument): Record<string, unknown> {
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  return {
    version: POLICY_DOCUMENT_VERSION,
    ...(doc.groups ? { groups: plain(doc.groups) } : {}),
    ...(doc.baselines ? { baselines: plain(doc.baselines) } : {}),
    ...(doc.approvalPolicies ? { approvalPolicies: plain(doc.approvalPolicies) } : {}),
    ...(doc.roles ? { roles: plain(doc.roles) } : {}),
    ...(doc.windows ? { windows: plain(doc.windows) } : {}),
    ...(doc.freezes ? { freezes: plain(doc.freezes) } : {}),
    ...(doc.sla ? { sla: plain(doc.sla) } : {}),
  };
}
