import { planUsageRanges } from './usage-plan';

const d = (s: string): Date => new Date(s);

describe('planUsageRanges', () => {
  it('uses day rollups inside, hour rollups at partial days and raw rows at partial hours', () => {
    const plan = planUsageRanges(d('2026-01-01T10:30:00Z'), d('2026-01-04T05:15:00Z'));
    expect(plan.raw).toEqual([[d('2026-01-01T10:30:00Z'), d('2026-01-01T11:00:00Z')], [d('2026-01-04T05:00:00Z'), d('2026-01-04T05:15:00Z')]]);
    expect(plan.hour).toEqual([[d('2026-01-01T11:00:00Z'), d('2026-01-02T00:00:00Z')], [d('2026-01-04T00:00:00Z'), d('2026-01-04T05:00:00Z')]]);
    expect(plan.day).toEqual([[d('2026-01-02T00:00:00Z'), d('2026-01-04T00:00:00Z')]]);
  });

  it('answers aligned ranges from rollups only and tiny ranges from raw rows only', () => {
    expect(planUsageRanges(d('2026-01-01T00:00:00Z'), d('2026-02-01T00:00:00Z'))).toEqual({
      raw: [], hour: [], day: [[d('2026-01-01T00:00:00Z'), d('2026-02-01T00:00:00Z')]],
    });
    expect(planUsageRanges(d('2026-01-01T00:10:00Z'), d('2026-01-01T00:20:00Z')).raw).toHaveLength(1);
  });
});
