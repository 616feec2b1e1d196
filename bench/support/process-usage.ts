/**
 * What a benchmark's processes use, read from /proc: the server's resident memory and CPU, the
 * load generator's own CPU, and the PostgreSQL processes serving the run. The server, the load
 * generator and PostgreSQL share this machine's cores, so benchmarks report each side's CPU.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Resident and peak resident memory of a process, MiB. */
export function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/** CPU seconds (user + system) a process has used so far, all its threads. */
export function cpuOf(pid: number): number {
  return cpuOfStat(`/proc/${pid}/stat`);
}

/**
 * CPU seconds of a process's main thread alone (its thread id is the process id): for Node, the
 * JavaScript thread, without the garbage collector's and libuv's helper threads.
 */
export function mainThreadCpuOf(pid: number): number {
  return cpuOfStat(`/proc/${pid}/task/${pid}/stat`);
}

function cpuOfStat(path: string): number {
  const fields = readFileSync(path, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** CPU seconds this process (the load generator) has used so far. */
export function selfCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * CPU seconds of the PostgreSQL processes serving this run, sampled: the server's pool closes
 * idle connections, and an exited backend's CPU would vanish from a sum taken at the end, so
 * each process's last sample is kept. Counted: backends and autovacuum workers of the bench's
 * own database (their process titles name it), and the shared WAL writer, checkpointer and
 * background writer; not the backends of other users of this machine's PostgreSQL.
 */
export class PostgresCpu {
  private readonly seen = new Map<number, number>();

  constructor(private readonly database: string) {}

  sample(): void {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (!readFileSync(`/proc/${entry}/stat`, 'utf8').includes('(postgres)')) continue;
        const title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
        if ((this.database !== '' && title.includes(this.database)) || /walwriter|checkpointer|background writer/.test(title)) this.seen.set(Number(entry), cpuOf(Number(entry)));
      } catch {
        // the process ended while we looked
      }
    }
  }

  /** Seconds used since `before` (a snapshot from `snapshot()`). */
  since(before: ReadonlyMap<number, number>): number {
    this.sample();
    let total = 0;
    for (const [pid, cpu] of this.seen) total += cpu - (before.get(pid) ?? 0);
    return total;
  }

  snapshot(): ReadonlyMap<number, number> {
    this.sample();
    return new Map(this.seen);
  }
}
