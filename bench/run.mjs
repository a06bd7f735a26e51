#!/usr/bin/env node
// `npm run bench`: direct upstream vs a minimal Node proxy (the floor) vs llmp with every policy on, interleaved in
// one run, at 0 and 50 ms upstream latency, 50 and 200 connections, JSON and streaming. See bench/README.md.
// Options: --duration S (default 5), --soak (10 minutes of load on llmp, reports RSS and handle trends).
import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensurePostgres, ensureRedis, migrate } from '../scripts/lib/services.mjs';
import { buildIfStale, NODE_FLAGS } from '../scripts/start.mjs';
import { cpuTicks, hostTicks, stackPids, stackSampler, usPerReq } from './proc.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const { request } = require('undici');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const duration = Number(args.includes('--duration') ? args[args.indexOf('--duration') + 1] : 5);
const soak = args.includes('--soak');
// --quick: only 0 ms upstream, 50 connections, non-streaming (streaming with --stream), no TTFT (for iterating on the
// hot path).
const quick = args.includes('--quick');
// With --quick: --latency MS (0 or 50, default 0) and --connections N (default 50) pick the one scenario.
const quickLatency = args.includes('--latency') ? Number(args[args.indexOf('--latency') + 1]) : 0;
const quickConnections = args.includes('--connections') ? Number(args[args.indexOf('--connections') + 1]) : 50;
if (![0, 50].includes(quickLatency)) throw new Error('--latency must be 0 or 50 (the two mock upstreams)');
// --rounds N: every scenario runs N times (all scenarios once per round, interleaved as always) and the table reports
// medians; ratios are taken within a round, so a machine that slows down between rounds moves them less.
const rounds = Math.max(1, Number(args.includes('--rounds') ? args[args.indexOf('--rounds') + 1] : 1));
// --cpu-prof DIR: the data plane and the ledger worker write V8 CPU profiles (api.cpuprofile, worker.cpuprofile)
// into DIR when the bench stops them.
const cpuProfDir = args.includes('--cpu-prof') ? args[args.indexOf('--cpu-prof') + 1] : null;
// --probe: time each leg of llmp's requests from inside the data plane (bench/probe.cjs); adds a breakdown per
// scenario. The probe costs CPU, so read the CPU columns from a run without it.
const probe = args.includes('--probe');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pin(pid, cpu) {
  try {
    execFileSync('taskset', ['-a', '-cp', String(cpu), String(pid)], { stdio: 'ignore' });
  } catch {
    // taskset missing or one core: measurements still run, just noisier.
  }
  prioritize(pid);
}

/**
 * Raises the scheduling priority of every thread of a process (needs root or CAP_SYS_NICE), so other work on a shared
 * machine disturbs the measurement less. Without the permission it is a no-op.
 */
function prioritize(pid) {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) execFileSync('renice', ['-n', '-15', '-p', tid], { stdio: 'ignore' });
  } catch {
    // not permitted: measurements still run, just noisier.
  }
}

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024, fds: readdirSync(`/proc/${pid}/fd`).length };
}

function forkReady(script, argv) {
  const child = fork(script, argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
}

async function waitHealthy(url, ms = 30_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      const r = await request(url);
      await r.body.dump();
      if (r.statusCode === 200) return;
    } catch {
      // not up yet
    }
    await sleep(200);
  }
  throw new Error(`${url} did not become healthy`);
}

/** The local redis-server processes listening on REDIS_URL's port (none when Redis is remote). */
function redisServerPids(redisUrl) {
  const port = new URL(redisUrl).port || '6379';
  const pids = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // redis-server rewrites its title to `redis-server <host>:<port>`.
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (title.startsWith('redis-server') && title.endsWith(`:${port}`)) pids.push(pid);
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** The limit scripts by SHA1, so the Redis count tells admissions from settlements (read from the *.lua.ts sources). */
const SCRIPT_NAMES = Object.fromEntries(
  ['admit', 'settle'].map((name) => {
    const text = /String\.raw`([\s\S]*?)`/.exec(readFileSync(join(root, `libs/policy/src/limits/${name}.lua.ts`), 'utf8'))[1];
    return [createHash('sha1').update(text).digest('hex'), `${name} script`];
  }),
);

/** Local ports of a process's TCP connections to a Redis port (its sockets in /proc/<pid>/fd matched in /proc/net/tcp*). */
function apiRedisPorts(pid, redisPort) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = new Set();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || !inodes.has(f[9])) continue;
      const local = parseInt(f[1].split(':')[1], 16);
      const remote = parseInt(f[2].split(':')[1], 16);
      if (remote === redisPort) ports.add(local);
    }
  }
  return ports;
}

