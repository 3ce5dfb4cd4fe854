import fs from 'node:fs';
import pg from 'pg';

/**
 * CPU time (user + system) consumed so far by processes, from /proc (Linux; NaN elsewhere). On a
 * machine other work also loads, CPU per request is steadier than requests per second.
 */
const TICKS_PER_S = 100; // USER_HZ on Linux

export function cpuMsOf(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      return NaN;
    }
  }
  return (ticks * 1000) / TICKS_PER_S;
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
