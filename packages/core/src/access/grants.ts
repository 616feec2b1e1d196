import { BUILTIN_ROLES, isHostScoped, isPermission, type Permission } from './permissions.js';

/** Where a role binding applies: hosts in any of these groups or environments. */
export interface BindingScope {
  readonly groups: readonly string[];
  readonly environments: readonly string[];
}

/** A role given to a user, for the whole fleet (`scope` null) or for part of it. */
export interface RoleBinding {
  readonly role: string;
  readonly scope: BindingScope | null;
}

/**
 * What a caller may do with one permission: nothing, everything, or only hosts in the union of
 * these groups and environments.
 */
export type Grant = { readonly kind: 'none' } | { readonly kind: 'all' } | { readonly kind: 'scoped'; readonly groups: ReadonlySet<string>; readonly environments: ReadonlySet<string> };

const NONE: Grant = { kind: 'none' };
const ALL: Grant = { kind: 'all' };

/** A caller's permissions, resolved once per request. */
export class Grants {
  private constructor(private readonly byPermission: ReadonlyMap<Permission, Grant>) {}

  /**
   * Resolves bindings to grants. `customRoles` maps a custom role's name to its permissions;
   * a binding to a role that no longer exists grants nothing. `tokenPermissions`, when the
   * caller used a scoped API token, narrows everything to that list (a token never adds).
   */
  static resolve(bindings: readonly RoleBinding[], customRoles: ReadonlyMap<string, readonly string[]>, tokenPermissions: readonly string[] | null = null): Grants {
    const limit = tokenPermissions ? new Set(tokenPermissions) : null;
    const acc = new Map<Permission, { all: boolean; groups: Set<string>; environments: Set<string> }>();
    for (const binding of bindings) {
      const permissions = BUILTIN_ROLES[binding.role] ?? customRoles.get(binding.role) ?? [];
      for (const name of permissions) {
        if (!isPermission(name) || (limit && !limit.has(name))) continue;
        // A scoped binding cannot grant a platform-wide permission: there is no host to scope it by.
        if (binding.scope && !isHostScoped(name)) continue;
        const entry = acc.get(name) ?? { all: false, groups: new Set<string>(), environments: new Set<string>() };
        if (!binding.scope) entry.all = true;
        else {
          for (const g of binding.scope.groups) entry.groups.add(g);
          for (const e of binding.scope.environments) entry.environments.add(e);
        }
        acc.set(name, entry);
      }
    }
    const out = new Map<Permission, Grant>();
    for (const [name, e] of acc) {
      if (e.all) out.set(name, ALL);
      else if (e.groups.size || e.environments.size) out.set(name, { kind: 'scoped', groups: e.groups, environments: e.environments });
    }
    return new Grants(out);
  }

  get(permission: Permission): Grant {
    return this.byPermission.get(permission) ?? NONE;
  }

  /** Every permission held in some scope, for `GET /me`. */
  list(): { permission: Permission; grant: Grant }[] {
    return [...this.byPermission].map(([permission, grant]) => ({ permission, grant }));
  }
}
