// /proc readings shared by the bench (bench/run.mjs) and the A/B runner (bench/ab.mjs).
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;

/** CPU microseconds per completed request from clock ticks; null when nothing completed. */
export function usPerReq(ticks, ok) {
  return ok ? Math.round((ticks / CLK_TCK) * 1e6 / ok) : null;
}

export function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU ticks of several processes; one that has gone is left out (a pooled Postgres backend rarely ends mid-run). */
function cpuTicksOf(pids) {
  const ticks = new Map();
  for (const pid of pids) {
    try {
      ticks.set(pid, cpuTicks(pid));
    } catch {
      // exited
    }
  }
  return ticks;
}

/** Busy and total jiffies of the whole machine (every core), from the first line of /proc/stat. */
export function hostTicks() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/**
 * Every process that works for llmp's requests: the data plane, the control plane and the ledger worker, the Redis
 * server at REDIS_URL and the Postgres backends serving the bench database (found by their process titles). On a
 * two-core machine they share the cores with the load generator and the mock upstream, so their sum, not the data
 * plane's alone, decides what llmp can reach at 50 ms.
 */
export function stackPids(ownPids, redisPort, database) {
  const pids = new Map(Object.entries(ownPids).map(([pid, role]) => [Number(pid), role]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmd;
    try {
      cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const redis = cmd.startsWith('redis-server') && cmd.includes(`:${redisPort}`);
    const postgres = cmd.startsWith('postgres: ') && cmd.includes(` ${database} `);
    if (redis || postgres) pids.set(Number(entry), redis ? 'redis' : 'postgres');
  }
  return pids;
}

/** Starts counting the CPU of a stack (pid → role); the returned function gives the ticks spent since, per role. */
export function stackSampler(stack) {
  const before = cpuTicksOf([...stack.keys()]);
  return () => {
    const byRole = {};
    for (const [pid, after] of cpuTicksOf([...stack.keys()])) {
      if (!before.has(pid)) continue;
      const role = stack.get(pid);
      byRole[role] = (byRole[role] ?? 0) + after - before.get(pid);
    }
    return byRole;
  };
}
