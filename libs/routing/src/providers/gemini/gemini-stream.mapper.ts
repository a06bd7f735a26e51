import { GeminiToOpenAiStream } from '@llmp/common';
import type { ProviderConfig } from '@llmp/common';
import type { SseEvent } from '../../http/sse-parser';
import type { RouteTarget } from '../../routing.types';
import type { StreamMapper, StreamMapping, StreamStep } from '../provider-mappers';
import { parseEventData } from '../translated-provider.helpers';

/** Gemini `alt=sse` events → OpenAI chunks; complete when a finish reason arrived before the connection closed. */
class GeminiStreamMapping implements StreamMapping {
  private readonly stream: GeminiToOpenAiStream;

  constructor(private readonly provider: ProviderConfig, model: string) {
    this.stream = new GeminiToOpenAiStream(model);
  }

  map(event: SseEvent): StreamStep {
    const chunks = this.stream.push(parseEventData(event.data, this.provider));
    return chunks.length ? (chunks as unknown as Record<string, unknown>[]) : null;
  }

  end(): readonly Record<string, unknown>[] | null {
    return this.stream.end() as unknown as Record<string, unknown>[] | null;
  }
}

export class GeminiStreamMapper implements StreamMapper {
  open(_endpoint: unknown, target: RouteTarget): StreamMapping {
    return new GeminiStreamMapping(target.provider, target.model);
  }
}