/**
 * A raw MONITOR session (ioredis's monitor mode can fail with "Command queue state error" when monitor lines arrive
 * in the same read as the MONITOR reply, which a busy Redis does): calls `onCommand(source, command, firstArg)` for
 * each command Redis reports. Resolves once monitoring has started.
 */
function monitorRedis(url, onCommand) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = netConnect(Number(u.port || 6379), u.hostname);
    let pending = '';
    let started = false;
    socket.on('error', reject);
    socket.on('connect', () => {
      if (u.password) {
        const creds = u.username ? [decodeURIComponent(u.username), decodeURIComponent(u.password)] : [decodeURIComponent(u.password)];
        socket.write(`AUTH ${creds.map((c) => JSON.stringify(c)).join(' ')}\r\n`);
      }
      socket.write('MONITOR\r\n');
    });
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      const lines = pending.split('\r\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line === '+OK') {
          if (!started) {
            started = true;
            resolve(socket);
          }
          continue;
        }
        // +1700000000.123456 [0 127.0.0.1:50000] "evalsha" "<sha>" ...
        const m = /^\+\S+ \[\S+ ([^\]]+)\] "([^"]*)"(?: "([^"]*)")?/.exec(line);
        if (m) onCommand(m[1], m[2], m[3] ?? '');
      }
    });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function startNode(entry, env, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, join(root, entry)], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return child;
}

