import { Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { UpstreamAttempt } from '@llmp/common';
import { FastCounter, FastHistogram } from './fast-metrics';

/** Everything settlement knows about one finished request, in label-ready form. */
export interface RequestObservation {
  surface: string;
  /** A bounded label: a configured model, `<provider>://*` for forced providers, or `-` when unresolved. */
  model: string;
  status: number;
  errorCode: string | null;
  totalMs: number;
  /** Time spent waiting on upstreams (headers, body, stream chunks); overhead = total − upstream. */
  upstreamMs: number;
  attempts: readonly UpstreamAttempt[];
  /** How the request was admitted: redis, local (fallback), none (no limits or open fallback); null if not admitted. */
  admissionMode: string | null;
}

/** A scrape-time sampler: reads some state (queue depth, fallback counters) into gauges just before rendering. */
export type MetricsCollector = () => Promise<void> | void;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const OVERHEAD_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Error codes that are limiter decisions; everything else reaching admission was admitted. */
const LIMIT_DECISIONS: Readonly<Record<string, string>> = {
  rate_limit_exceeded: 'rate_limited',
  budget_exceeded: 'budget_exceeded',
  request_exceeds_limit: 'never_fits',
  limits_unavailable: 'limits_unavailable',
};

/** Label children by up to three label values, created once and reused: no label hashing on the hot path. */
class ChildCache<T> {
  private readonly root = new Map<string, Map<string, Map<string, T>>>();

  constructor(private readonly make: (a: string, b: string, c: string) => T) {}

  get(a: string, b = '', c = ''): T {
    let m1 = this.root.get(a);
    if (!m1) this.root.set(a, (m1 = new Map()));
    let m2 = m1.get(b);
    if (!m2) m1.set(b, (m2 = new Map()));
    let child = m2.get(c);
    if (!child) m2.set(c, (child = this.make(a, b, c)));
    return child;
  }
}

interface CounterChild {
  inc(value?: number): void;
}
interface HistogramChild {
  observe(value: number): void;
}

/**
 * The process's Prometheus registry (one per app instance, never prom-client's global one) and every llmp metric.
 * Hot-path methods only touch pre-created label children; state owned elsewhere (queues, fallback counters,
 * cooldowns) is sampled by collectors when `/metrics` is scraped, never per request.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger(MetricsService.name);
  private readonly collectors: { name: string; collect: MetricsCollector }[] = [];

  private readonly requests = new FastCounter(
    'llmp_requests_total',
    'Requests finished by the data plane, by surface, model and HTTP status',
    ['surface', 'model', 'status'],
    this.registry,
  );
  private readonly duration = new FastHistogram(
    'llmp_request_duration_seconds',
    'Total request time as the client saw it (streams: until the last chunk)',
    ['surface', 'model'],
    LATENCY_BUCKETS,
    this.registry,
  );
  private readonly overhead = new FastHistogram(
    'llmp_gateway_overhead_seconds',
    'Time llmp added to a request: total time minus time spent waiting on upstreams',
    ['surface'],
    OVERHEAD_BUCKETS,
    this.registry,
  );
  private readonly upstreamDuration = new FastHistogram(
    'llmp_upstream_duration_seconds',
    'Upstream attempt latency until the response (or failure), by provider and outcome',
    ['provider', 'outcome'],
    LATENCY_BUCKETS,
    this.registry,
  );
  private readonly upstreamErrors = new FastCounter(
    'llmp_upstream_errors_total',
    'Failed upstream attempts by provider and upstream status (none = connect error or timeout)',
    ['provider', 'status'],
    this.registry,
  );
  private readonly failovers = new FastCounter(
    'llmp_failovers_total',
    'Extra upstream attempts after a failed one, by model',
    ['model'],
    this.registry,
  );
  private readonly limitDecisions = new FastCounter(
    'llmp_limit_decisions_total',
    'Admission decisions: admitted (by mode: redis, local fallback, none), rate_limited, budget_exceeded, never_fits, limits_unavailable',
    ['decision', 'mode'],
    this.registry,
  );

  private readonly requestChildren = new ChildCache<CounterChild>((s, m, st) => this.requests.labels(s, m, st));
  private readonly durationChildren = new ChildCache<HistogramChild>((s, m) => this.duration.labels(s, m));
  private readonly overheadChildren = new ChildCache<HistogramChild>((s) => this.overhead.labels(s));
  private readonly upstreamChildren = new ChildCache<HistogramChild>((p, o) => this.upstreamDuration.labels(p, o));
  private readonly upstreamErrorChildren = new ChildCache<CounterChild>((p, st) => this.upstreamErrors.labels(p, st));
  private readonly failoverChildren = new ChildCache<CounterChild>((m) => this.failovers.labels(m));
  private readonly decisionChildren = new ChildCache<CounterChild>((d, m) => this.limitDecisions.labels(d, m));
  private readonly statusText: string[] = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'llmp_' });
  }

  /** Creates the label children of the expected label sets up front, so first requests do not allocate them. */
  prewarm(surfaces: readonly string[], models: readonly string[], providers: readonly string[]): void {
    for (const s of surfaces) {
      this.overheadChildren.get(s);
      for (const m of models) {
        this.durationChildren.get(s, m);
        this.requestChildren.get(s, m, '200');
      }
    }
    for (const p of providers) this.upstreamChildren.get(p, 'ok');
    for (const mode of ['redis', 'local', 'none']) this.decisionChildren.get('admitted', mode);
  }

  /** Settlement calls this once per request on every exit path. */
  observeRequest(o: RequestObservation): void {
    const status = this.status(o.status);
    this.requestChildren.get(o.surface, o.model, status).inc();
    this.durationChildren.get(o.surface, o.model).observe(o.totalMs / 1000);
    this.overheadChildren.get(o.surface).observe(Math.max(0, o.totalMs - o.upstreamMs) / 1000);
    let failed = 0;
    for (const a of o.attempts) {
      const ok = a.reason === 'ok' || (a.status !== null && a.status >= 400 && a.status < 500 && a.status !== 429);
      this.upstreamChildren.get(a.provider, ok ? 'ok' : 'error').observe(a.latencyMs / 1000);
      if (!ok) {
        failed++;
        this.upstreamErrorChildren.get(a.provider, a.status === null ? 'none' : this.status(a.status)).inc();
      }
    }
    // Every attempt after a failed one is a failover, whether or not a later target answered.
    const extra = Math.min(failed, o.attempts.length - 1);
    if (extra > 0) this.failoverChildren.get(o.model).inc(extra);
    const decision = o.errorCode ? LIMIT_DECISIONS[o.errorCode] : undefined;
    if (decision) this.decisionChildren.get(decision, '-').inc();
    else if (o.admissionMode) this.decisionChildren.get('admitted', o.admissionMode).inc();
  }

  /** Adds a sampler run on every scrape (errors are logged, the scrape still succeeds). */
  addCollector(name: string, collect: MetricsCollector): void {
    this.collectors.push({ name, collect });
  }

  /** A gauge in this registry (for collectors). */
  gauge(name: string, help: string, labelNames: string[] = []): Gauge<string> {
    const existing = this.registry.getSingleMetric(name);
    if (existing) return existing as Gauge<string>;
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  /**
   * A counter mirrored from a running total kept elsewhere (set on scrape); typed `counter` so `rate()` works.
   */
  mirroredCounter(name: string, help: string, labelNames: string[] = []): { set(labels: Record<string, string>, value: number): void } {
    const existing = this.registry.getSingleMetric(name) as Counter<string> | undefined;
    const counter = existing ?? new Counter({ name, help, labelNames, registers: [this.registry] });
    const last = new Map<string, number>();
    return {
      set: (labels, value) => {
        const key = labelNames.map((l) => labels[l] ?? '').join('\u0001');
        const delta = value - (last.get(key) ?? 0);
        // Totals only grow; a smaller value means the source restarted, which Prometheus handles as a reset.
        if (delta > 0) counter.inc(labels, delta);
        else if (delta < 0) counter.inc(labels, 0);
        last.set(key, value);
      },
    };
  }

  /** The Prometheus text exposition, after running every collector. */
  async render(): Promise<string> {
    await Promise.all(
      this.collectors.map(async (c) => {
        try {
          await c.collect();
        } catch (e) {
          this.logger.warn(`metrics collector ${c.name} failed: ${(e as Error).message}`);
        }
      }),
    );
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private status(code: number): string {
    return (this.statusText[code] ??= String(code));
  }
}
