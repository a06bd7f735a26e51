import { ErrorCode, LlmpError, type ModelPricing, type Principal } from '@llmp/common';

/** Whether the key or its team spends against a `budgetUsd`. */
export function spendsAgainstBudget(principal: Principal): boolean {
  if (principal.kind !== 'key') return false;
  return principal.snapshot.key.budgetUsd !== null || (principal.snapshot.team?.budgetUsd ?? null) !== null;
}

/**
 * The price a request is reserved and settled at. A budgeted key never gets a call for free: under a key or team
 * budget a policy model without a price (configured but unpriced, or a forced target whose provider has no price and
 * no admin override) is refused with 400 `model_not_priced`. Without a budget an unpriced call costs 0, as before.
 */
export function priceForAdmission(
  principal: Principal,
  model: string,
  prices: { priceOf(model: string): ModelPricing | null },
): ModelPricing | null {
  const price = prices.priceOf(model);
  if (price === null && spendsAgainstBudget(principal)) {
    throw new LlmpError(
      ErrorCode.ModelNotPriced,
      `The model \`${model}\` has no price, and this API key spends against a budget: llmp cannot charge for it.`,
      { param: 'model' },
    );
  }
  return price;
}
