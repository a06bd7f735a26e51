import { Injectable } from '@nestjs/common';
import { ErrorCode, isConfiguredModel, LlmpError, type ModelPricing, type ModelResolution, type Principal } from '@llmp/common';
import { priceForAdmission, spendsAgainstBudget } from '../pricing/admission-price';
import { ApiKeyRepository } from '../repositories/api-key.repository';
import { allowlistName } from './allowlist-decision';
import { AllowlistStage } from './allowlist.stage';
import { ResolveModelStage } from './resolve-model.stage';
import { TokenCapStage } from './token-cap.stage';

/** A request to explain: what a client would send to the data plane. */
export interface ExplainRequest {
  model: string;
  body?: Record<string, unknown>;
}

export type ExplainStageName = 'authenticate' | 'resolve_model' | 'allowlist' | 'token_cap' | 'price';

/** Where explain reads prices (the PriceBook, which lives in the pricing module). */
export interface ExplainPrices {
  priceOf(model: string): ModelPricing | null;
}

/** One stage's verdict and its reasons. */
export interface ExplainStep {
  stage: ExplainStageName;
  decision: 'pass' | 'deny' | 'skipped';
  reason: string;
  details?: Record<string, unknown>;
  error?: { code: ErrorCode; message: string };
}

export interface PolicyExplanation {
  keyId: string;
  allowed: boolean;
  steps: ExplainStep[];
  /** The body the upstream would receive (after the token cap), when every stage passed. */
  upstreamBody: Record<string, unknown> | null;
}

function errorOf(e: unknown): { code: ErrorCode; message: string } {
  if (e instanceof LlmpError) return { code: e.code, message: e.message };
  throw e;
}

/**
 * Runs stages 1-4 and the admission's price rule for a key id and a request, without credentials, providers or limits,
 * and says why each decided so.
 */
