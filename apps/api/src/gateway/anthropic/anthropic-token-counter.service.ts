import { Injectable } from '@nestjs/common';
import { anthropicToOpenAiRequest, type Json, tokenizer } from '@llmp/common';
import type { FastifyRequest } from 'fastify';
import { objectBody, surfaceRequest } from '../ingress/surface-ingress';
import { GatewayPipeline, type LocalAnswer } from '../pipeline/gateway-pipeline.service';
import { countPromptTokens } from '../pipeline/usage-estimator';

/**
 * `POST /v1/messages/count_tokens`: the key and model policy decide as for a real request, and it counts as one
 * request (rpm, ledger, audit) of 0 tokens; llmp counts locally (the same tokenizer it settles with), so counting
 * never costs an upstream call.
 */
@Injectable()
export class AnthropicTokenCounter {
  constructor(private readonly pipeline: GatewayPipeline) {}

  count(req: FastifyRequest): Promise<LocalAnswer<{ input_tokens: number }>> {
    // count_tokens bodies have no max_tokens; the translator requires one, and it does not affect the count.
    const chat = anthropicToOpenAiRequest({ ...objectBody(req), max_tokens: 1, stream: false });
    const request = surfaceRequest(req, 'anthropic', 'count_tokens', chat);
    return this.pipeline.answerLocally(request, () => {
      const tools = (chat as Json).tools;
      const toolTokens = Array.isArray(tools) && tools.length ? tokenizer().encode(JSON.stringify(tools)).length : 0;
      return { input_tokens: countPromptTokens(chat) + toolTokens };
    });
  }
}
