import type { Endpoint } from '@llmp/common';
import { ollamaToOpenAiResponse } from '@llmp/common';
import { UpstreamFailure } from '../../http/upstream-failure';
import type { RouteTarget } from '../../routing.types';
import type { ResponseMapper } from '../provider-mappers';
import { openAiErrorEnvelope, requireObject, upstreamErrorMessage } from '../translated-provider.helpers';

/** Ollama `/api/chat` answer → OpenAI chat completion. */
export class OllamaResponseMapper implements ResponseMapper {
  map(_endpoint: Endpoint, body: unknown, target: RouteTarget): Record<string, unknown> {
    const obj = requireObject(body, 'ollama');
    if (typeof obj.error === 'string') throw new UpstreamFailure('invalid-response', null, `ollama upstream answered 2xx with an error: ${obj.error}`);
    return ollamaToOpenAiResponse(obj, target.model) as unknown as Record<string, unknown>;
  }

  errorMessage(body: unknown): string | undefined {
    return upstreamErrorMessage(body);
  }

  passthroughError(status: number, body: unknown): Buffer {
    return openAiErrorEnvelope(status, body, 'ollama');
  }
}
