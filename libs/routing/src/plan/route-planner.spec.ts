import { ErrorCode, LlmpError } from '@llmp/common';
import { parseGatewayConfig } from '@llmp/infra';
import { RoutePlanner, type TargetHealthView } from './route-planner';

const YAML = `
providers:
  - { name: a, type: mock }
  - { name: b, type: mock }
  - { name: c, type: mock }
  - { name: d, type: mock }
models:
  - name: ordered
    targets:
      - { provider: a, model: m-a }
      - { provider: b, model: m-b }
      - { provider: c, model: m-c }
  - name: by-priority
    targets:
      - { provider: a, model: m-a, priority: 5 }
      - { provider: b, model: m-b, priority: 1 }
      - { provider: c, model: m-c, priority: 3 }
  - name: weighted
    targets:
      - { provider: a, model: m-a, priority: 0, weight: 3 }
      - { provider: b, model: m-b, priority: 0, weight: 1 }
      - { provider: c, model: m-c, priority: 0, weight: 0 }
      - { provider: d, model: m-d, priority: 1 }
`;
const config = parseGatewayConfig(YAML, 'test');
const healthy: TargetHealthView = { coolingUntil: () => 0 };
const cooling = (names: string[], until: number): TargetHealthView => ({
  coolingUntil: (p) => (names.includes(p) ? until : 0),
});
const order = (planner: RoutePlanner, model: string, health = healthy, now = 0): string[] =>
  planner.plan(model, undefined, health, now).targets.map((t) => t.provider.name);

/** A deterministic "random" source cycling through the given values. */
function seq(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('RoutePlanner', () => {
  it('keeps config order when priorities are implicit', () => {
    expect(order(new RoutePlanner(config), 'ordered')).toEqual(['a', 'b', 'c']);
  });

  it('sorts by priority, lowest first', () => {
    expect(order(new RoutePlanner(config), 'by-priority')).toEqual(['b', 'c', 'a']);
  });

  it('returns the same shared plan object when nothing is random and nothing cools down', () => {
    const p = new RoutePlanner(config);
    expect(p.plan('ordered', undefined, healthy, 0)).toBe(p.plan('ordered', undefined, healthy, 0));
  });

  it('orders equal priorities by weight, zero weights last, then the next priority', () => {
    // r=0.1 * total 4 = 0.4 < 3 -> a first; then b (only positive weight left); c (weight 0) last in the group.
    expect(order(new RoutePlanner(config, seq([0.1])), 'weighted')).toEqual(['a', 'b', 'c', 'd']);
    // r=0.9 * 4 = 3.6 -> past a's 3 -> b first.
    expect(order(new RoutePlanner(config, seq([0.9])), 'weighted')).toEqual(['b', 'a', 'c', 'd']);
  });

  it('puts each target first in proportion to its weight', () => {
    const planner = new RoutePlanner(config);
    const first: Record<string, number> = {};
    for (let i = 0; i < 4000; i++) {
      const name = order(planner, 'weighted')[0];
      first[name] = (first[name] ?? 0) + 1;
    }
    expect(first.c).toBeUndefined();
    expect(first.a / 4000).toBeGreaterThan(0.7);
    expect(first.a / 4000).toBeLessThan(0.8);
  });

  it('skips targets that are cooling down', () => {
    expect(order(new RoutePlanner(config), 'ordered', cooling(['a', 'c'], 5000), 1000)).toEqual(['b']);
  });

  it('throws no_provider_available with retry-after when every target cools down', () => {
    const planner = new RoutePlanner(config);
    const health: TargetHealthView = { coolingUntil: (p) => (p === 'a' ? 9_000 : 4_500) };
    try {
      planner.plan('ordered', undefined, health, 1_000);
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toBeInstanceOf(LlmpError);
      expect((e as LlmpError).code).toBe(ErrorCode.NoProviderAvailable);
      expect((e as LlmpError).status).toBe(503);
      expect((e as LlmpError).details.retryAfterSeconds).toBe(4);
    }
  });

  it('throws model_not_found for an unknown model', () => {
    expect(() => new RoutePlanner(config).plan('nope', undefined, healthy, 0)).toThrow(
      expect.objectContaining({ code: ErrorCode.ModelNotFound }),
    );
  });

  it('forces one provider with the requested model id', () => {
    const plan = new RoutePlanner(config).plan('some/model', 'b', healthy, 0);
    expect(plan.targets).toHaveLength(1);
    expect(plan.targets[0].provider.name).toBe('b');
    expect(plan.targets[0].model).toBe('some/model');
  });

  it('rejects an unknown forced provider as model_not_found', () => {
    expect(() => new RoutePlanner(config).plan('x', 'zzz', healthy, 0)).toThrow(
      expect.objectContaining({ code: ErrorCode.ModelNotFound }),
    );
  });
});
