import { Injectable } from '@nestjs/common';
import { ErrorCode, LlmpError, type ModelResolution, type Principal } from '@llmp/common';

/** Body fields that limit output tokens, in the OpenAI shapes (other surfaces are mapped to these at ingress). */
export const OUTPUT_TOKEN_FIELDS = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'] as const;
export type OutputTokenField = (typeof OUTPUT_TOKEN_FIELDS)[number];

/** What the token cap stage did, for logs and explain. */
export interface TokenCapApplied {
  /** The effective cap: the smaller of the key's and the team's, or null when neither sets one. */
  cap: number | null;
  keyCap: number | null;
  teamCap: number | null;
  clamped: { field: OutputTokenField; from: number; to: number }[];
  injected: { field: OutputTokenField; value: number } | null;
}

export interface TokenCapResult {
  body: Record<string, unknown>;
  /** The output limit the upstream will see (the client's or the cap), or null when nothing limits it. */
  outputCap: number | null;
  applied: TokenCapApplied;
}

export interface TokenCapOptions {
  /** Field to inject when the client sent none (the Responses surface uses `max_output_tokens`). */
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

/** Stage 4: output-token limits clamped to `perModelMaxTokens`, and injected when the client sent none. */
@Injectable()
export class TokenCapStage {
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

    const next: Record<string, unknown> = { ...body };
    const applied: TokenCapApplied = { cap, keyCap, teamCap, clamped: [], injected: null };
    let outputCap: number | null = null;
    let present = false;
    for (const field of OUTPUT_TOKEN_FIELDS) {
      const v = body[field];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw new LlmpError(ErrorCode.InvalidRequest, `\`${field}\` must be a non-negative integer.`, { param: field });
      }
      present = true;
      let value = v;
      if (cap !== null && v > cap) {
        value = cap;
        next[field] = cap;
        applied.clamped.push({ field, from: v, to: cap });
      }
      outputCap = smaller(outputCap, value);
    }
    if (!present && cap !== null) {
      const field = options.injectField ?? (body.max_completion_tokens === null ? 'max_completion_tokens' : 'max_tokens');
      next[field] = cap;
      applied.injected = { field, value: cap };
      outputCap = cap;
    }
    return { body: next, outputCap, applied };
  }
}
