import { HostStore, MaintenanceStore, PatchwiseError, PolicyStore, WindowCalendar, freezeSpan, scheduleForHost, selects, type MaintenanceSchedule, type StartVerdict } from '@patchwise/core';
import type { Kysely } from 'kysely';
import { tablesOf, type Database } from '../database.js';
import type { HostSchedule, ScheduleSource } from './rollout-engine.js';

/** How long "any time" lasts for a deployment without windows: a manifest still expires sooner. */
const ANY_TIME_MS = 366 * 86_400_000;

/**
 * When hosts may start, from the maintenance module: the deployment's windows that apply to each
 * host (a window's groups; none = every host) and every freeze that applies to it, in the host's
 * time zone attribute (else the window's, else UTC). A deployment that names no window may start
 * any time outside freezes. One `WindowCalendar` per call, so a plan of 100,000 hosts computes
 * each window's openings once per time zone, and hosts with the same groups share a schedule.
 */
export class MaintenanceSchedules implements ScheduleSource {
  constructor(private readonly clock: () => Date) {}

  async forHosts(db: Kysely<Database>, windowNames: readonly string[], hostIds: readonly string[]): Promise<HostSchedule> {
    const store = new MaintenanceStore(tablesOf(db), this.clock);
    const byName = new Map((await store.windows()).map((w) => [w.name, w]));
    const missing = windowNames.filter((n) => !byName.has(n));
    if (missing.length > 0) throw new PatchwiseError('PW_INPUT_INVALID', `windows: no maintenance window named ${missing.join(', ')}`);
    const all = { windows: windowNames.map((n) => byName.get(n)!), freezes: await store.freezes() };
    const groups = await new PolicyStore(tablesOf(db), this.clock).groups();
    const hosts = await new HostStore(tablesOf(db), this.clock).byIds(hostIds);
    const calendar = new WindowCalendar();
    const shared = new Map<string, MaintenanceSchedule>();
    const perHost = new Map<string, { schedule: MaintenanceSchedule; timeZone: string | null }>();
    for (const [id, host] of hosts) {
      const memberships = groups.filter((g) => selects(g.selector, host)).map((g) => g.name);
      const key = memberships.join('\u0000');
      let schedule = shared.get(key);
      if (!schedule) {
        const set = new Set(memberships);
        schedule = scheduleForHost(all, (g) => set.has(g));
        shared.set(key, schedule);
      }
      perHost.set(id, { schedule, timeZone: host.attributes.timezone });
    }
    const of = (hostId: string) => perHost.get(hostId) ?? { schedule: { windows: all.windows, freezes: [] }, timeZone: null };
    const anyTime = windowNames.length === 0;

    const hostSchedule: HostSchedule = {
      canStart(hostId: string, now: Date): StartVerdict {
        const { schedule, timeZone } = of(hostId);
        if (anyTime) {
          const t = now.getTime();
          const spans = schedule.freezes.map((f) => freezeSpan(f, timeZone));
          const frozen = spans.find((s) => s.start.getTime() <= t && t < s.end.getTime());
          if (frozen) return { canStart: false, reason: 'frozen', nextStart: frozen.end };
          const nextFreeze = Math.min(...spans.map((s) => s.start.getTime()).filter((s) => s > t), t + ANY_TIME_MS);
          return { canStart: true, closesAt: new Date(nextFreeze) };
        }
        const d = calendar.startDecision(schedule, timeZone, now);
        return d.canStart ? { canStart: true, closesAt: d.closesAt } : { canStart: false, reason: d.reason, nextStart: d.nextStart };
      },
      nextStart(hostId: string, after: Date): Date | null {
        const { schedule, timeZone } = of(hostId);
        if (!anyTime) return calendar.nextStart(schedule, timeZone, after);
        let at = after;
        // Step past freezes (they may chain) until a moment none covers.
        for (let i = 0; i < 100; i++) {
          const v = hostSchedule.canStart(hostId, at);
          if (v.canStart) return at;
          if (!v.nextStart) return null;
          at = v.nextStart;
        }
        return null;
      },
    };
    return hostSchedule;
  }
}
