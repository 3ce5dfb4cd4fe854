import fs from 'node:fs';
import pg from 'pg';

/**
 * CPU time (user + system) consumed so far by processes, from /proc (Linux; NaN elsewhere). On a
 * machine other work also loads, CPU per request is steadier than requests per second.
 */
const TICKS_PER_S = 100; // USER_HZ on Linux

export type CpuSnapshot = Map<number, number>;

/** CPU ms so far of each process still there. */
export function cpuSnapshot(pids: readonly number[]): CpuSnapshot {
  const out: CpuSnapshot = new Map();
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(pid, ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_S);
    } catch {
      // gone (or not Linux)
    }
  }
  return out;
}

/** CPU ms used between two snapshots by the processes present in both; NaN when none is. */
export function cpuMsBetween(before: CpuSnapshot, after: CpuSnapshot): number {
  let ms = 0;
  let seen = 0;
  for (const [pid, t] of after) {
    const t0 = before.get(pid);
    if (t0 === undefined) continue;
    ms += t - t0;
    seen++;
  }
  return seen === 0 ? NaN : ms;
}

/** The server processes (backends) serving connections to database `name`. */
export async function backendPids(adminUrl: string, name: string): Promise<number[]> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    const r = await c.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
    return r.rows.map((row) => row.pid);
  } finally {
    await c.end();
  }
}
