// `npm run bench -- --probe`: preloaded into the data plane (`--require`) to time each leg of a request from inside the
// process. Never part of llmp itself. On SIGUSR2 it writes what it measured since the last SIGUSR2 (medians and p90s,
// in ms) to LLMP_BENCH_PROBE_FILE and starts over. It costs CPU: rows measured with it are for the breakdown, not for
// the CPU columns.
'use strict';
const dc = require('node:diagnostics_channel');
const { writeFileSync } = require('node:fs');
const { monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');

const now = () => Number(process.hrtime.bigint()) / 1e6;
let legs = {};
const add = (leg, ms) => (legs[leg] ??= []).push(ms);

// The upstream call as undici sees it: created, its head written to the socket, the response head read.
const upstream = new WeakMap();
dc.subscribe('undici:request:create', ({ request }) => upstream.set(request, { created: now(), written: 0 }));
dc.subscribe('undici:client:sendHeaders', ({ request }) => {
  const u = upstream.get(request);
  if (u) {
    u.written = now();
    add('upstream: request created to head written', u.written - u.created);
  }
});
dc.subscribe('undici:request:headers', ({ request }) => {
  const u = upstream.get(request);
  if (u && u.written) add('upstream: head written to response head read', now() - u.written);
});

const loopDelay = monitorEventLoopDelay({ resolution: 1 });
loopDelay.enable();
let gcPauses = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcPauses.push(e.duration);
}).observe({ entryTypes: ['gc'] });

/** Wraps an async method to time it under `leg`. */
function timeMethod(cls, method, leg) {
  const original = cls.prototype[method];
  cls.prototype[method] = function timed(...args) {
    const t0 = now();
    const done = () => add(leg, now() - t0);
    const p = original.apply(this, args);
    p.then(done, done);
    return p;
  };
}

/** The Redis connection's queue is first in, first out: enqueue, flush and reply times line up by position. */
function timeResp(RespConnection) {
  const state = new WeakMap();
  const of = (conn) => state.get(conn) ?? state.set(conn, { enqueued: [], flushed: [] }).get(conn);
  const { enqueue, flush, onReply } = RespConnection.prototype;
  RespConnection.prototype.enqueue = function (command) {
    of(this).enqueued.push(now());
    return enqueue.call(this, command);
  };
  RespConnection.prototype.flush = function () {
    const s = of(this);
    const t = now();
    if (this.out.length) add('redis: commands per write', this.out.length);
    for (let i = 0; i < this.out.length; i++) s.flushed.push(t);
    return flush.call(this);
  };
  RespConnection.prototype.onReply = function (value) {
    const s = of(this);
    const enqueued = s.enqueued.shift();
    const flushed = s.flushed.shift();
    if (enqueued !== undefined && flushed !== undefined) {
      add('redis: queued to written (the turn ends)', flushed - enqueued);
      add('redis: written to reply read', now() - flushed);
    }
    return onReply.call(this, value);
  };
}

/** The admissions of one plan in one turn share a script call: how many requests a call carries. */
function countAdmitBatches(LimitsScripts) {
  const { admitBatch } = LimitsScripts.prototype;
  LimitsScripts.prototype.admitBatch = function (plan, items, nowMs) {
    add('admission batch size (requests per script call)', items.length);
    return admitBatch.call(this, plan, items, nowMs);
  };
}

// The app's modules load after this preload: wrap them once they are in the require cache.
const wanted = [
  ['gateway/pipeline/gateway-pipeline.service.js', 'GatewayPipeline', (c) => timeMethod(c, 'run', 'pipeline: whole run')],
  ['limits/admission.service.js', 'AdmissionService', (c) => timeMethod(c, 'admit', 'admission (Redis round trip included)')],
  ['routing/src/router.service.js', 'RouterService', (c) => timeMethod(c, 'execute', 'upstream call (to response head)')],
  ['redis/resp-connection.js', 'RespConnection', timeResp],
  ['limits/limits-scripts.js', 'LimitsScripts', countAdmitBatches],
];
const hook = setInterval(() => {
  for (let i = wanted.length - 1; i >= 0; i--) {
    const [suffix, name, wrap] = wanted[i];
    const file = Object.keys(require.cache).find((k) => k.endsWith(suffix));
    const cls = file && require.cache[file].exports[name];
    if (cls) {
      wrap(cls);
      wanted.splice(i, 1);
    }
  }
  if (!wanted.length) clearInterval(hook);
}, 20);
hook.unref();

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? Math.round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] * 100) / 100 : null;
}

process.on('SIGUSR2', () => {
  const out = {};
  for (const [leg, values] of Object.entries(legs)) out[leg] = { n: values.length, p50: quantile(values, 0.5), p90: quantile(values, 0.9) };
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  out['event-loop delay, sampled every ms'] = { p50: ms(loopDelay.percentile(50)), p90: ms(loopDelay.percentile(90)) };
  out['minor and major GC pauses'] = { n: gcPauses.length, p50: quantile(gcPauses, 0.5), p90: quantile(gcPauses, 0.9) };
  out.unwrapped = wanted.map(([suffix]) => suffix);
  if (process.env.LLMP_BENCH_PROBE_FILE) writeFileSync(process.env.LLMP_BENCH_PROBE_FILE, JSON.stringify(out));
  legs = {};
  gcPauses = [];
  loopDelay.reset();
});
