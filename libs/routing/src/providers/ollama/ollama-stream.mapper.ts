import { OllamaToOpenAiStream } from '@llmp/common';
import type { ProviderConfig } from '@llmp/common';
import type { SseEvent } from '../../http/sse-parser';
import type { RouteTarget } from '../../routing.types';
import type { StreamMapper, StreamMapping, StreamStep } from '../provider-mappers';
import { parseEventData } from '../translated-provider.helpers';

/** Ollama NDJSON lines (framed by the transport) → OpenAI chunks; complete once a `done: true` line arrived. */
class OllamaStreamMapping implements StreamMapping {
  private readonly stream: OllamaToOpenAiStream;

  constructor(private readonly provider: ProviderConfig, model: string) {
    this.stream = new OllamaToOpenAiStream(model);
  }

  map(event: SseEvent): StreamStep {
    const chunks = this.stream.push(parseEventData(event.data, this.provider));
    return chunks.length ? (chunks as unknown as Record<string, unknown>[]) : null;
  }

  end(): readonly Record<string, unknown>[] | null {
    return this.stream.done ? [] : null;
  }
}

export class OllamaStreamMapper implements StreamMapper {
  open(_endpoint: unknown, target: RouteTarget): StreamMapping {
    return new OllamaStreamMapping(target.provider, target.model);
  }
}
