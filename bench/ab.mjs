#!/usr/bin/env node
// Interleaved A/B of two builds of llmp on this machine: starts `bench/run.mjs --hold` in each checkout, then loads
// the two data planes in turns (A B, B A, A B, …) and reports medians. Alternating within seconds cancels most of the
// drift a shared machine shows between whole bench runs.
// Usage: node bench/ab.mjs --a ../base --b . [--rounds 8] [--seconds 3] [--connections 50] [--latency 0|50] [--stream]
//        [--env-a K=V,K=V] [--env-b K=V,K=V]
// Build both checkouts first (`npm run build`); a git worktree of the base commit with node_modules symlinked works.
// With --env-a/--env-b one checkout can be compared with itself under two settings (`--a . --b . --env-b …`).
// Reports the data plane's CPU per request and the whole stack's (data plane, control plane, worker, Redis, Postgres).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { cpuTicks, stackPids, stackSampler, usPerReq } from './proc.mjs';

const require = createRequire(import.meta.url);
const autocannon = require('autocannon');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? args[args.indexOf(`--${name}`) + 1] : fallback);
const dirs = { A: resolve(opt('a', '.')), B: resolve(opt('b', '.')) };
const rounds = Number(opt('rounds', 8));
const seconds = Number(opt('seconds', 3));
const connections = Number(opt('connections', 50));
const latency = Number(opt('latency', 0));
const stream = args.includes('--stream');

const envOf = (name) => Object.fromEntries((opt(`env-${name.toLowerCase()}`, '') || '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

/** Starts a held bench stack in `dir`; resolves with what `--hold` prints (URLs, key, data plane pid). */
function hold(dir, env) {
  const child = spawn('npm', ['run', 'bench', '--', '--hold'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  let out = '';
  return new Promise((ok, fail) => {
    child.stdout.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{"llmp"'));
      if (line) ok({ child, ...JSON.parse(line) });
    });
    child.once('exit', (code) => fail(new Error(`bench --hold in ${dir} exited ${code}`)));
  });
}

async function load(stack) {
  const body = JSON.stringify({
    model: `fast-${latency}`,
    stream,
    messages: [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Say something about foxes and dogs, briefly.' }],
  });
  const before = cpuTicks(stack.apiPid);
  const stackCpu = stackSampler(stackPids({ [stack.apiPid]: 'api', [stack.workerPid]: 'worker', [stack.adminPid]: 'admin' }, stack.redisPort, stack.database));
  const r = await autocannon({
    url: stack.llmp, method: 'POST', connections, duration: seconds, body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.key}` },
  });
  const ok = r['2xx'];
  const byRole = stackCpu();
  return {
    rps: Math.round(ok / seconds), p50: r.latency.p50, p99: r.latency.p99,
    cpuUsPerReq: usPerReq(cpuTicks(stack.apiPid) - before, ok),
    stackCpuUsPerReq: usPerReq(Object.values(byRole).reduce((x, y) => x + y, 0), ok),
    workerCpuUsPerReq: usPerReq(byRole.worker ?? 0, ok),
    redisCpuUsPerReq: usPerReq(byRole.redis ?? 0, ok),
    postgresCpuUsPerReq: usPerReq(byRole.postgres ?? 0, ok),
  };
}

function median(xs) {
  const v = [...xs].sort((x, y) => x - y);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

const stacks = {};
try {
  // One after the other: two stacks starting at once would fight over the same cores while they warm up.
  stacks.A = await hold(dirs.A, envOf('A'));
  stacks.B = await hold(dirs.B, envOf('B'));
  for (const name of ['A', 'B']) await load(stacks[name]); // JIT warm-up, not counted
  const results = { A: [], B: [] };
  for (let i = 0; i < rounds; i++) {
    for (const name of i % 2 ? ['B', 'A'] : ['A', 'B']) {
      const r = await load(stacks[name]);
      results[name].push(r);
      console.log(JSON.stringify({ round: i + 1, build: name, ...r }));
    }
  }
  const summary = (name) => Object.fromEntries(['rps', 'p50', 'p99', 'cpuUsPerReq', 'stackCpuUsPerReq', 'workerCpuUsPerReq', 'redisCpuUsPerReq', 'postgresCpuUsPerReq'].map((k) => [k, median(results[name].map((r) => r[k]))]));
  const a = summary('A');
  const b = summary('B');
  const wins = results.B.filter((r, i) => r.cpuUsPerReq < results.A[i].cpuUsPerReq).length;
  console.log(`\nmedians of ${rounds} rounds (${latency} ms upstream, ${connections} connections, ${stream ? 'streaming' : 'JSON'})`);
  console.log(`A ${dirs.A}: ${JSON.stringify(a)}`);
  console.log(`B ${dirs.B}: ${JSON.stringify(b)}`);
  const stackWins = results.B.filter((r, i) => r.stackCpuUsPerReq < results.A[i].stackCpuUsPerReq).length;
  console.log(`B/A CPU per request ${(b.cpuUsPerReq / a.cpuUsPerReq).toFixed(3)}, req/s ${(b.rps / a.rps).toFixed(3)}; B used less CPU in ${wins} of ${rounds} rounds`);
  console.log(`B/A stack CPU per request ${(b.stackCpuUsPerReq / a.stackCpuUsPerReq).toFixed(3)}; B's stack used less CPU in ${stackWins} of ${rounds} rounds`);
} finally {
  // The held benches drop their databases and Redis keys on SIGINT.
  await Promise.all(Object.values(stacks).map((s) => {
    const exited = new Promise((done) => s.child.once('exit', done));
    process.kill(-s.child.pid, 'SIGINT');
    return exited;
  }));
}
