import { Injectable } from '@nestjs/common';
import { anthropicToOpenAiRequest, type CanonicalRequest, type Json, tokenizer } from '@llmp/common';
import type { FastifyRequest } from 'fastify';
import { objectBody, surfaceRequest } from '../ingress/surface-ingress';
import { GatewayPipeline } from '../pipeline/gateway-pipeline.service';
import { countPromptTokens } from '../pipeline/usage-estimator';

/**
 * `POST /v1/messages/count_tokens`: the key and model policy decide as for a real request, then llmp counts locally
 * (the same tokenizer it settles with), so counting never costs an upstream call.
 */
@Injectable()
export class AnthropicTokenCounter {
  constructor(private readonly pipeline: GatewayPipeline) {}

  async count(req: FastifyRequest): Promise<{ input_tokens: number }> {
    // count_tokens bodies have no max_tokens; the translator requires one, and it does not affect the count.
    const chat = anthropicToOpenAiRequest({ ...objectBody(req), max_tokens: 1, stream: false });
    const request: CanonicalRequest = surfaceRequest(req, 'anthropic', 'messages', chat);
    await this.pipeline.authorize(request);
    const tools = (chat as Json).tools;
    const toolTokens = Array.isArray(tools) && tools.length ? tokenizer().encode(JSON.stringify(tools)).length : 0;
    return { input_tokens: countPromptTokens(chat) + toolTokens };
  }
}
