import { AnthropicToOpenAiStream } from '@llmp/common';
import type { ProviderConfig } from '@llmp/common';
import type { SseEvent } from '../../http/sse-parser';
import type { RouteTarget } from '../../routing.types';
import { STREAM_DONE, type StreamMapper, type StreamMapping, type StreamStep } from '../provider-mappers';
import { parseEventData } from '../translated-provider.helpers';

/** Anthropic SSE events → OpenAI chunks; `message_stop` is the clean end. */
class AnthropicStreamMapping implements StreamMapping {
  private readonly stream: AnthropicToOpenAiStream;

  constructor(private readonly provider: ProviderConfig, model: string) {
    this.stream = new AnthropicToOpenAiStream(model);
  }

  map(event: SseEvent): StreamStep {
    const data = parseEventData(event.data, this.provider);
    const chunks = this.stream.push(typeof data.type === 'string' ? data.type : event.event, data);
    if (this.stream.done) return STREAM_DONE;
    return chunks.length ? (chunks as unknown as Record<string, unknown>[]) : null;
  }
}

export class AnthropicStreamMapper implements StreamMapper {
  open(_endpoint: unknown, target: RouteTarget): StreamMapping {
    return new AnthropicStreamMapping(target.provider, target.model);
  }
}
