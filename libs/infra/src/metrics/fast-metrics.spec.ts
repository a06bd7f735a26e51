import { Counter, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics';

const BUCKETS = [0.005, 0.01, 0.1, 1];
const SAMPLES: [string, string, number][] = [
  ['openai', 'gpt-4o', 0.004],
  ['openai', 'gpt-4o', 0.005],
  ['openai', 'gpt-4o', 0.2],
  ['anthropic', 'claude "x"\\y', 3],
  ['openai', 'gpt-4o', 0.05],
];

describe('FastCounter and FastHistogram', () => {
  it('expose exactly what prom-client exposes for the same observations', async () => {
    const reference = new Registry();
    const refCounter = new Counter({ name: 't_requests_total', help: 'Requests', labelNames: ['surface', 'model'], registers: [reference] });
    const refHistogram = new Histogram({ name: 't_seconds', help: 'Time', labelNames: ['surface', 'model'], buckets: BUCKETS, registers: [reference] });

    const fast = new Registry();
    const counter = new FastCounter('t_requests_total', 'Requests', ['surface', 'model'], fast);
    const histogram = new FastHistogram('t_seconds', 'Time', ['surface', 'model'], BUCKETS, fast);

    for (const [surface, model, v] of SAMPLES) {
      refCounter.labels(surface, model).inc();
      refHistogram.labels(surface, model).observe(v);
      counter.labels(surface, model).inc();
      histogram.labels(surface, model).observe(v);
    }
    refCounter.labels('openai', 'gpt-4o').inc(2);
    counter.labels('openai', 'gpt-4o').inc(2);

    expect(await fast.metrics()).toBe(await reference.metrics());
  });
});
