import { ErrorCode } from '../../errors/error-code';
import { LlmpError } from '../../errors/llmp.error';
import type { Json, OpenAiChatChunk } from '../openai-chat.types';
import { ChunkFactory, isObject, newId } from '../translation-helpers';
import { finishReasonOfOllama, openAiToolCallsOfOllama, openAiUsageOfOllama } from './ollama-response.translator';

/** Ollama native NDJSON stream lines → OpenAI chunks; the `done: true` line carries the finish and the usage. */
export class OllamaToOpenAiStream {
  private readonly chunks: ChunkFactory;
  private started = false;
  private toolIndex = 0;
  private finished = false;

  constructor(model: string) {
    this.chunks = new ChunkFactory(newId('chatcmpl-'), model);
  }

  get done(): boolean {
    return this.finished;
  }

  push(line: Json): OpenAiChatChunk[] {
    if (line.error !== undefined) throw new LlmpError(ErrorCode.ProviderError, `upstream reported an error mid-stream: ${String(line.error)}`);
    const out: OpenAiChatChunk[] = [];
    if (!this.started) {
      this.started = true;
      out.push(this.chunks.delta({ role: 'assistant', content: '' }));
    }
    const msg = isObject(line.message) ? line.message : {};
    if (typeof msg.thinking === 'string' && msg.thinking) out.push(this.chunks.delta({ reasoning_content: msg.thinking }));
    if (typeof msg.content === 'string' && msg.content) out.push(this.chunks.delta({ content: msg.content }));
    const calls = openAiToolCallsOfOllama(msg.tool_calls);
    if (calls.length) out.push(this.chunks.delta({ tool_calls: calls.map((c) => ({ index: this.toolIndex++, id: c.id, type: 'function' as const, function: c.function })) }));
    if (line.done === true) {
      this.finished = true;
      out.push(this.chunks.delta({}, finishReasonOfOllama(line.done_reason, this.toolIndex > 0)));
      out.push(this.chunks.usage(openAiUsageOfOllama(line)));
    }
    return out;
  }
}