@Injectable()
export class PolicyExplainService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly resolveModel: ResolveModelStage,
    private readonly allowlist: AllowlistStage,
    private readonly tokenCap: TokenCapStage,
  ) {}

  /** `prices` decides the admission price rule (a budgeted key never gets an unpriced model). */
  async explain(keyId: string, asked: ExplainRequest, prices: ExplainPrices): Promise<PolicyExplanation> {
    // Every surface's ingress trims the model name before the pipeline sees it; judged otherwise, ` gpt-4o` would be
    // denied here and served by the data plane.
    const request: ExplainRequest = { ...asked, model: asked.model.trim() };
    const record = await this.keys.findAuthRecordById(keyId);
    if (!record) throw new LlmpError(ErrorCode.NotFound, `No key with id \`${keyId}\`.`);
    const steps: ExplainStep[] = [];
    const skip = (from: ExplainStageName[]): PolicyExplanation => {
      for (const stage of from) steps.push({ stage, decision: 'skipped', reason: 'an earlier stage denied the request' });
      return { keyId, allowed: false, steps, upstreamBody: null };
    };

    const now = Date.now();
    const authReason = record.revokedAt
      ? `the key was revoked at ${record.revokedAt.toISOString()}`
      : record.expiresAt && record.expiresAt.getTime() <= now
        ? `the key expired at ${record.expiresAt.toISOString()}`
        : null;
    if (authReason) {
      steps.push({ stage: 'authenticate', decision: 'deny', reason: authReason });
      return skip(['resolve_model', 'allowlist', 'token_cap', 'price']);
    }
    steps.push({
      stage: 'authenticate',
      decision: 'pass',
      reason: record.teamId ? `active key in team ${record.teamName ?? record.teamId}` : 'active key without a team',
    });
    const principal: Principal = {
      kind: 'key',
      snapshot: {
        keyId: record.keyId,
        keyName: record.keyName,
        teamId: record.teamId,
        teamName: record.teamName,
        key: record.key,
        team: record.team,
        expiresAt: record.expiresAt ? record.expiresAt.getTime() : null,
      },
    };

    let resolution: ModelResolution;
    try {
      resolution = this.resolveModel.run(principal, request.model);
    } catch (e) {
      steps.push({ stage: 'resolve_model', decision: 'deny', reason: 'the name is no model or alias', error: errorOf(e) });
      return skip(['allowlist', 'token_cap', 'price']);
    }
    steps.push({
      stage: 'resolve_model',
      decision: 'pass',
      reason:
        resolution.aliasChain.length > 1
          ? `alias chain ${resolution.aliasChain.join(' → ')}`
          : resolution.forced
            ? isConfiguredModel(resolution)
              ? `provider forced to ${resolution.forced.provider}, a target of the configured model ${resolution.resolved}`
              : `provider forced to ${resolution.forced.provider}; no configured model has this target`
            : 'a canonical model name',
      details: { ...resolution },
    });

    const decision = this.allowlist.decide(principal, resolution);
    const judged = allowlistName(resolution);
    const levels = decision.levels.map((l) =>
      l.matchedBy === 'unrestricted'
        ? `${l.level}: no restriction`
        : l.matchedBy
          ? `${l.level}: ${l.matchedBy === 'alias' ? 'names the alias' : 'matches'} \`${l.pattern}\``
          : l.allowedModels.length === 0
            ? `${l.level}: an empty list allows configured models only, and \`${judged}\` is no configured target`
            : `${l.level}: \`${judged}\` not in [${l.allowedModels.join(', ')}]${resolution.forced ? ' (a forced target is granted only by a provider://model entry)' : ''}`,
    );
    if (!decision.allowed) {
      const error = errorOf(catchError(() => this.allowlist.run(principal, resolution)));
      steps.push({ stage: 'allowlist', decision: 'deny', reason: levels.join('; '), details: { levels: decision.levels }, error });
      return skip(['token_cap', 'price']);
    }
    steps.push({
      stage: 'allowlist',
      decision: 'pass',
      reason: levels.length ? levels.join('; ') : 'no allowlist',
      details: { levels: decision.levels },
    });

    try {
      const capped = this.tokenCap.run(principal, resolution, { ...(request.body ?? {}), model: request.model });
      const a = capped.applied;
      const limit = a.injected
        ? `injected ${a.injected.field}=${a.injected.value} (${a.cap === null ? "the model's maxOutputTokens" : `cap ${a.cap}`})`
        : a.clamped.length
          ? a.clamped.map((c) => `clamped ${c.field} ${c.from} → ${c.to}`).join('; ')
          : a.cap === null
            ? 'the client\'s limit, no perModelMaxTokens cap for this model'
            : `within the cap of ${a.cap}`;
      const reason = `${limit}; ${a.choices} of at most ${a.maxChoices} choices, reserving ${capped.outputCap * a.choices} output tokens`;
      steps.push({
        stage: 'token_cap',
        decision: 'pass',
        reason,
        details: { ...a, outputCap: capped.outputCap, outputTokensReserved: capped.outputCap * a.choices },
      });
      if (!this.explainPrice(steps, principal, resolution.resolved, prices)) return { keyId, allowed: false, steps, upstreamBody: null };
      return { keyId, allowed: true, steps, upstreamBody: capped.body };
    } catch (e) {
      steps.push({ stage: 'token_cap', decision: 'deny', reason: 'invalid output-token or choice field', error: errorOf(e) });
      steps.push({ stage: 'price', decision: 'skipped', reason: 'an earlier stage denied the request' });
      return { keyId, allowed: false, steps, upstreamBody: null };
    }
  }

  /** The admission's price rule, as the data plane applies it before reserving; false when it refuses. */
  private explainPrice(steps: ExplainStep[], principal: Principal, model: string, prices: ExplainPrices): boolean {
    try {
      const price = priceForAdmission(principal, model, prices);
      const reason = price
        ? `\`${model}\` costs ${price.input} / ${price.output} USD per million input / output tokens`
        : `\`${model}\` has no price and no budget applies: it is recorded at cost 0`;
      steps.push({ stage: 'price', decision: 'pass', reason, details: { model, price, budgeted: spendsAgainstBudget(principal) } });
      return true;
    } catch (e) {
      steps.push({ stage: 'price', decision: 'deny', reason: `\`${model}\` has no price, and a budget applies`, error: errorOf(e) });
      return false;
    }
  }
}

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return new LlmpError(ErrorCode.Internal, 'allowlist decision and stage disagree');
}
