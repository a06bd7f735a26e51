import type { AdmissionPlan, ScopePlan } from './reservation';
import { fitOutputPerChoice, type OutputFitRequest } from './output-fit';

function plan(...scopes: Partial<ScopePlan>[]): AdmissionPlan {
  return {
    tag: '{k:test}',
    scopes: scopes.map((s) => ({
      kind: 'key', label: 'key "test"', ownerId: 'key_test', base: 'lim:{k:test}:key:key_test',
      rpm: null, tpm: null, maxParallel: null, budgetNano: null, budgetPeriod: null, ...s,
    })),
  };
}

/** $1 per million input and $10 per million output tokens. */
const priced = (prompt: number) => (output: number): number => (prompt * 1 + output * 10) / 1_000_000;

function req(over: Partial<OutputFitRequest> = {}): OutputFitRequest {
  return { promptTokensEstimate: 100, choices: 1, perChoice: 4096, minimum: 256, costUsdOf: priced(100), ...over };
}

describe('fitOutputPerChoice', () => {
  it('keeps the limit when it fits, or when there is no plan', () => {
    expect(fitOutputPerChoice(null, req())).toBe(4096);
    expect(fitOutputPerChoice(plan({ tpm: 10_000 }), req())).toBe(4096);
  });

  it('lowers the limit to the largest that fits the smallest tpm, per choice', () => {
    expect(fitOutputPerChoice(plan({ tpm: 3000 }), req())).toBe(2900);
    expect(fitOutputPerChoice(plan({ tpm: 3000 }, { tpm: 2000 }), req())).toBe(1900);
    expect(fitOutputPerChoice(plan({ tpm: 3000 }), req({ choices: 4 }))).toBe(725);
  });

  it('lowers the limit to what the budget pays for', () => {
    // $0.01 = 10,000,000 nano; the prompt costs 100 µ$; each output token 10 µ$ → 990 tokens.
    const fitted = fitOutputPerChoice(plan({ budgetNano: 10_000_000 }), req());
    expect(fitted).toBe(990);
    expect(priced(100)(fitted)).toBeLessThanOrEqual(0.01);
    expect(fitOutputPerChoice(plan({ budgetNano: 10_000_000 }), req({ choices: 3 }))).toBe(330);
  });

  it('refuses to go below the minimum: the original limit is kept for admission to refuse', () => {
    expect(fitOutputPerChoice(plan({ tpm: 300 }), req())).toBe(4096);
    expect(fitOutputPerChoice(plan({ tpm: 356 }), req())).toBe(256);
    expect(fitOutputPerChoice(plan({ budgetNano: 0 }), req())).toBe(4096);
  });

  it('ignores the budget of an unpriced model', () => {
    expect(fitOutputPerChoice(plan({ budgetNano: 1 }), req({ costUsdOf: () => 0 }))).toBe(4096);
  });
});
