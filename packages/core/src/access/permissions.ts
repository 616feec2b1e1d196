/**
 * What a person may do, one permission per kind of action. A permission is either about hosts
 * (`hosts`: a role binding can limit it to host groups and environments, and the answer is then
 * filtered to, or the target must be in, that scope; a change request is in scope by its
 * environment or group) or about the platform as a whole (`global`:
 * only an unscoped binding grants it, because feeds, users or the audit trail have no host to
 * scope by).
 */
export const PERMISSIONS = {
  'hosts.read': { scope: 'hosts', description: 'list and show hosts, their facts and attributes' },
  'hosts.write': { scope: 'hosts', description: 'set host attributes, release a quarantine' },
  'findings.read': { scope: 'hosts', description: 'list findings' },
  'reports.read': { scope: 'hosts', description: 'compliance reports' },
  'exceptions.read': { scope: 'hosts', description: 'the exception register' },
  'exceptions.request': { scope: 'hosts', description: 'request an exception' },
  'exceptions.approve': { scope: 'hosts', description: 'approve, reject or revoke an exception requested by someone else' },
  'changes.read': { scope: 'hosts', description: 'change requests and approval policies' },
  'changes.request': { scope: 'hosts', description: 'request a deployment or promotion, cancel one you requested' },
  'changes.approve': { scope: 'hosts', description: 'approve or reject a change someone else requested' },
  'approvals.manage': { scope: 'global', description: 'set approval policies per environment' },
  'patchsets.read': { scope: 'global', description: 'patch sets and what they fix; the rings they are promoted through and the script library' },
  'patchsets.write': { scope: 'global', description: 'make patch sets (from findings or by hand)' },
  'deployments.read': { scope: 'hosts', description: 'deployments, their plans, jobs and reports (scoped: deployments whose every host is in scope)' },
  'deployments.write': { scope: 'hosts', description: 'create, start (with an approved change), pause, resume, halt, cancel and roll back deployments (scoped: to hosts in scope only)' },
  'scripts.write': { scope: 'global', description: 'add, change and delete scripts of the library (a change withdraws the approval)' },
  'scripts.approve': { scope: 'global', description: "approve a library script someone else wrote" },
  'rings.write': { scope: 'global', description: 'set the rings patch sets are promoted through' },
  'policy.read': { scope: 'global', description: 'export the governance policy as code' },
  'policy.apply': { scope: 'global', description: 'apply a policy document (groups, baselines, approval policies, custom roles, windows, freezes)' },
  'groups.read': { scope: 'global', description: 'host group definitions' },
  'baselines.read': { scope: 'global', description: 'patch baselines' },
  'baselines.write': { scope: 'global', description: 'create, change and delete patch baselines' },
  'maintenance.read': { scope: 'global', description: 'maintenance windows, their openings, and freezes' },
  'maintenance.write': { scope: 'global', description: 'create, change and delete maintenance windows and freezes' },
  'groups.write': { scope: 'global', description: 'create, change and delete host groups' },
  'feeds.read': { scope: 'global', description: 'feed status' },
  'feeds.write': { scope: 'global', description: 'import and sync feeds' },
  'cmdb.read': { scope: 'global', description: 'CMDB reconciliation' },
  'cmdb.write': { scope: 'global', description: 'import CMDB exports' },
  'enroll.manage': { scope: 'global', description: 'create, list and revoke enrollment tokens' },
  'agentless.write': { scope: 'global', description: "register and remove agentless (SSH) hosts, show the server's SSH public key" },
  'audit.read': { scope: 'global', description: 'read, export and verify the audit trail' },
  'tokens.own': { scope: 'global', description: "create, list and revoke one's own API tokens" },
  'users.manage': { scope: 'global', description: "create and change users, their role bindings and other people's tokens" },
  'roles.manage': { scope: 'global', description: 'create and delete custom roles' },
} as const satisfies Record<string, { scope: 'hosts' | 'global'; description: string }>;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

export function isHostScoped(permission: Permission): boolean {
  return PERMISSIONS[permission].scope === 'hosts';
}

const VIEWER: Permission[] = ['hosts.read', 'findings.read', 'reports.read', 'exceptions.read', 'changes.read', 'groups.read', 'baselines.read', 'maintenance.read', 'policy.read', 'patchsets.read', 'deployments.read', 'feeds.read', 'tokens.own'];

/**
 * The built-in roles. Their names are reserved; custom roles are any other set of permissions.
 * The approver reads and decides but changes nothing else, so approving stays a separate duty
 * from operating.
 */
export const BUILTIN_ROLES: Readonly<Record<string, readonly Permission[]>> = {
  viewer: VIEWER,
  operator: [...VIEWER, 'hosts.write', 'exceptions.request', 'changes.request', 'patchsets.write', 'deployments.write', 'scripts.write', 'groups.write', 'feeds.write', 'cmdb.read', 'cmdb.write', 'enroll.manage', 'agentless.write'],
  approver: [...VIEWER, 'exceptions.approve', 'changes.approve', 'scripts.approve'],
  admin: ALL_PERMISSIONS,
};
