import { Inject, Injectable, Optional } from '@nestjs/common';
import { type Endpoint, ErrorCode, type GatewayConfig, LlmpError, type ModelResolution, type Principal } from '@llmp/common';
import { ConfigStore, GATEWAY_CONFIG } from '@llmp/infra';

/**
 * Output-limit fields of the canonical (OpenAI chat/completions) body. Other surfaces' fields are translated to
 * these or refused at ingress, so nothing else can limit (or unlimit) the upstream's output.
 */
export const OUTPUT_TOKEN_FIELDS = ['max_tokens', 'max_completion_tokens'] as const;
export type OutputTokenField = (typeof OUTPUT_TOKEN_FIELDS)[number];

/** Output tokens per choice reserved and sent upstream when nothing (client, key, model config) bounds the reply. */
export const DEFAULT_OUTPUT_TOKENS = 4096;
/** Choices per request when neither the key nor its team sets `maxChoices`. */
export const DEFAULT_MAX_CHOICES = 8;

/** What the token cap stage did, for logs and explain. */
export interface TokenCapApplied {
  /** The effective cap: the smaller of the key's and the team's, or null when neither sets one. */
  cap: number | null;
  keyCap: number | null;
  teamCap: number | null;
  /** The model's `maxOutputTokens` from the config (or llmp's default), used when neither client nor cap bounds. */
  modelDefault: number;
  clamped: { field: OutputTokenField; from: number; to: number }[];
  injected: { field: OutputTokenField; value: number } | null;
  /** Choices asked for, and the most the key and team allow. */
  choices: number;
  maxChoices: number;
}

export interface TokenCapResult {
  body: Record<string, unknown>;
  /** The output limit per choice the upstream will see (0 for embeddings, which write no output). */
  outputCap: number;
  /** Choices the upstream will write (`n`, or `best_of` on completions, which OpenAI bills in full). */
  choices: number;
  /** True when the client set the output limit itself; llmp then never lowers it to fit a limit. */
  clientLimited: boolean;
  applied: TokenCapApplied;
}

export interface TokenCapOptions {
  /** The request's endpoint: completions also count `best_of`; embeddings have no output. */
  endpoint?: Endpoint;
  /** The client's own name of `n` (e.g. Gemini's `generationConfig.candidateCount`), for errors. */
  choicesParam?: string;
  /** Field to inject when the client sent none. */
  injectField?: OutputTokenField;
}

function capIn(map: Readonly<Record<string, number>> | undefined, names: string[]): number | null {
  if (!map) return null;
  for (const n of [...names, '*']) {
    const v = Object.prototype.hasOwnProperty.call(map, n) ? map[n] : undefined;
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  return null;
}

function smaller(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** A key narrows its team: the smaller of the two set values, else the default. */
function maxChoicesOf(principal: Principal): number {
  if (principal.kind !== 'key') return DEFAULT_MAX_CHOICES;
  // Snapshots cached before the field existed carry no value: treated as unset.
  const set = smaller(principal.snapshot.key.maxChoices ?? null, principal.snapshot.team?.maxChoices ?? null);
  return set ?? DEFAULT_MAX_CHOICES;
}

function choiceCount(body: Readonly<Record<string, unknown>>, field: 'n' | 'best_of', param: string, allowed: number): number {
  const v = body[field];
  if (v === undefined || v === null) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new LlmpError(ErrorCode.InvalidRequest, `\`${param}\` must be a positive integer.`, { param });
  }
  if (v > allowed) {
    throw new LlmpError(
      ErrorCode.InvalidRequest,
      `\`${param}\` asks for ${v} choices, but this key allows at most ${allowed} per request (maxChoices).`,
      { param },
    );
  }
  return v;
}

/**
 * Stage 4: the output of a request, bounded. Counts the choices (refusing more than `maxChoices`), clamps the
 * client's output limit to `perModelMaxTokens`, and when the client sent none injects the cap, else the model's
 * `maxOutputTokens`, so the upstream never writes more than admission reserves.
 */
@Injectable()
export class TokenCapStage {
  private modelDefaults = new Map<string, number>();

  constructor(@Optional() @Inject(GATEWAY_CONFIG) config?: GatewayConfig, @Optional() store?: ConfigStore) {
    if (config) this.modelDefaults = defaultsOf(config);
    store?.onChange((next) => {
      this.modelDefaults = defaultsOf(next);
    });
  }

  run(
    principal: Principal,
    resolution: ModelResolution,
    body: Readonly<Record<string, unknown>>,
    options: TokenCapOptions = {},
  ): TokenCapResult {
    // The policy model: a forced configured target is capped as its model, any other forced target by `provider://model`.
    const names = [resolution.resolved];
    const keyCap = principal.kind === 'key' ? capIn(principal.snapshot.key.perModelMaxTokens, names) : null;
    const teamCap = principal.kind === 'key' ? capIn(principal.snapshot.team?.perModelMaxTokens, names) : null;
    const cap = smaller(keyCap, teamCap);
    const modelDefault = this.modelDefaultOf(names);
    const maxChoices = maxChoicesOf(principal);

    const applied: TokenCapApplied = { cap, keyCap, teamCap, modelDefault, clamped: [], injected: null, choices: 1, maxChoices };
    if (options.endpoint === 'embeddings') return { body: { ...body }, outputCap: 0, choices: 1, clientLimited: false, applied };

    let choices = choiceCount(body, 'n', options.choicesParam ?? 'n', maxChoices);
    // OpenAI generates (and bills) every one of `best_of` completions server-side and returns the best `n`.
    if (options.endpoint === 'completions') choices = Math.max(choices, choiceCount(body, 'best_of', 'best_of', maxChoices));
    applied.choices = choices;

    const next: Record<string, unknown> = { ...body };
    let outputCap: number | null = null;
    for (const field of OUTPUT_TOKEN_FIELDS) {
      const v = body[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new LlmpError(ErrorCode.InvalidRequest, `\`${field}\` must be a non-negative integer.`, { param: field });
      }
      let value = v;
      if (cap !== null && v > cap) {
        value = cap;
        next[field] = cap;
        applied.clamped.push({ field, from: v, to: cap });
      }
      outputCap = smaller(outputCap, value);
    }
    if (outputCap !== null) return { body: next, outputCap, choices, clientLimited: true, applied };

    const field = options.injectField ?? (body.max_completion_tokens === null ? 'max_completion_tokens' : 'max_tokens');
    const value = cap ?? modelDefault;
    next[field] = value;
    applied.injected = { field, value };
    return { body: next, outputCap: value, choices, clientLimited: false, applied };
  }

  /** The same result with the limit llmp injected lowered to `perChoice` (to fit a tpm limit or budget). */
  lowered(result: TokenCapResult, perChoice: number): TokenCapResult {
    const injected = result.applied.injected;
    if (result.clientLimited || injected === null || perChoice >= result.outputCap) return result;
    return {
      ...result,
      body: { ...result.body, [injected.field]: perChoice },
      outputCap: perChoice,
      applied: { ...result.applied, injected: { field: injected.field, value: perChoice } },
    };
  }

  private modelDefaultOf(names: string[]): number {
    for (const n of names) {
      const v = this.modelDefaults.get(n);
      if (v !== undefined) return v;
    }
    return DEFAULT_OUTPUT_TOKENS;
  }
}

function defaultsOf(config: GatewayConfig): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of config.models) if (m.maxOutputTokens !== undefined) out.set(m.name, m.maxOutputTokens);
  return out;
}
