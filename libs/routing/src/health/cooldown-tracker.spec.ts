import { CooldownTracker } from './cooldown-tracker';

describe('CooldownTracker', () => {
  it('cools a target down after N consecutive failures, for cooldownMs', () => {
    const t = new CooldownTracker(3, 10_000);
    expect(t.failure('p', 'm', 0)).toBe(0);
    expect(t.failure('p', 'm', 0)).toBe(0);
    expect(t.coolingUntil('p', 'm', 0)).toBe(0);
    expect(t.failure('p', 'm', 100)).toBe(10_100);
    expect(t.coolingUntil('p', 'm', 5_000)).toBe(10_100);
    expect(t.coolingUntil('p', 'other', 5_000)).toBe(0);
    expect(t.coolingUntil('p', 'm', 10_100)).toBe(0);
  });

  it('resets the streak on success', () => {
    const t = new CooldownTracker(2, 1_000);
    t.failure('p', 'm', 0);
    t.success('p', 'm');
    expect(t.failure('p', 'm', 0)).toBe(0);
    expect(t.failure('p', 'm', 0)).toBe(1_000);
  });

  it('never cools down when cooldownMs is 0', () => {
    const t = new CooldownTracker(1, 0);
    expect(t.failure('p', 'm', 0)).toBe(0);
    expect(t.coolingUntil('p', 'm', 0)).toBe(0);
  });

  it('applies remote cooldowns, keeping the later deadline', () => {
    const t = new CooldownTracker(3, 1_000);
    t.apply('p', 'm', 5_000, 0);
    t.apply('p', 'm', 3_000, 0);
    expect(t.coolingUntil('p', 'm', 0)).toBe(5_000);
    t.apply('p', 'x', 10, 20);
    expect(t.coolingUntil('p', 'x', 0)).toBe(0);
  });

  it('lists only active cooldowns', () => {
    const t = new CooldownTracker(1, 1_000);
    t.failure('a', 'm1', 0);
    t.failure('b', 'm2', 500);
    expect(t.list(1_200)).toEqual([{ provider: 'b', model: 'm2', until: 1_500 }]);
    expect(t.list(2_000)).toEqual([]);
  });
});
