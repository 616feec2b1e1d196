import { Type } from '@fastify/type-provider-typebox';
import { FindingsStore, HostStore, PRIORITIES, baselineDecision, complianceSummary, hostCompliance, type BaselineState, type InstalledPackage, type PatchBaseline, type Priority } from '@patchwise/core';
import type { App, AppDeps } from '../app-types.js';
import { defaulted } from '../defaulted.js';
import { tablesOf } from '../database.js';
import { callerScope } from '../host-scope.js';
import { advisoryCoverage } from '../advisory-coverage.js';
import { coversOf, exceptionsInForce } from '../exceptions-in-force.js';
import { HostBaselines } from '../host-baselines.js';
import { eolView } from '../views.js';

const none = (): Record<Priority, number> => ({ P1: 0, P2: 0, P3: 0, P4: 0 });

const HostComplianceView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('compliant'), Type.Literal('non-compliant'), Type.Literal('unknown')]),
  reasons: Type.Array(Type.String()),
  /** The baseline the host is judged by, or `built-in` (security findings at failAt or above). */
  baseline: Type.String(),
  /** Its open findings (not excepted) by what the baseline decided; only `approved` ones are required. */
  decisions: Type.Object({ approved: Type.Integer(), pending: Type.Integer(), unapproved: Type.Integer(), rejected: Type.Integer(), held: Type.Integer() }),
});

interface Tally {
  readonly baseline: PatchBaseline;
  readonly stored: boolean;
  readonly approved: Record<Priority, number>;
  readonly security: Record<Priority, number>;
  readonly decisions: Record<BaselineState, number>;
}

/** Fleet reports. Compliance: end of life and fixes missing against each active host's baseline. */
export function reportRoutes(app: App, deps: AppDeps): void {
  app.get(
    '/api/v1/reports/compliance',
    {
      config: { auth: 'person', permission: 'reports.read' },
      schema: {
        summary: "Compliance of every active host: EOL release, packages past security support, fixes its patch baseline approved (without one: open security findings at or above failAt)",
        querystring: Type.Object({ failAt: defaulted(Type.Union(PRIORITIES.map((p) => Type.Literal(p)), { default: 'P2' })) }, { additionalProperties: false }),
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
      const baselines = await HostBaselines.load(deps.db, deps.clock, request.query.failAt);
      const ids = await (await callerScope(request, deps)).hostIds(deps.db);
      const active = await store.list({ status: 'active', ids });
      // One tally per active host, in the order of `active` (findings name hosts by position).
      const tallies = active.map((h): Tally => {
        const { baseline, stored } = baselines.of(h);
        return { baseline, stored, approved: none(), security: none(), decisions: { approved: 0, pending: 0, unapproved: 0, rejected: 0, held: 0 } };
      });
      // Findings under an exception in force leave the count until it expires. Each distinct
      // finding is decided once per baseline, however many hosts of one image carry it. Only
      // active hosts are judged (not quarantined or retired ones).
      const open = await new FindingsStore(tablesOf(deps.db), deps.clock).openForJudgement(
        active.map((h) => h.id),
        coversOf(await exceptionsInForce(deps.db, now)),
      );
      for (const f of open) {
        const decided = new Map<PatchBaseline, BaselineState>();
        for (const position of f.hosts) {
          const t = tallies[position] as Tally;
          let state = decided.get(t.baseline);
          if (state === undefined) decided.set(t.baseline, (state = baselineDecision(t.baseline, f, now).state));
          t.decisions[state]++;
          if (state === 'approved') t.approved[f.priority]++;
          if (f.type === 'security') t.security[f.priority]++;
        }
      }
      const judged = [];
      const covered = advisoryCoverage(deps.controlPlane);
      const unassessed = (ecosystem: string | null): string | undefined => {
        if (ecosystem === null) return 'its distribution is not known, so its distribution packages are not assessed';
        return covered(ecosystem) ? undefined : `no advisories held for ${ecosystem}: import or sync its feed`;
      };
      // Hosts of one image share an inventory: read each distinct one once.
      const byDigest = new Map<string, readonly InstalledPackage[]>();
      for (const [position, h] of active.entries()) {
        // Only Debian publishes per-package support lists; other hosts need no package read.
        let packages: readonly InstalledPackage[] = [];
        // A host has an inventory from its first upload on; its digest may be unknown meanwhile (migration 0023).
        if (h.os?.id === 'debian' && h.inventoryAt !== null) {
          const digest = h.inventoryDigest;
          packages = (digest !== null ? byDigest.get(digest) : undefined) ?? (await store.packagesOf(h.id));
          if (digest !== null) byDigest.set(digest, packages);
        }
        const eol = eolView(h, now, packages);
        const t = tallies[position] as Tally;
        const verdict = hostCompliance(
          {
            assessed: h.inventoryAt !== null,
            release: eol,
            packages: eol.packages,
            openSecurity: t.security,
            baseline: t.stored ? { name: t.baseline.name, approved: t.approved } : undefined,
            unassessed: unassessed(h.ecosystem),
          },
          { failAt: request.query.failAt },
        );
        judged.push({ id: h.id, name: h.name, ...verdict, reasons: [...verdict.reasons], baseline: t.baseline.name, decisions: t.decisions });
      }
      return { failAt: request.query.failAt, summary: complianceSummary(judged), hosts: judged };
    },
  );
}
