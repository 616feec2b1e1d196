import { Type } from '@fastify/type-provider-typebox';
import { FindingsStore, HostStore, PRIORITIES, complianceSummary, hostCompliance, type InstalledPackage, type Priority } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { tablesOf } from '../database.js';
import { callerScope } from '../host-scope.js';
import { coversOf, exceptionsInForce } from '../exceptions-in-force.js';
import { eolView } from '../views.js';

const NONE: Record<Priority, number> = { P1: 0, P2: 0, P3: 0, P4: 0 };

const HostComplianceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('compliant'), Type.Literal('non-compliant'), Type.Literal('unknown')]),
  reasons: Type.Array(Type.String()),
});

/** Fleet reports. Compliance: end of life and open security findings, per active host. */
export function reportRoutes(app: App, deps: AppDeps): void {
  app.get(
    '/api/v1/reports/compliance',
    {
      config: { auth: 'person', permission: 'reports.read' },
      schema: {
        summary: 'Compliance of every active host: EOL release, packages past security support, open security findings at or above failAt',
        querystring: Type.Object({ failAt: Type.Union(PRIORITIES.map((p) => Type.Literal(p)), { default: 'P2' }) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            failAt: Type.String(),
            summary: Type.Object({ hosts: Type.Integer(), compliant: Type.Integer(), nonCompliant: Type.Integer(), unknown: Type.Integer(), rate: Type.Union([Type.Number(), Type.Null()]) }),
            hosts: Type.Array(HostComplianceView),
          }),
        },
      },
    },
    async (request) => {
      const now = deps.clock();
      const store = new HostStore(tablesOf(deps.db), deps.clock);
      // Findings under an exception in force leave the count until it expires.
      const open = await new FindingsStore(tablesOf(deps.db), deps.clock).openCountsByHost('security', coversOf(await exceptionsInForce(deps.db, now)));
      const judged = [];
      // Hosts of one image share an inventory: read each distinct one once.
      const byDigest = new Map<string, readonly InstalledPackage[]>();
      const ids = await (await callerScope(request, deps)).hostIds(deps.db);
      for (const h of await store.list({ status: 'active', ids })) {
        // Only Debian publishes per-package support lists; other hosts need no package read.
        let packages: readonly InstalledPackage[] = [];
        if (h.os?.id === 'debian' && h.inventoryDigest) {
          packages = byDigest.get(h.inventoryDigest) ?? (await store.packagesOf(h.id));
          byDigest.set(h.inventoryDigest, packages);
        }
        const eol = eolView(h, now, packages);
        const verdict = hostCompliance({ assessed: h.inventoryAt !== null, release: eol, packages: eol.packages, openSecurity: open.get(h.id) ?? NONE }, { failAt: request.query.failAt });
        judged.push({ id: h.id, name: h.name, ...verdict, reasons: [...verdict.reasons] });
      }
      return { failAt: request.query.failAt, summary: complianceSummary(judged), hosts: judged };
    },
  );
}
