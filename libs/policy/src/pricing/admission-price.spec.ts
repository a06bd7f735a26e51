import { ErrorCode, LlmpError, type ModelPricing } from '@llmp/common';
import { codeOf } from '../testing/error-code';
import { keyPrincipal } from '../testing/principal.fixture';
import { priceForAdmission, spendsAgainstBudget } from './admission-price';

const book = { priceOf: (m: string): ModelPricing | null => (m === 'priced' || m === 'local://x' ? { input: 1, output: 2 } : null) };

describe('priceForAdmission', () => {
  it('prices what has a price, for everyone', () => {
    expect(priceForAdmission(keyPrincipal({ budgetUsd: 1 }), 'priced', book)).toEqual({ input: 1, output: 2 });
    expect(priceForAdmission(keyPrincipal({ budgetUsd: 1 }), 'local://x', book)).toEqual({ input: 1, output: 2 });
  });

  it('lets an unbudgeted caller use an unpriced model at no cost', () => {
    expect(priceForAdmission(keyPrincipal(), 'mock://mock-large', book)).toBeNull();
    expect(priceForAdmission({ kind: 'anonymous' }, 'unpriced', book)).toBeNull();
  });

  it('refuses an unpriced model (configured or forced) under a key or a team budget with 400 model_not_priced', () => {
    for (const p of [keyPrincipal({ budgetUsd: 0.0005 }), keyPrincipal({}, { budgetUsd: 10 })]) {
      expect(spendsAgainstBudget(p)).toBe(true);
      expect(codeOf(() => priceForAdmission(p, 'mock://mock-large', book))).toBe(ErrorCode.ModelNotPriced);
      expect(codeOf(() => priceForAdmission(p, 'unpriced', book))).toBe(ErrorCode.ModelNotPriced);
    }
    try {
      priceForAdmission(keyPrincipal({ budgetUsd: 1 }), 'unpriced', book);
    } catch (e) {
      expect((e as LlmpError).status).toBe(400);
      expect((e as LlmpError).details.param).toBe('model');
    }
  });
});
