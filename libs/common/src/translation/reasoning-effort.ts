/** OpenAI's `reasoning_effort` values that ask for thinking. */
export type ReasoningEffort = 'minimal' | 'low' | 'medium' | 'high';

// Budgets follow the common proxy convention, so the same client sees the same cost across gateways.
const BUDGETS: Record<ReasoningEffort, number> = { minimal: 1024, low: 1024, medium: 2048, high: 4096 };

/** A thinking budget for `reasoning_effort`; null for `none`/absent, undefined for a value we do not know. */
export function budgetOfEffort(effort: unknown): number | null | undefined {
  if (effort === undefined || effort === null || effort === 'none') return null;
  return typeof effort === 'string' && effort in BUDGETS ? BUDGETS[effort as ReasoningEffort] : undefined;
}

/** The nearest `reasoning_effort` for a provider's thinking budget (0 or less means no thinking). */
export function effortOfBudget(budget: number): ReasoningEffort | 'none' {
  if (budget <= 0) return 'none';
  if (budget <= BUDGETS.low) return 'low';
  if (budget <= BUDGETS.medium) return 'medium';
  return 'high';
}
