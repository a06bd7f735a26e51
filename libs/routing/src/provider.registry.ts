import { Injectable } from '@nestjs/common';
import type { ProviderType } from '@llmp/common';
import type { ProviderAdapter } from './providers/provider-adapter';
import { AnthropicAdapter } from './providers/anthropic/anthropic.adapter';
import { GeminiAdapter } from './providers/gemini/gemini.adapter';
import { MockAdapter } from './providers/mock/mock.adapter';
import { OllamaAdapter } from './providers/ollama/ollama.adapter';
import { OpenAiAdapter } from './providers/openai/openai.adapter';

/** Provider type -> adapter. Adding a provider kind is one adapter class and one line here. */
@Injectable()
export class ProviderRegistry {
  private readonly adapters = new Map<ProviderType, ProviderAdapter>();

  constructor(openai: OpenAiAdapter, mock: MockAdapter, anthropic: AnthropicAdapter, gemini: GeminiAdapter, ollama: OllamaAdapter) {
    for (const a of [openai, mock, anthropic, gemini, ollama]) this.adapters.set(a.type, a);
  }

  /** The adapter for a provider type, or undefined for a kind without one. */
  get(type: ProviderType): ProviderAdapter | undefined {
    return this.adapters.get(type);
  }
}
