import type { Endpoint } from '@llmp/common';
import { geminiToOpenAiResponse } from '@llmp/common';
import type { RouteTarget } from '../../routing.types';
import type { ResponseMapper } from '../provider-mappers';
import { openAiErrorEnvelope, requireObject, upstreamErrorMessage } from '../translated-provider.helpers';

/** Gemini GenerateContentResponse → OpenAI chat completion. */
export class GeminiResponseMapper implements ResponseMapper {
  map(_endpoint: Endpoint, body: unknown, target: RouteTarget): Record<string, unknown> {
    return geminiToOpenAiResponse(requireObject(body, 'gemini'), target.model) as unknown as Record<string, unknown>;
  }

  errorMessage(body: unknown): string | undefined {
    return upstreamErrorMessage(body);
  }

  passthroughError(status: number, body: unknown): Buffer {
    return openAiErrorEnvelope(status, body, 'gemini');
  }
}
