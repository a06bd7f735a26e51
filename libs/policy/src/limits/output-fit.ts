import { usdToNano } from './nano-usd';
import { type AdmissionPlan, NANO_PER_USD } from './reservation';

/** A request whose output limit llmp chose (the client sent none), to be fitted under the static limits. */
export interface OutputFitRequest {
  promptTokensEstimate: number;
  choices: number;
  /** The output limit per choice llmp would send. */
  perChoice: number;
  /** The smallest per-choice limit worth admitting (`limits.minOutputTokens`). */
  minimum: number;
  /** Worst-case cost in USD of the prompt plus `outputTokens` output tokens over all choices. */
  costUsdOf: (outputTokens: number) => number;
}

function fits(plan: AdmissionPlan, req: OutputFitRequest, perChoice: number): boolean {
  const tokens = Math.ceil(req.promptTokensEstimate) + perChoice * req.choices;
  const costNano = usdToNano(req.costUsdOf(perChoice * req.choices), 'ceil');
  for (const s of plan.scopes) {
    if (s.tpm !== null && tokens > s.tpm) return false;
    if (s.budgetNano !== null && costNano > s.budgetNano) return false;
  }
  return true;
}

/**
 * The largest output limit per choice, at most `perChoice`, under which the reservation fits every scope's tpm limit
 * and budget (the limits themselves, not what the current window has used: a full window is a 429 as always).
 * Returns `perChoice` when it fits or when nothing from `minimum` up fits (admission then refuses the request as
 * never fitting). Pure arithmetic: no Redis, so admission stays one round trip.
 */
export function fitOutputPerChoice(plan: AdmissionPlan | null, req: OutputFitRequest): number {
  if (plan === null || fits(plan, req, req.perChoice)) return req.perChoice;
  const choices = Math.max(1, req.choices);
  let best = req.perChoice;
  for (const s of plan.scopes) {
    if (s.tpm !== null) best = Math.min(best, Math.floor((s.tpm - Math.ceil(req.promptTokensEstimate)) / choices));
  }
  const base = req.costUsdOf(0);
  const perToken = (req.costUsdOf(choices) - base) / choices;
  if (perToken > 0) {
    for (const s of plan.scopes) {
      if (s.budgetNano !== null) best = Math.min(best, Math.floor((s.budgetNano / NANO_PER_USD - base) / (perToken * choices)));
    }
  }
  // Float rounding in the cost can leave the solved value a token over; step down until the reservation fits.
  for (let i = 0; i < 4 && best >= req.minimum && !fits(plan, req, best); i++) best--;
  return best >= req.minimum && fits(plan, req, best) ? best : req.perChoice;
}
