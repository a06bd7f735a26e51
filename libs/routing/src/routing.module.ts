import { Module } from '@nestjs/common';
import { CooldownService } from './health/cooldown.service';
import { UpstreamHttpClient } from './http/upstream-http.client';
import { ProviderRegistry } from './provider.registry';
import { AnthropicAdapter } from './providers/anthropic/anthropic.adapter';
import { GeminiAdapter } from './providers/gemini/gemini.adapter';
import { MockAdapter } from './providers/mock/mock.adapter';
import { OllamaAdapter } from './providers/ollama/ollama.adapter';
import { OpenAiAdapter } from './providers/openai/openai.adapter';
import { RouterService } from './router.service';

/** Routing and upstream calls. Needs InfraModule (config and Redis) in the importing app. */
@Module({
  providers: [AnthropicAdapter, CooldownService, GeminiAdapter, MockAdapter, OllamaAdapter, OpenAiAdapter, ProviderRegistry, RouterService, UpstreamHttpClient],
  exports: [CooldownService, RouterService],
})
export class RoutingModule {}
