import type { Registry } from 'prom-client';

/**
 * Counters and histograms for the per-request metrics, registered in a prom-client Registry as custom metrics.
 * prom-client hashes (and sorts) a label object on every `inc`/`observe`, even through a `labels(...)` child; these
 * children hold their numbers directly, so the hot path adds to a field, and the labels are formatted only when
 * `/metrics` is scraped. Everything else (gauges, default metrics, collectors) stays plain prom-client.
 */

/** What prom-client's Registry reads from a metric on scrape. */
interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

interface Series<T> {
  labels: Record<string, string>;
  state: T;
}

abstract class FastMetric<T, Child> {
  readonly aggregator = 'sum' as const;
  private readonly series = new Map<string, Series<T>>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    // A custom metric: the Registry only needs name, help, type and get().
    registry.registerMetric(this as never);
  }

  abstract readonly type: 'counter' | 'histogram';

  /** The child of one label set, created on first use; keep it (see MetricsService's ChildCache). */
  labels(...values: string[]): Child {
    const key = values.join('\u0001');
    let s = this.series.get(key);
    if (!s) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((n, i) => (labels[n] = values[i] ?? ''));
      s = { labels, state: this.initial() };
      this.series.set(key, s);
    }
    return this.child(s.state);
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const s of this.series.values()) this.render(s.labels, s.state, values);
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  protected abstract initial(): T;
  protected abstract child(state: T): Child;
  protected abstract render(labels: Record<string, string>, state: T, out: MetricValue[]): void;
}

export class FastCounter extends FastMetric<{ value: number }, { inc(n?: number): void }> {
  readonly type = 'counter' as const;

  protected initial(): { value: number } {
    return { value: 0 };
  }

  protected child(state: { value: number }): { inc(n?: number): void } {
    return {
      inc: (n = 1) => {
        state.value += n;
      },
    };
  }

  protected render(labels: Record<string, string>, state: { value: number }, out: MetricValue[]): void {
    out.push({ labels, value: state.value });
  }
}

interface HistogramState {
  /** Per bucket, not cumulative (cumulated on scrape). The last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

export class FastHistogram extends FastMetric<HistogramState, { observe(v: number): void }> {
  readonly type = 'histogram' as const;

  constructor(name: string, help: string, labelNames: readonly string[], private readonly buckets: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  protected initial(): HistogramState {
    return { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  protected child(state: HistogramState): { observe(v: number): void } {
    const buckets = this.buckets;
    return {
      observe: (v: number) => {
        let i = 0;
        while (i < buckets.length && v > buckets[i]) i++;
        state.counts[i]++;
        state.sum += v;
        state.count++;
      },
    };
  }

  protected render(labels: Record<string, string>, state: HistogramState, out: MetricValue[]): void {
    let cumulative = 0;
    this.buckets.forEach((le, i) => {
      cumulative += state.counts[i];
      out.push({ labels: { le, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
    });
    out.push({ labels: { le: '+Inf', ...labels }, value: state.count, metricName: `${this.name}_bucket` });
    out.push({ labels, value: state.sum, metricName: `${this.name}_sum` });
    out.push({ labels, value: state.count, metricName: `${this.name}_count` });
  }
}
