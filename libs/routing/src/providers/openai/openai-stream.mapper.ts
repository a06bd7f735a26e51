import { ErrorCode, LlmpError } from '@llmp/common';
import { upstreamReason } from '../../http/upstream-text';
import type { SseEvent } from '../../http/sse-parser';
import { STREAM_DONE, type StreamMapper, type StreamMapping, type StreamStep } from '../provider-mappers';
import { OpenAiResponseMapper } from './openai-response.mapper';

const errors = new OpenAiResponseMapper();

/** Each `data:` event is one chunk object; `[DONE]` is the only clean end; an error object mid-stream is a failure. */
class OpenAiStreamMapping implements StreamMapping {
  map(event: SseEvent): StreamStep {
    const { data } = event;
    if (data === '[DONE]') return STREAM_DONE;
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw new LlmpError(ErrorCode.ProviderError, 'upstream sent a stream event that is not JSON');
    }
    if (chunk === null || typeof chunk !== 'object' || Array.isArray(chunk)) {
      throw new LlmpError(ErrorCode.ProviderError, 'upstream sent a stream event that is not a JSON object');
    }
    const obj = chunk as Record<string, unknown>;
    if (event.event === 'error' || (obj.error !== undefined && obj.error !== null)) {
      const msg = errors.errorMessage(obj) ?? 'unknown error';
      throw new LlmpError(ErrorCode.ProviderError, `upstream reported an error mid-stream: ${upstreamReason(msg)}`);
    }
    return obj;
  }
}

export class OpenAiStreamMapper implements StreamMapper {
  open(): StreamMapping {
    return new OpenAiStreamMapping();
  }
}