async function main() {
  const run = randomBytes(4).toString('hex');
  const pgBase = new URL(process.env.DATABASE_URL || DEFAULT_DATABASE_URL);
  pgBase.pathname = `/llmp_bench_${run}`;
  const env = {
    DATABASE_URL: pgBase.toString(),
    REDIS_URL: process.env.REDIS_URL || DEFAULT_REDIS_URL,
    LLMP_REDIS_PREFIX: `llmp_bench_${run}:`,
    LLMP_MASTER_KEY: `llmp_admin_${randomBytes(24).toString('base64url')}`,
    // Free ports, so two benches (or a bench and a test run) never collide.
    LLMP_API_PORT: String(await freePort()),
    LLMP_ADMIN_PORT: String(await freePort()),
    LLMP_LOG_LEVEL: 'warn',
  };
  await ensurePostgres(env.DATABASE_URL);
  await ensureRedis(env.REDIS_URL);
  migrate(env.DATABASE_URL, root);
  buildIfStale({ ui: false });
  pin(process.pid, 0);

  const up0 = await forkReady(join(root, 'bench/upstream.mjs'), ['0', '0']);
  const up50 = await forkReady(join(root, 'bench/upstream.mjs'), ['0', '50']);
  pin(up0.child.pid, 0);
  pin(up50.child.pid, 0);
  const origin = (p) => `http://127.0.0.1:${p}`;
  const floor = await forkReady(join(root, 'bench/floor-proxy.mjs'), ['0', origin(up0.port), origin(up50.port)]);
  pin(floor.child.pid, 1);

  const configDir = join(tmpdir(), `llmp-bench-${run}`);
  mkdirSync(configDir, { recursive: true });
  env.LLMP_CONFIG = join(configDir, 'llmp.config.yaml');
  writeFileSync(env.LLMP_CONFIG, `
providers:
  - { name: up0, type: openai, baseUrl: "${origin(up0.port)}/v1" }
  - { name: up50, type: openai, baseUrl: "${origin(up50.port)}/v1" }
models:
  - { name: bench-0, targets: [{ provider: up0, model: bench }], pricing: { input: 0.15, output: 0.6 } }
  - { name: bench-50, targets: [{ provider: up50, model: bench }], pricing: { input: 0.15, output: 0.6 } }
aliases: { fast-0: bench-0, fast-50: bench-50 }
`);
  const admin = startNode('dist/apps/admin/src/main.js', env);
  const worker = startNode('dist/apps/admin/src/worker.js', env, [
    ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', 'worker.cpuprofile'] : []),
  ]);
  // LLMP_BENCH_NODE_ARGS: extra node/V8 flags for the data plane only (to try GC settings against the same load).
  const extraArgs = (process.env.LLMP_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const probeFile = join(configDir, 'probe.json');
  const api = startNode('dist/apps/api/src/main.js', probe ? { ...env, LLMP_BENCH_PROBE_FILE: probeFile } : env, [
    ...NODE_FLAGS.api,
    ...extraArgs,
    ...(cpuProfDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfDir, '--cpu-prof-name', 'api.cpuprofile'] : []),
    ...(probe ? ['--require', join(root, 'bench/probe.cjs')] : []),
  ]);
  /** What the probe measured since the last call (it starts over each time). */
  async function probeLegs() {
    rmSync(probeFile, { force: true });
    api.kill('SIGUSR2');
    for (let i = 0; i < 50 && !existsSync(probeFile); i++) await sleep(20);
    return existsSync(probeFile) ? JSON.parse(readFileSync(probeFile, 'utf8')) : null;
  }
  const children = [up0.child, up50.child, floor.child, admin, worker, api];
  const cleanup = () => children.forEach((c) => c.kill('SIGTERM'));
  process.on('exit', cleanup);
  // The bench leaves nothing behind: its database and Redis keys go once the processes are down.
  const teardown = async () => {
    teardownOnFailure = null;
    cleanup();
    await sleep(1500);
    rmSync(configDir, { recursive: true, force: true });
    const pg = require('pg');
    const maintenance = new URL(env.DATABASE_URL);
    const database = maintenance.pathname.slice(1);
    maintenance.pathname = '/postgres';
    const client = new pg.Client({ connectionString: maintenance.toString() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.end();
    const { Redis } = require('ioredis');
    const redis = new Redis(env.REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${env.LLMP_REDIS_PREFIX}*`, 'COUNT', 1000);
      if (keys.length) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
  };
  teardownOnFailure = teardown;
  // Redis serves every admission; a busy machine should not starve it during the run either.
  for (const pid of redisServerPids(env.REDIS_URL)) prioritize(pid);
  await waitHealthy(`http://127.0.0.1:${env.LLMP_ADMIN_PORT}/health/ready`);
  await waitHealthy(`http://127.0.0.1:${env.LLMP_API_PORT}/health/ready`);
  pin(api.pid, 1);

  // A real key with every policy on: aliases, allowlist, caps, limits high enough not to deny, a budget.
  const created = await request(`http://127.0.0.1:${env.LLMP_ADMIN_PORT}/admin/v1/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.LLMP_MASTER_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'bench',
      allowedModels: ['bench-*', 'fast-0', 'fast-50'],
      modelAliases: { mine: 'bench-0' },
      perModelMaxTokens: { '*': 256 },
      rpm: 100_000_000,
      tpm: 2_000_000_000,
      budgetUsd: 1_000_000,
      budgetPeriod: 'month',
    }),
  });
  const keyBody = await created.body.json();
  if (created.statusCode !== 201) throw new Error(`cannot create bench key: ${JSON.stringify(keyBody)}`);
  const key = keyBody.key;

  const targets = {
    direct: { pid: null, url: (lat) => `${origin(lat === 0 ? up0.port : up50.port)}/v1/chat/completions` },
    floor: { pid: floor.child.pid, url: (lat) => `${origin(floor.port)}/u${lat}/v1/chat/completions` },
    llmp: { pid: api.pid, url: () => `http://127.0.0.1:${env.LLMP_API_PORT}/v1/chat/completions` },
  };
  const body = (lat, stream) => JSON.stringify({
    model: `fast-${lat}`,
    stream,
    messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say something about foxes and dogs, briefly.' }],
  });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };

  const redisPort = Number(new URL(env.REDIS_URL).port || 6379);
  const database = pgBase.pathname.slice(1);
  async function load(target, lat, connections, stream, seconds) {
    const t = targets[target];
    const before = t.pid ? cpuTicks(t.pid) : 0;
    const stack = target === 'llmp' ? stackPids({ [api.pid]: 'api', [worker.pid]: 'worker', [admin.pid]: 'admin' }, redisPort, database) : new Map();
    const probing = probe && target === 'llmp';
    if (probing) await probeLegs();
    const stackCpu = stackSampler(stack);
    const hostBefore = hostTicks();
    const result = await autocannon({ url: t.url(lat), method: 'POST', headers, body: body(lat, stream), connections, duration: seconds });
    const ticks = t.pid ? cpuTicks(t.pid) - before : 0;
    const hostAfter = hostTicks();
    const byRole = stackCpu();
    const stackTicks = Object.values(byRole).reduce((a, b) => a + b, 0);
    const legs = probing ? await probeLegs() : undefined;
    const ok = result['2xx'];
    return {
      target, latencyMs: lat, connections, stream,
      requests: result.requests.total, ok, errors: result.errors + result.non2xx,
      rps: Math.round(ok / seconds),
      p50: result.latency.p50, p99: result.latency.p99,
      cpuUsPerReq: t.pid ? usPerReq(ticks, ok) : null,
      peakRssMb: t.pid ? Math.round(memory(t.pid).peakRssMb) : null,
      stackCpuUsPerReq: stack.size ? usPerReq(stackTicks, ok) : null,
      // Where the stack's CPU goes: data plane, control plane, ledger worker, Redis, Postgres (µs per request).
      ...(stack.size && ok && {
        stackCpuByRole: Object.fromEntries(Object.entries(byRole).map(([role, t]) => [role, usPerReq(t, ok)])),
      }),
      // Both cores, everything on the machine (load generator and upstreams included).
      hostBusyPct: Math.round((100 * (hostAfter.busy - hostBefore.busy)) / Math.max(1, hostAfter.total - hostBefore.total)),
      ...(legs && { legs }),
    };
  }

  /**
   * Redis commands the data plane sends per admitted request: a MONITOR session counts the commands arriving from the
   * data plane's own sockets (found through /proc) during a short load. Workers, the control plane and anything else
   * on the same Redis are not counted.
   */
  async function redisRoundTrips() {
    const ports = apiRedisPorts(api.pid, redisPort);
    const byCommand = {};
    const monitor = await monitorRedis(env.REDIS_URL, (source, command, firstArg) => {
      if (!ports.has(Number(source.split(':').pop()))) return;
      let name = command.toLowerCase();
      if (name === 'evalsha') name = SCRIPT_NAMES[firstArg] ?? 'evalsha (bullmq)';
      byCommand[name] = (byCommand[name] ?? 0) + 1;
    });
    const result = await autocannon({ url: targets.llmp.url(0), method: 'POST', headers, body: body(0, false), connections: 50, duration: 2 });
    await sleep(300);
    monitor.destroy();
    const requests = result['2xx'];
    const total = Object.values(byCommand).reduce((a, b) => a + b, 0);
    return { requests, commands: total, perRequest: requests ? total / requests : 0, byCommand };
  }

  async function ttft(target, lat, n = 100) {
    const t = targets[target];
    const times = [];
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      const res = await request(t.url(lat), { method: 'POST', headers, body: body(lat, true) });
      let first = null;
      for await (const chunk of res.body) {
        if (first === null && chunk.toString().includes('data:')) first = process.hrtime.bigint();
      }
      times.push(Number(first - start) / 1e6);
    }
    times.sort((x, y) => x - y);
    return { target, latencyMs: lat, p50: times[Math.floor(n / 2)], p99: times[Math.floor(n * 0.99)] };
  }

  if (args.includes('--hold')) {
    // --hold: keep the stack up for manual probing (Ctrl-C or SIGTERM to stop and clean up; SIGTERM's default would
    // exit without running any handler and leave every child, the database and the Redis keys behind).
    console.log(JSON.stringify({
      llmp: targets.llmp.url(0), floor: targets.floor.url(0), direct: targets.direct.url(0), key, apiPid: api.pid, floorPid: floor.child.pid,
      workerPid: worker.pid, adminPid: admin.pid, redisPort, database,
      admin: `http://127.0.0.1:${env.LLMP_ADMIN_PORT}`, masterKey: env.LLMP_MASTER_KEY,
    }));
    await new Promise((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await teardown();
    return;
  }

  if (soak) {
    const samples = [];
    const until = Date.now() + 10 * 60_000;
    while (Date.now() < until) {
      await load('llmp', 0, 50, false, 10);
      samples.push({ t: Math.round((until - Date.now()) / 1000), ...memory(api.pid) });
      console.log(`soak: rss ${samples.at(-1).rssMb.toFixed(1)} MB, fds ${samples.at(-1).fds}`);
    }
    const slope = (key) => {
      const xs = samples.map((_, i) => i);
      const ys = samples.map((s) => s[key]);
      const mx = xs.reduce((a, b) => a + b) / xs.length;
      const my = ys.reduce((a, b) => a + b) / ys.length;
      return xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    };
    console.log(`soak trend per 10 s sample: rss ${slope('rssMb').toFixed(3)} MB, fds ${slope('fds').toFixed(3)}`);
    writeResults({ soak: samples, rssSlopeMbPerSample: slope('rssMb'), fdSlopePerSample: slope('fds') });
    await teardown();
    return;
  }

  // Warm every path once (JIT, pools, key cache).
  for (const target of Object.keys(targets)) await load(target, 0, 10, false, 1);

  const samples = [];
  const ttftSamples = [];
  for (let round = 1; round <= rounds; round++) {
    const inRound = [];
    for (const lat of quick ? [quickLatency] : [0, 50]) {
      for (const connections of quick ? [quickConnections] : [50, 200]) {
        for (const stream of quick ? [args.includes('--stream')] : [false, true]) {
          for (const target of ['direct', 'floor', 'llmp']) {
            const row = await load(target, lat, connections, stream, duration);
            inRound.push({ round, ...row });
            console.log(JSON.stringify({ round, ...row }));
          }
        }
      }
    }
    for (const r of inRound) {
      const same = (t) => inRound.find((x) => x.target === t && x.latencyMs === r.latencyMs && x.connections === r.connections && x.stream === r.stream);
      const fl = same('floor');
      r.xFloorCpu = r.cpuUsPerReq && fl.cpuUsPerReq ? r.cpuUsPerReq / fl.cpuUsPerReq : null;
      r.xDirectRps = r.rps / same('direct').rps;
      r.addedP99 = r.p99 - same('direct').p99;
      samples.push(r);
    }
    if (!quick) for (const target of ['direct', 'floor', 'llmp']) ttftSamples.push(await ttft(target, 0));
  }
  const rows = medianRows(samples);
  const ttfts = ['direct', 'floor', 'llmp'].flatMap((target) => {
    const mine = ttftSamples.filter((t) => t.target === target);
    return mine.length ? [{ target, latencyMs: 0, p50: median(mine.map((t) => t.p50)), p99: median(mine.map((t) => t.p99)) }] : [];
  });
  const trips = await redisRoundTrips();
  console.log(JSON.stringify({ redisRoundTrips: trips }));

  const table = [
    ...(rounds > 1 ? [`Medians of ${rounds} rounds (ratios and added p99 taken within each round).`, ''] : []),
    '| upstream ms | conns | stream | target | req/s | p50 ms | p99 ms | added p99 ms | CPU µs/req | × floor CPU | × direct req/s | peak RSS MB | stack CPU µs/req | host busy % |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    table.push(`| ${r.latencyMs} | ${r.connections} | ${r.stream ? 'yes' : 'no'} | ${r.target} | ${r.rps} | ${r.p50} | ${r.p99} | ${r.target === 'direct' ? '' : r.addedP99.toFixed(1)} | ${r.cpuUsPerReq ?? ''} | ${r.xFloorCpu ? r.xFloorCpu.toFixed(2) : ''} | ${r.xDirectRps.toFixed(3)} | ${r.peakRssMb ?? ''} | ${r.stackCpuUsPerReq ?? ''} | ${r.hostBusyPct} |`);
  }
  const stackRows = rows.filter((r) => r.stackCpuByRole);
  if (stackRows.length) {
    table.push('', `| llmp stack CPU µs/req by process | ${STACK_ROLES.join(' | ')} |`, `|---|${STACK_ROLES.map(() => '---|').join('')}`);
    for (const r of stackRows) table.push(`| ${r.latencyMs} ms, ${r.connections} conns${r.stream ? ', stream' : ''} | ${STACK_ROLES.map((role) => r.stackCpuByRole[role]).join(' | ')} |`);
  }
  table.push('', '| target | TTFT p50 ms | TTFT p99 ms | added p50 ms |', '|---|---|---|---|');
  const directTtft = ttfts.find((t) => t.target === 'direct') ?? { p50: 0 };
  for (const t of ttfts) table.push(`| ${t.target} | ${t.p50.toFixed(2)} | ${t.p99.toFixed(2)} | ${(t.p50 - directTtft.p50).toFixed(2)} |`);
  if (probe) {
    // The last round's breakdown per llmp scenario (medians across rounds would mix distributions).
    for (const r of samples.filter((x) => x.target === 'llmp' && x.legs && x.round === rounds)) {
      table.push('', `Probe, ${r.latencyMs} ms upstream, ${r.connections} connections${r.stream ? ', stream' : ''} (ms unless said):`, '', '| leg | n | p50 | p90 |', '|---|---|---|---|');
      for (const [leg, v] of Object.entries(r.legs)) if (leg !== 'unwrapped') table.push(`| ${leg} | ${v.n ?? ''} | ${v.p50 ?? ''} | ${v.p90 ?? ''} |`);
      if (r.legs.unwrapped?.length) table.push('', `Not found to wrap: ${r.legs.unwrapped.join(', ')}`);
    }
  }
  console.log('\n' + table.join('\n'));
  table.push(
    '', '| Redis commands per admitted request (data plane only) | total | by command |', '|---|---|---|',
    `| ${trips.requests} requests, 50 connections | ${trips.perRequest.toFixed(3)} | ${Object.entries(trips.byCommand).map(([c, n]) => `${c} ${(n / trips.requests).toFixed(3)}`).join(', ')} |`,
  );
  writeResults({ rounds, rows, samples, ttft: ttfts, ttftSamples, redisRoundTrips: trips, markdown: table.join('\n') });
  await teardown();

  function writeResults(data) {
    const dir = join(root, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    writeFileSync(join(dir, `${soak ? 'soak' : 'run'}-${stamp}.json`), JSON.stringify({ duration, ...data }, null, 2));
    if (data.markdown) writeFileSync(join(dir, 'latest.md'), data.markdown + '\n');
  }
}

const STACK_ROLES = ['api', 'admin', 'worker', 'redis', 'postgres'];

function median(values) {
  const v = values.filter((x) => x !== null && x !== undefined).sort((a, b) => a - b);
  if (!v.length) return null;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/** One row per scenario and target: the median of every measure over the rounds, the highest peak RSS. */
function medianRows(samples) {
  const groups = new Map();
  for (const s of samples) {
    const k = `${s.latencyMs}/${s.connections}/${s.stream}/${s.target}`;
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k).push(s);
  }
  return [...groups.values()].map((g) => {
    const m = (key) => median(g.map((s) => s[key]));
    const round = (x) => (x === null ? null : Math.round(x));
    return {
      target: g[0].target, latencyMs: g[0].latencyMs, connections: g[0].connections, stream: g[0].stream,
      requests: g.reduce((a, s) => a + s.requests, 0), ok: g.reduce((a, s) => a + s.ok, 0), errors: g.reduce((a, s) => a + s.errors, 0),
      rps: round(m('rps')), p50: m('p50'), p99: m('p99'), addedP99: m('addedP99'), cpuUsPerReq: round(m('cpuUsPerReq')),
      xFloorCpu: m('xFloorCpu'), xDirectRps: m('xDirectRps'), stackCpuUsPerReq: round(m('stackCpuUsPerReq')), hostBusyPct: round(m('hostBusyPct')),
      peakRssMb: g.some((s) => s.peakRssMb !== null) ? Math.max(...g.map((s) => s.peakRssMb ?? 0)) : null,
      ...(g[0].stackCpuByRole && {
        stackCpuByRole: Object.fromEntries(STACK_ROLES.map((role) => [role, round(median(g.map((s) => s.stackCpuByRole?.[role] ?? 0)))])),
      }),
    };
  });
}

/** Set while the bench holds a database, Redis keys and child processes: a failed run removes them too. */
let teardownOnFailure = null;

async function fail(e) {
  console.error(e);
  try {
    await teardownOnFailure?.();
  } catch (cleanupError) {
    console.error('cleanup after the failure failed too:', cleanupError);
  }
  process.exit(1);
}

process.once('uncaughtException', (e) => void fail(e));
main().then(() => setTimeout(() => process.exit(0), 500)).catch(fail);
