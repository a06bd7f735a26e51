import { Injectable } from '@nestjs/common';
import { UpstreamHttpClient } from '../../http/upstream-http.client';
import { HttpProviderAdapter } from '../http-provider.adapter';
import { OpenAiRequestMapper } from './openai-request.mapper';
import { OpenAiResponseMapper } from './openai-response.mapper';
import { OpenAiStreamMapper } from './openai-stream.mapper';

/** Any OpenAI-compatible server: OpenAI, Groq, OpenRouter, vLLM, SGLang, TGI, llama.cpp, LocalAI, Ollama's /v1. */
@Injectable()
export class OpenAiAdapter extends HttpProviderAdapter {
  constructor(http: UpstreamHttpClient) {
    super(
      'openai',
      http,
      new OpenAiRequestMapper(),
      new OpenAiResponseMapper(),
      new OpenAiStreamMapper(),
      new Set(['chat', 'completions', 'embeddings'] as const),
    );
  }
}
