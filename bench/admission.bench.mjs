// Admission cost of the limit scripts: Redis round trips per admit (must be 1), CPU microseconds of this process
// per admit + settle, and Redis's own time per admitted request, alone and in batches (the data plane sends the
// admissions of one plan in one event-loop turn as one call), for a key in a team with rpm, tpm, maxParallel, a key x
// model limit and a budget. Standalone (no build step): reads the Lua text from the *.lua.ts modules.
// Usage: node bench/admission.bench.mjs [n]
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';

const lua = (file) => {
  const m = /String\.raw`([\s\S]*?)`/.exec(readFileSync(new URL(`../libs/policy/src/limits/${file}`, import.meta.url), 'utf8'));
  if (!m) throw new Error(`no script in ${file}`);
  return m[1];
};

const n = Number(process.argv[2] ?? 5000);
const prefix = `llmp_bench_${randomBytes(3).toString('hex')}:`;
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: prefix, enableAutoPipelining: process.env.BENCH_AUTOPIPELINE !== '0' });
redis.defineCommand('llmpAdmit', { lua: lua('admit.lua.ts') });
redis.defineCommand('llmpSettle', { lua: lua('settle.lua.ts') });

let roundTrips = 0;
const send = redis.sendCommand.bind(redis);
redis.sendCommand = (...args) => {
  roundTrips++;
  return send(...args);
};

const tag = '{t:bench}';
const scopes = [
  { base: `lim:${tag}:key:k1`, args: [100000000, 1000000000, 64, 1e15, 'month'] },
  { base: `lim:${tag}:km:k1:gpt-4o`, args: [100000000, 1000000000, -1, -1, ''] },
  { base: `lim:${tag}:team`, args: [100000000, 1000000000, 256, 1e15, 'month'] },
];
const keys = scopes.flatMap((s) => ['w', 'tk', 'par', 'bud'].map((k) => `${s.base}:${k}`));
const admitArgs = (...ids) => [
  60000, 900000, 3024000000, '', scopes.length, ...scopes.flatMap((s) => s.args), ids.length, ...ids.flatMap((id) => [id, 1200, 5000000]),
];
const settleArgs = (...ids) => [3600000, scopes.length, ids.length, ...ids.flatMap((id) => [id, 900, -300, -1000000, 4000000])];

// Install the budget counters the way the service's ledger rebuild does.
const first = await redis.llmpAdmit(keys.length, ...keys, ...admitArgs('warmup'));
if (Number(first[0]) === 3) {
  for (let i = 1; i < first.length; i += 3) await redis.hset(`${scopes[first[i]].base}:bud`, 'p', first[i + 1], 's', '0');
}

async function run(count, label) {
  roundTrips = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let admitTrips = 0;
  for (let i = 0; i < count; i++) {
    const id = `r${label}${i}`;
    const before = roundTrips;
    const r = await redis.llmpAdmit(keys.length, ...keys, ...admitArgs(id));
    admitTrips += roundTrips - before;
    if (Number(r[0]) !== 0 || Number(r[2][0]) !== 0) throw new Error(`not admitted: ${JSON.stringify(r)}`);
    await redis.llmpSettle(keys.length + 1, ...keys, `lim:${tag}:done:${id}`, ...settleArgs(id));
  }
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000 / count;
  const cpu = process.cpuUsage(cpu0);
  return { admitTrips: admitTrips / count, cpuUs: (cpu.user + cpu.system) / count, wallUs };
}

/** EVALSHA time Redis has spent so far (all clients: run this on a quiet Redis). */
async function evalshaUsec() {
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(String(await redis.call('INFO', 'commandstats')));
  return m ? Number(m[2]) : 0;
}

/** Redis's time per admitted request when `size` admissions share a call (then settled, 9 per call, as the data plane does). */
async function redisTimePerAdmit(count, size) {
  let spent = 0;
  for (let i = 0; i < count; i += size) {
    const ids = Array.from({ length: size }, (_, j) => `rb${size}-${i + j}`);
    const before = await evalshaUsec();
    const r = await redis.llmpAdmit(keys.length, ...keys, ...admitArgs(...ids));
    spent += (await evalshaUsec()) - before;
    if (r.slice(2).some((one) => Number(one[0]) !== 0)) throw new Error('not admitted');
    for (let j = 0; j < ids.length; j += 9) {
      const some = ids.slice(j, j + 9);
      await redis.llmpSettle(keys.length + some.length, ...keys, ...some.map((id) => `lim:${tag}:done:${id}`), ...settleArgs(...some));
    }
  }
  return spent / count;
}

await run(500, 'w');
const r = await run(n, 'm');
console.log(`admit+settle x${n} (3 scopes: key, key x model, team; rpm, tpm, maxParallel, budget)`);
console.log(`  Redis round trips per admit:        ${r.admitTrips.toFixed(2)}`);
console.log(`  client CPU per admit+settle:        ${r.cpuUs.toFixed(1)} us`);
console.log(`  wall time per admit+settle:         ${r.wallUs.toFixed(1)} us (sequential, local Redis)`);
for (const size of [1, 10, 20]) {
  console.log(`  Redis time per admission, ${String(size).padStart(2)} per call: ${(await redisTimePerAdmit(Math.min(n, 2000), size)).toFixed(1)} us`);
}

let cursor = '0';
const raw = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
do {
  const [next, found] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
  if (found.length) await raw.unlink(...found);
  cursor = next;
} while (cursor !== '0');
await raw.quit();
await redis.quit();
