import { ErrorCode } from '../../errors/error-code';
import { LlmpError } from '../../errors/llmp.error';
import type { Json, OpenAiChatChunk, OpenAiUsage } from '../openai-chat.types';
import { ChunkFactory, count, isObject, newId, usageOf } from '../translation-helpers';
import { finishReasonOfAnthropic } from './anthropic-response.translator';

/**
 * Anthropic Messages stream events → OpenAI chunks, one event at a time. Tool-use blocks become indexed tool-call
 * deltas, thinking becomes `reasoning_content`, and the final `message_delta` yields the finish and usage chunks.
 */
export class AnthropicToOpenAiStream {
  private readonly chunks: ChunkFactory;
  private inputTokens = 0;
  private cachedTokens = 0;
  private toolIndex = -1;
  /** Content block index → OpenAI tool-call index, for the JSON deltas that follow a tool_use block start. */
  private readonly toolOfBlock = new Map<number, number>();
  private finished = false;

  constructor(model: string) {
    this.chunks = new ChunkFactory(newId('chatcmpl-'), model);
  }

  /** True once `message_stop` arrived: the only clean end. */
  get done(): boolean {
    return this.finished;
  }

  push(type: string, data: Json): OpenAiChatChunk[] {
    switch (type) {
      case 'message_start': {
        const msg = isObject(data.message) ? data.message : {};
        if (typeof msg.id === 'string') this.chunks.id = msg.id;
        const u = isObject(msg.usage) ? msg.usage : {};
        this.cachedTokens = count(u.cache_read_input_tokens);
        this.inputTokens = count(u.input_tokens) + this.cachedTokens + count(u.cache_creation_input_tokens);
        return [this.chunks.delta({ role: 'assistant', content: '' })];
      }
      case 'content_block_start':
        return this.blockStart(Number(data.index), isObject(data.content_block) ? data.content_block : {});
      case 'content_block_delta':
        return this.blockDelta(Number(data.index), isObject(data.delta) ? data.delta : {});
      case 'message_delta': {
        const delta = isObject(data.delta) ? data.delta : {};
        const u = isObject(data.usage) ? data.usage : {};
        // Newer API versions repeat input counts here; prefer them when present.
        if (u.input_tokens !== undefined) {
          this.cachedTokens = count(u.cache_read_input_tokens) || this.cachedTokens;
          this.inputTokens = count(u.input_tokens) + this.cachedTokens + count(u.cache_creation_input_tokens);
        }
        const usage: OpenAiUsage = usageOf(this.inputTokens, count(u.output_tokens), this.cachedTokens);
        return [this.chunks.delta({}, finishReasonOfAnthropic(delta.stop_reason)), this.chunks.usage(usage)];
      }
      case 'message_stop':
        this.finished = true;
        return [];
      case 'error': {
        const err = isObject(data.error) ? data.error : {};
        throw new LlmpError(ErrorCode.ProviderError, `upstream reported an error mid-stream: ${String(err.message ?? err.type ?? 'unknown')}`);
      }
      default:
        // ping, content_block_stop and event types added later carry nothing a chat client needs.
        return [];
    }
  }

  private blockStart(index: number, block: Json): OpenAiChatChunk[] {
    if (block.type === 'tool_use') {
      this.toolIndex++;
      this.toolOfBlock.set(index, this.toolIndex);
      return [this.chunks.delta({
        tool_calls: [{ index: this.toolIndex, id: String(block.id), type: 'function', function: { name: String(block.name), arguments: '' } }],
      })];
    }
    if (block.type === 'text' && typeof block.text === 'string' && block.text) return [this.chunks.delta({ content: block.text })];
    return [];
  }

  private blockDelta(index: number, delta: Json): OpenAiChatChunk[] {
    switch (delta.type) {
      case 'text_delta':
        return [this.chunks.delta({ content: String(delta.text ?? '') })];
      case 'thinking_delta':
        return [this.chunks.delta({ reasoning_content: String(delta.thinking ?? '') })];
      case 'input_json_delta': {
        const tool = this.toolOfBlock.get(index);
        if (tool === undefined) return [];
        return [this.chunks.delta({ tool_calls: [{ index: tool, function: { arguments: String(delta.partial_json ?? '') } }] })];
      }
      default:
        return [];
    }
  }
}
