import type { Json, OpenAiChatChunk, OpenAiFinishReason, OpenAiUsage } from '../openai-chat.types';
import { ChunkFactory, isObject, newId } from '../translation-helpers';
import { finishReasonOfGemini, openAiUsageOfGemini, readGeminiParts } from './gemini-response.translator';

/**
 * Gemini `streamGenerateContent?alt=sse` events (each a whole GenerateContentResponse) → OpenAI chunks. Gemini has no
 * end marker: the stream is complete when a candidate carried a finish reason and the connection closed.
 */
export class GeminiToOpenAiStream {
  private readonly chunks: ChunkFactory;
  private started = false;
  private toolIndex = 0;
  private finish: OpenAiFinishReason | null = null;
  private usage: OpenAiUsage | null = null;

  constructor(model: string) {
    this.chunks = new ChunkFactory(newId('chatcmpl-'), model);
  }

  push(data: Json): OpenAiChatChunk[] {
    const out: OpenAiChatChunk[] = [];
    if (!this.started) {
      this.started = true;
      if (typeof data.responseId === 'string') this.chunks.id = data.responseId;
      out.push(this.chunks.delta({ role: 'assistant', content: '' }));
    }
    if (data.usageMetadata !== undefined) this.usage = openAiUsageOfGemini(data.usageMetadata);
    const candidate = Array.isArray(data.candidates) && isObject(data.candidates[0]) ? data.candidates[0] : null;
    if (!candidate) return out;
    const { text, reasoning, toolCalls } = readGeminiParts(isObject(candidate.content) ? candidate.content.parts : undefined);
    if (reasoning) out.push(this.chunks.delta({ reasoning_content: reasoning }));
    if (text) out.push(this.chunks.delta({ content: text }));
    if (toolCalls.length) {
      out.push(this.chunks.delta({ tool_calls: toolCalls.map((c) => ({ index: this.toolIndex++, id: c.id, type: 'function' as const, function: c.function })) }));
    }
    if (candidate.finishReason !== undefined && candidate.finishReason !== null) {
      this.finish = finishReasonOfGemini(candidate.finishReason, this.toolIndex > 0);
      out.push(this.chunks.delta({}, this.finish));
    }
    return out;
  }

  /** At end of input: the usage chunk after a finished answer, or null when the stream was cut short. */
  end(): OpenAiChatChunk[] | null {
    if (this.finish === null) return null;
    return this.usage ? [this.chunks.usage(this.usage)] : [];
  }
}
