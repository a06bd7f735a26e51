import { Module } from '@nestjs/common';
import { InfraModule, QueuesModule } from '@llmp/infra';
import { LimitsModule, PolicyModule, PricingModule } from '@llmp/policy';
import { RoutingModule } from '@llmp/routing';
import { AnthropicTokenCounter } from './gateway/anthropic/anthropic-token-counter.service';
import { AnthropicController } from './gateway/anthropic/anthropic.controller';
import { GeminiController } from './gateway/gemini/gemini.controller';
import { OllamaController } from './gateway/ollama/ollama.controller';
import { ResponsesController } from './gateway/responses/responses.controller';
import { ModelCatalogService } from './gateway/openai/model-catalog.service';
import { OpenAiController } from './gateway/openai/openai.controller';
import { GatewayPipeline } from './gateway/pipeline/gateway-pipeline.service';
import { AuthFailureAudit } from './gateway/pipeline/auth-failure-audit.service';
import { SettlementService } from './gateway/pipeline/settlement.service';
import { HealthController } from './health/health.controller';
import { DataPlaneMetricsCollector } from './metrics/data-plane-metrics.collector';

/** The data plane: surfaces → pipeline → providers; usage and audit leave through queues. */
@Module({
  imports: [InfraModule, PolicyModule, LimitsModule, PricingModule, RoutingModule, QueuesModule],
  controllers: [OpenAiController, ResponsesController, AnthropicController, GeminiController, OllamaController, HealthController],
  providers: [GatewayPipeline, SettlementService, AuthFailureAudit, ModelCatalogService, DataPlaneMetricsCollector, AnthropicTokenCounter],
})
export class ApiModule {}
