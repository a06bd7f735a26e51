import { Injectable } from '@nestjs/common';
import { UpstreamHttpClient } from '../../http/upstream-http.client';
import { HttpProviderAdapter } from '../http-provider.adapter';
import { OllamaRequestMapper } from './ollama-request.mapper';
import { OllamaResponseMapper } from './ollama-response.mapper';
import { OllamaStreamMapper } from './ollama-stream.mapper';

/** Ollama's native API (`baseUrl` e.g. `http://127.0.0.1:11434`), chat only, streaming NDJSON. */
@Injectable()
export class OllamaAdapter extends HttpProviderAdapter {
  constructor(http: UpstreamHttpClient) {
    super('ollama', http, new OllamaRequestMapper(), new OllamaResponseMapper(), new OllamaStreamMapper(), new Set(['chat'] as const), 'ndjson');
  }
}
