import { Injectable } from '@nestjs/common';
import { UpstreamHttpClient } from '../../http/upstream-http.client';
import { HttpProviderAdapter } from '../http-provider.adapter';
import { AnthropicRequestMapper } from './anthropic-request.mapper';
import { AnthropicResponseMapper } from './anthropic-response.mapper';
import { AnthropicStreamMapper } from './anthropic-stream.mapper';

/** Anthropic's Messages API (`baseUrl` e.g. `https://api.anthropic.com`), chat only. */
@Injectable()
export class AnthropicAdapter extends HttpProviderAdapter {
  constructor(http: UpstreamHttpClient) {
    super('anthropic', http, new AnthropicRequestMapper(), new AnthropicResponseMapper(), new AnthropicStreamMapper(), new Set(['chat'] as const));
  }
}
