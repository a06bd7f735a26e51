import { Injectable } from '@nestjs/common';
import { UpstreamHttpClient } from '../../http/upstream-http.client';
import { HttpProviderAdapter } from '../http-provider.adapter';
import { GeminiRequestMapper } from './gemini-request.mapper';
import { GeminiResponseMapper } from './gemini-response.mapper';
import { GeminiStreamMapper } from './gemini-stream.mapper';

/** Google's Gemini API (`baseUrl` e.g. `https://generativelanguage.googleapis.com`), chat only. */
@Injectable()
export class GeminiAdapter extends HttpProviderAdapter {
  constructor(http: UpstreamHttpClient) {
    super('gemini', http, new GeminiRequestMapper(), new GeminiResponseMapper(), new GeminiStreamMapper(), new Set(['chat'] as const));
  }
}
